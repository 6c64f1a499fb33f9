"""Response security headers, session loading and revocation."""
from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from .accounts.models import User
from .extensions import db, login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

FORCED = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
          ("Referrer-Policy", "same-origin"))
DEFAULTED = (("Content-Security-Policy", CSP),
             ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))

HSTS = ("Strict-Transport-Security", "max-age=31536000")


def plain_answer_headers(secure: bool) -> list[tuple[str, str]]:
    """What set_security_headers adds to an answer that chose none of these headers and its
    own Cache-Control (the slots lane's, which answers before Flask)."""
    return [*FORCED, *DEFAULTED, *((HSTS,) if secure else ())]


def load_user(user_id: str):
    """Sessions carry "id:session_version"; a bumped version or a deactivated user ends them."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signer for a request that brought
    no session cookie (API calls, first visits): the same empty session, a tenth of a plain
    request's CPU cheaper."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        # what Flask's own does for a session that is empty and was neither read nor changed
        # (no Vary, no cookie), without first working out the cookie's five attributes
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    # the login page says this itself; a flashed English string would bypass gettext
    login_manager.login_message = None  # type: ignore[assignment]

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        present = {key.lower() for key, _ in headers.items()}
        # FORCED replace a view's value; DEFAULTED keep one a view chose
        for name, value in FORCED:
            if name.lower() in present:
                headers[name] = value
            else:
                headers.add(name, value)  # no scan for an old value: cheaper on every answer
        for name, value in DEFAULTED:
            if name.lower() not in present:
                headers.add(name, value)
        if request.is_secure:
            headers[HSTS[0]] = HSTS[1]
        if "cache-control" not in present and request.endpoint \
                and not request.endpoint.startswith("static"):
            # pages may carry personal data: never keep them in shared caches
            headers.add("Cache-Control", "no-store")
        return response
