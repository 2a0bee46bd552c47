"""Password hashes with argon2id (argon2-cffi's defaults, which follow RFC 9106)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password nobody has, checked when the user does not exist")


class WeakPasswordError(ValueError):
    """The password is too short or too long; the message gives the bounds."""


def check_password_rules(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"a password needs {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password_rules(password))


def verify_password(password: str, password_hash: str | None) -> bool:
    """True on a match. Without a hash (unknown user, key-only account) the work is still done,
    so the answer's timing does not tell whether the account exists."""
    try:
        return (
            _hasher.verify(password_hash or _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH]) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
