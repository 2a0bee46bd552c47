"""Browser sign-in: ``/login``, ``/logout`` and the one-time ``/setup`` page for the first admin.

Forms are protected by a double-submit token before sign-in (the ``epochal_csrf`` cookie must
match the form field) and by the session's own token after. Failed sign-ins are limited per IP
address and per account (429 with Retry-After). See docs/security.md.
"""

from __future__ import annotations

import logging
import time

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from epochal.server.auth.errors import retry_after_header
from epochal.server.auth.forms import read_form
from epochal.server.auth.identify import CSRF_COOKIE, SESSION_COOKIE, client_ip, session_principal
from epochal.server.auth.pages import login_page, message_page, setup_page, signed_in_page
from epochal.server.auth.passwords import WeakPasswordError, hash_password, verify_password
from epochal.server.auth.state import SETUP_PATH, auth_state
from epochal.server.auth.tokens import hash_token, new_token, same_secret
from epochal.server.context import ServerContext
from epochal.store.accounts import User
from epochal.store.base import Conflict, NotFound, Store
from epochal.wire import limits
from epochal.wire.keys import InvalidKeyError, check_name

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

SESSION_TTL_S = 14 * 24 * 3600


def _store(request: Request) -> Store:
    context: ServerContext = request.app.state.context
    return context.require_store()


def _form_token(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or new_token()


def _html(
    page: str, request: Request, token: str, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    response = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})
    _set_csrf_cookie(response, request, token)
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    # Readable by the page's script (the web UI echoes it in X-CSRF-Token); useless to other sites.
    response.set_cookie(CSRF_COOKIE, token, samesite="lax", secure=_secure(request), httponly=False, path="/")


def _safe_next(value: str | None) -> str:
    """Only a path on this server (no ``//host`` or scheme): no open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _form_csrf_ok(request: Request, form: dict[str, str]) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and same_secret(form.get("csrf_token", ""), cookie)


async def _start_session(request: Request, user: User, next_path: str) -> Response:
    token, csrf = new_token(), new_token()
    now = time.time()
    await anyio.to_thread.run_sync(
        lambda: _store(request).accounts.create_session(
            hash_token(token), user_id=user.id, csrf_token=csrf, now=now, expires_at=now + SESSION_TTL_S
        )
    )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=SESSION_TTL_S, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )
    _set_csrf_cookie(response, request, csrf)
    logger.info("%s signed in", user.username)
    return response


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    if not auth_state(request).enabled:
        return HTMLResponse(
            message_page("Sign in", "Auth is off: this server runs in local mode; nothing to sign in to.")
        )
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        principal = await anyio.to_thread.run_sync(session_principal, _store(request), token)
        if principal is not None and principal.username and principal.csrf_token:
            return _html(
                signed_in_page(username=principal.username, csrf_token=principal.csrf_token),
                request,
                principal.csrf_token,
            )
    form_token = _form_token(request)
    return _html(login_page(csrf_token=form_token, next_path=_safe_next(next)), request, form_token)


@router.post("/login")
async def login(request: Request) -> Response:
    state = auth_state(request)
    form = await read_form(request)
    next_path = _safe_next(form.get("next"))
    form_token = _form_token(request)
    if not state.enabled:
        return HTMLResponse(message_page("Sign in", "Auth is off: nothing to sign in to."), status_code=409)
    if not _form_csrf_ok(request, form):
        return _html(
            login_page(csrf_token=form_token, next_path=next_path, error="The form expired; try again."),
            request,
            form_token,
            status=403,
        )
    username = form.get("username", "")[:64]
    names = (f"ip:{client_ip(request)}", f"user:{username}")
    wait = state.sign_in_limiter.retry_after(*names)
    if wait > 0:
        error = f"Too many failed attempts. Try again in {int(wait) + 1} s."
        return _html(
            login_page(csrf_token=form_token, next_path=next_path, error=error),
            request,
            form_token,
            status=429,
            headers=retry_after_header(wait),
        )
    user = await anyio.to_thread.run_sync(_check_password, _store(request), username, form.get("password", ""))
    if user is None:
        state.sign_in_limiter.failed(*names)
        logger.warning("failed sign-in for %r from %s", username, client_ip(request))
        return _html(
            login_page(csrf_token=form_token, next_path=next_path, error="Wrong username or password."),
            request,
            form_token,
            status=401,
        )
    state.sign_in_limiter.succeeded(*names)
    return await _start_session(request, user, next_path)


def _check_password(store: Store, username: str, password: str) -> User | None:
    try:
        user: User | None = store.accounts.get_user(username)
    except NotFound:
        user = None
    ok = verify_password(password, user.password_hash if user else None)
    return user if ok else None


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Ends this session, or with ``everywhere=1`` every session of the user."""
    form = await read_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    store = _store(request)
    principal = await anyio.to_thread.run_sync(session_principal, store, token) if token else None
    if principal is not None and token:
        if not (principal.csrf_token and same_secret(form.get("csrf_token", ""), principal.csrf_token)):
            return HTMLResponse(message_page("Sign out", "The form expired; reload and try again."), status_code=403)
        if form.get("everywhere") == "1" and principal.user_id is not None:
            user_id = principal.user_id
            await anyio.to_thread.run_sync(store.accounts.delete_user_sessions, user_id)
        else:
            await anyio.to_thread.run_sync(store.accounts.delete_session, hash_token(token))
        logger.info("%s signed out%s", principal.username, " everywhere" if form.get("everywhere") == "1" else "")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get(SETUP_PATH)
async def setup_form(request: Request, token: str = "") -> Response:
    if not auth_state(request).check_setup(token):
        return HTMLResponse(message_page("Setup", "This setup link is not valid (it works once)."), status_code=404)
    form_token = _form_token(request)
    return _html(setup_page(csrf_token=form_token, token=token), request, form_token)


@router.post(SETUP_PATH)
async def setup(request: Request) -> Response:
    state = auth_state(request)
    form = await read_form(request)
    token = form.get("token", "")
    form_token = _form_token(request)
    if not state.check_setup(token):
        return HTMLResponse(message_page("Setup", "This setup link is not valid (it works once)."), status_code=404)
    if not _form_csrf_ok(request, form):
        return _html(
            setup_page(csrf_token=form_token, token=token, error="The form expired; try again."),
            request,
            form_token,
            status=403,
        )
    username = form.get("username", "")
    try:
        check_name(username, "username", limits.MAX_USERNAME_LENGTH)
        password_hash = hash_password(form.get("password", ""))
    except (InvalidKeyError, WeakPasswordError) as exc:
        return _html(setup_page(csrf_token=form_token, token=token, error=str(exc)), request, form_token, status=422)
    if not state.claim_setup(token):
        return HTMLResponse(message_page("Setup", "This setup link was just used."), status_code=404)
    try:
        user = await anyio.to_thread.run_sync(
            lambda: _store(request).accounts.create_user(
                username, role="admin", password_hash=password_hash, now=time.time()
            )
        )
    except Conflict as exc:
        return HTMLResponse(message_page("Setup", str(exc)), status_code=409)
    logger.warning("admin %s created through the setup link", username)
    return await _start_session(request, user, "/")
