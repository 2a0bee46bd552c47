"""Who is calling: an API key (``Authorization: Bearer``, or Basic with the key as password, as
wandb clients send it), a browser session cookie, or nobody.

Cookie-authenticated API writes must echo the session's CSRF token in ``X-CSRF-Token`` (the
token is also in the readable ``epochal_csrf`` cookie, for the web UI). API keys need no CSRF
token: browsers never attach them on their own.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time

from fastapi import Request

from epochal.server.auth.errors import ForbiddenError, TooManyRequestsError, UnauthenticatedError
from epochal.server.auth.policy import ANONYMOUS, Principal
from epochal.server.auth.state import auth_state
from epochal.server.auth.tokens import hash_token, same_secret
from epochal.server.context import ServerContext
from epochal.store.accounts import User
from epochal.store.base import Store

logger = logging.getLogger(__name__)

SESSION_COOKIE = "epochal_session"
CSRF_COOKIE = "epochal_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LAST_USED_RESOLUTION_S = 60.0
"""``last_used_at`` is rewritten at most this often per key (a read path must not write each time)."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


def identify(request: Request) -> Principal:
    """The caller of this request (computed once per request)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    context: ServerContext = request.app.state.context
    if not auth_state(request).enabled:
        principal = Principal(username=context.settings.default_entity, via="local")
    else:
        principal = _identify(request, context.require_store())
    request.state.principal = principal
    return principal


def _identify(request: Request, store: Store) -> Principal:
    key = presented_key(request)
    if key is not None:
        return _from_key(request, store, key)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        principal = session_principal(store, token)
        if principal is not None:
            if request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
                check_csrf(principal, request.headers.get(CSRF_HEADER))
            return principal
    return ANONYMOUS


def _from_key(request: Request, store: Store, key: str) -> Principal:
    limiter = auth_state(request).key_limiter
    ip = f"ip:{client_ip(request)}"
    wait = limiter.retry_after(ip)
    if wait > 0:
        raise TooManyRequestsError("too many invalid API keys from this address; retry later", retry_after_s=wait)
    found = store.accounts.find_api_key(hash_token(key)) if key else None
    if found is None:
        limiter.failed(ip)
        logger.warning("invalid API key from %s", client_ip(request))
        raise UnauthenticatedError(
            "the API key is not valid (unknown or revoked); create one with `epochal key create`"
        )
    api_key, user = found
    now = time.time()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION_S:
        store.accounts.touch_api_key(api_key.id, now)
    return _signed_in(store, user, via="key", key_id=api_key.id)


def session_principal(store: Store, token: str) -> Principal | None:
    found = store.accounts.find_session(hash_token(token), now=time.time())
    if found is None:
        return None
    session, user = found
    return _signed_in(store, user, via="session", csrf_token=session.csrf_token)


def _signed_in(
    store: Store, user: User, *, via: str, key_id: int | None = None, csrf_token: str | None = None
) -> Principal:
    """The principal of a known user, however they proved who they are."""
    return Principal(
        username=user.username,
        user_id=user.id,
        is_admin=user.is_admin,
        teams=store.accounts.teams_of(user.id),
        via=via,
        key_id=key_id,
        csrf_token=csrf_token,
    )


def check_csrf(principal: Principal, given: str | None) -> None:
    if principal.csrf_token is None or not given or not same_secret(given, principal.csrf_token):
        raise ForbiddenError(
            "missing or wrong CSRF token: send the epochal_csrf cookie's value in X-CSRF-Token", code="csrf_failed"
        )
