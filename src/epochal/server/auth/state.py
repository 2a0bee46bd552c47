"""The access layer's per-app state: whether auth is on, the setup link, the sign-in limiter.

Auth is on when the server was started with ``--auth`` or, at start, the store already holds
an account (so creating the first admin with ``epochal user create --admin`` turns it on).
With auth on and no account yet, a one-time setup link is logged; it creates the first admin.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from fastapi import Request

from epochal.server.auth.rate_limit import FailureLimiter
from epochal.server.auth.tokens import new_token, same_secret
from epochal.server.settings import ServerSettings
from epochal.store.base import Store

logger = logging.getLogger(__name__)

SETUP_PATH = "/setup"


@dataclass
class AuthState:
    settings: ServerSettings
    enabled: bool = False
    sign_in_limiter: FailureLimiter = field(default_factory=FailureLimiter)
    key_limiter: FailureLimiter = field(default_factory=lambda: FailureLimiter(free_failures=20))
    _setup_token: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, store: Store) -> None:
        """Decide the mode once the store is open (called by the app's lifespan)."""
        has_accounts = store.accounts.count_users() > 0
        self.enabled = self.settings.auth or has_accounts
        if not self.enabled:
            logger.info("auth is off: local single-user mode on %s", self.settings.host)
            return
        if has_accounts:
            logger.info("auth is on")
            return
        self._setup_token = new_token()
        logger.warning(
            "auth is on and no account exists yet: create the admin at %s%s?token=%s "
            "(this link works once), or run `epochal user create --admin`",
            self.settings.public_url,
            SETUP_PATH,
            self._setup_token,
        )

    def setup_open(self) -> bool:
        return self._setup_token is not None

    def claim_setup(self, token: str) -> bool:
        """True once for the right token; the link is dead afterwards."""
        with self._lock:
            if self._setup_token is None or not same_secret(token, self._setup_token):
                return False
            self._setup_token = None
            return True

    def check_setup(self, token: str) -> bool:
        with self._lock:
            return self._setup_token is not None and same_secret(token, self._setup_token)


def auth_state(request: Request) -> AuthState:
    state: AuthState = request.app.state.auth
    return state
