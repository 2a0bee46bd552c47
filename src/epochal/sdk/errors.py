"""The SDK's errors, kept to wandb's small set so existing ``except`` clauses keep working.

EpochalError
├── UsageError            the caller did something the SDK refuses (raised at the call site)
├── CommError             the server could not be reached or answered with an error
│   └── AuthenticationError   the API key is missing, wrong or not allowed
"""

from __future__ import annotations


class EpochalError(Exception):
    """Root of every error the SDK raises on purpose."""


class UsageError(EpochalError):
    """A call broke a rule of the SDK (e.g. ``log`` before ``init``); the message says which."""


class CommError(EpochalError):
    """Talking to the server failed; ``status`` is the HTTP status when there was an answer."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthenticationError(CommError):
    """The server refused the API key (HTTP 401/403)."""
