"""The ceiling of bench/over_http.py: a bare Flask app answering JSON "ok" on every path, served by
the same gunicorn settings as Service Desk, so a ratio to it is the app's own cost."""
from flask import Flask, jsonify

app = Flask("ceiling")


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def ok(path: str):
    return jsonify("ok")
