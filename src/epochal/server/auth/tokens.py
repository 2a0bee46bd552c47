"""Secrets the server hands out: API keys, session tokens, CSRF tokens, setup links.

All come from ``secrets`` (256 bits or more). Keys and session tokens are stored only as their
sha256: with that much entropy a fast hash is enough, and lookups by hash stay one index probe.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

API_KEY_PREFIX = "ep_"
PREFIX_SHOWN = 10


@dataclass(frozen=True)
class NewKey:
    key: str
    """Shown once to its owner, never stored."""
    key_hash: str
    prefix: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_key() -> NewKey:
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return NewKey(key=key, key_hash=hash_token(key), prefix=key[:PREFIX_SHOWN])


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison, for tokens compared in memory (CSRF, setup link)."""
    return secrets.compare_digest(given.encode(), expected.encode())
