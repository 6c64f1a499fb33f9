# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := service_desk

.PHONY: run test lint install lock translations extract-messages browser bench bench-http clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions with hashes from the lock file; pyproject.toml keeps the ranges. The project
# itself goes in without dependencies, so nothing outside the lock is installed.
LOCK := requirements.lock
$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# refresh the lock from pyproject.toml's ranges (uv comes from the lock itself)
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --quiet -o $(LOCK)
	@echo "updated $(LOCK); commit it with pyproject.toml"

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d service_desk/translations -D messages

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o service_desk/translations/messages.pot .
	$(BIN)/pybabel update -i service_desk/translations/messages.pot -d service_desk/translations --no-fuzzy-matching
	$(BIN)/python scripts/fill_en_catalog.py

instance/secret_key:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key
	chmod 600 instance/secret_key

run: install instance/secret_key
	$(BIN)/service-desk db upgrade
	$(BIN)/service-desk seed
	$(BIN)/service-desk demo-accounts
	$(BIN)/service-desk demo-hours
	SERVICE_DESK_PUBLIC_BASE_URL=$${SERVICE_DESK_PUBLIC_BASE_URL:-http://127.0.0.1:5000} \
	  $(BIN)/service-desk demo-bookings
	SERVICE_DESK_HOTLINE_NUMBER="$${SERVICE_DESK_HOTLINE_NUMBER:-0631-0000000（演示 demo）}" \
	SERVICE_DESK_HALL_ADDRESS="$${SERVICE_DESK_HALL_ADDRESS:-（演示地址 demo）威海经济技术开发区政务服务大厅}" \
	SERVICE_DESK_HALL_HOURS="$${SERVICE_DESK_HALL_HOURS:-（演示 demo）周一至周五 9:00–12:00，13:30–17:00}" \
	  $(BIN)/service-desk run --host 127.0.0.1 --port 5000

# Debian's chromium for the browser tests (never `playwright install`: no downloads of browsers)
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null; }; \
	else echo "chromium is missing: browser tests will skip (install Debian's chromium)"; fi

# ruff and the import contracts first (cheap, and a broken layer explains many failures)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# With SERVICE_DESK_TEST_DATABASE_URL the SQLite and PostgreSQL passes run side by side (each
# is one Python process; the machine has two cores); each pass's output follows when both end.
test: install browser lint
	@if [ -z "$$SERVICE_DESK_TEST_DATABASE_URL" ]; then \
	  $(BIN)/python -m pytest -q $(PYTEST_ARGS); \
	else \
	  logs=$$(mktemp -d); \
	  echo "== SQLite and PostgreSQL ($$SERVICE_DESK_TEST_DATABASE_URL) side by side"; \
	  $(BIN)/python -m pytest -q $(PYTEST_ARGS) >$$logs/sqlite 2>&1 & sqlite=$$!; \
	  SERVICE_DESK_TEST_BACKEND=postgres $(BIN)/python -m pytest -q $(PYTEST_ARGS) \
	    >$$logs/postgres 2>&1 & postgres=$$!; \
	  wait $$sqlite; sqlite_rc=$$?; wait $$postgres; postgres_rc=$$?; \
	  echo "== on SQLite"; cat $$logs/sqlite; \
	  echo "== on PostgreSQL"; cat $$logs/postgres; rm -rf $$logs; \
	  [ $$sqlite_rc -eq 0 ] && [ $$postgres_rc -eq 0 ]; \
	fi

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bookings.py
	$(BIN)/python bench/ratings.py

# Over HTTP: the app and a bare-Flask ceiling under the same gunicorn settings, measured by
# Debian's wrk in turns, on PostgreSQL filled with 1,000,000 appointments (bench/over_http.py).
# BENCH_HTTP_ARGS="--appointments 20000 --matters 1000 --seconds 5" for a quick run.
bench-http: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's wrk"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null \
	    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }; \
	  else echo "wrk is missing: install Debian's wrk (apt-get install wrk)"; exit 1; fi; }
	$(BIN)/python bench/over_http.py $(BENCH_HTTP_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
