"""create_app(): defaults, instance/config.py, SERVICE_DESK_* variables; a production app needs a key."""
import pytest

from service_desk import create_app
from service_desk.config import ConfigError


def test_production_without_a_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_DESK_ENV_NAME", "production")
    monkeypatch.delenv("SERVICE_DESK_SECRET_KEY", raising=False)
    monkeypatch.setenv("SERVICE_DESK_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("SERVICE_DESK_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SERVICE_DESK_SECRET_KEY"):
        create_app()


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_DESK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SERVICE_DESK_SECRET_KEY", "from-env")
    monkeypatch.setenv("SERVICE_DESK_TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("SERVICE_DESK_PAGE_SIZE", "7")
    monkeypatch.setenv("SERVICE_DESK_DATABASE_URL", "postgresql://u@h/db")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["TIMEZONE"] == "Asia/Urumqi"
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_defaults_are_chinese_first_and_shanghai_time(app):
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_outside_the_tests_passwords_are_hashed_with_full_strength_scrypt(tmp_path):
    """The suite uses a cheap scrypt (tests/conftest.py); the app's default is werkzeug's."""
    from service_desk.accounts.services import hash_password

    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        # a password no other test hashes: the suite caches hashes by password (conftest)
        assert hash_password("only-hashed-in-this-test").startswith("scrypt:32768:8:1$")


def test_behind_a_tls_proxy_cookies_are_secure(tmp_path):
    app = create_app({"SECRET_KEY": "x", "BEHIND_PROXY": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_instance_config_file_is_read_and_the_environment_wins(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nPAGE_SIZE = 9\n")
    monkeypatch.setenv("SERVICE_DESK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SERVICE_DESK_PAGE_SIZE", "11")
    monkeypatch.delenv("SERVICE_DESK_SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["PAGE_SIZE"] == 11
