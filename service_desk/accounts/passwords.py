"""The password rule, in one function every channel calls (the CLI, the admin pages, the
self-service change), and the passwords the app generates.

The list of common passwords ships with the app (data/common-passwords.txt.gz, from Django,
BSD-3: see data/LICENSE-common-passwords.txt) and is read offline, once per process.
"""
from __future__ import annotations

import functools
import gzip
import secrets
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 10
# scrypt reads all of it: a bound keeps one form post from costing seconds of CPU
MAX_PASSWORD_LENGTH = 128
# a user name this short is found inside too many good passwords to refuse them for it
MIN_NAME_IN_PASSWORD = 3
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# generated passwords: no 0/O, 1/l/I, so they can be read out over the phone and typed
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased (as Django compares it)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problems(password: str, *, username: str | None = None) -> list:
    """What is wrong with ``password`` for the account ``username``, in words; [] when it
    is good. The one password rule: at least MIN_PASSWORD_LENGTH characters, not on the
    common-password list, not the user name nor containing it, not one character repeated."""
    password = password or ""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_l("The password needs at least %(num)d characters.",
                           num=MIN_PASSWORD_LENGTH))
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(_l("The password may have at most %(num)d characters.",
                           num=MAX_PASSWORD_LENGTH))
    folded = password.strip().lower()
    if folded in common_passwords():
        problems.append(_l("This password is on the list of commonly used passwords, which "
                           "are guessed first. Choose another."))
    name = (username or "").strip().lower()
    if name and (folded == name or (len(name) >= MIN_NAME_IN_PASSWORD and name in folded)):
        problems.append(_l("The password must not be or contain the username."))
    if password and len(set(password)) == 1:
        problems.append(_l("The password must not be one character repeated."))
    return problems


def generate_password(*, username: str | None = None) -> str:
    """A random password that passes the rule: three groups of four, such as
    ``k7Qm-xR4t-9bWz`` (about 70 bits), easy to read out and type."""
    while True:
        groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
        password = "-".join(groups)
        if not password_problems(password, username=username):
            return password
