"""The sign-in, setup and signed-in pages: server-rendered HTML forms without any script.

Every value shown goes through ``html.escape``. Each form carries a CSRF token.
"""

from __future__ import annotations

import html

_STYLE = """
body { font: 15px system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh;
       background: #f6f7f9; color: #222; }
main { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; min-width: 20rem; }
label { display: block; margin: .8rem 0 .2rem; }
input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .45rem; font: inherit; }
button { margin-top: 1.2rem; padding: .5rem 1rem; font: inherit; cursor: pointer; }
.error { color: #b00020; } .note { color: #555; font-size: 13px; }
"""


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(title)} · Epochal</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{_text(title)}</h1>{body}</main></body></html>"
    )


def _error(message: str | None) -> str:
    return f'<p class="error" role="alert">{_text(message)}</p>' if message else ""


def login_page(*, csrf_token: str, next_path: str, error: str | None = None) -> str:
    return _page(
        "Sign in",
        _error(error) + '<form method="post" action="/login">'
        f'<input type="hidden" name="csrf_token" value="{_text(csrf_token)}">'
        f'<input type="hidden" name="next" value="{_text(next_path)}">'
        '<label for="username">Username</label>'
        '<input type="text" id="username" name="username" autocomplete="username" required autofocus>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form>',
    )


def setup_page(*, csrf_token: str, token: str, error: str | None = None) -> str:
    return _page(
        "Create the admin account",
        _error(error) + '<p class="note">This link works once. The account you create here administers '
        "this server.</p>"
        '<form method="post" action="/setup">'
        f'<input type="hidden" name="csrf_token" value="{_text(csrf_token)}">'
        f'<input type="hidden" name="token" value="{_text(token)}">'
        '<label for="username">Username</label>'
        '<input type="text" id="username" name="username" autocomplete="username" required autofocus>'
        '<label for="password">Password (12 characters or more)</label>'
        '<input type="password" id="password" name="password" autocomplete="new-password" minlength="12" required>'
        '<button type="submit">Create admin</button></form>',
    )


def signed_in_page(*, username: str, csrf_token: str) -> str:
    logout = (
        '<form method="post" action="/logout">'
        f'<input type="hidden" name="csrf_token" value="{_text(csrf_token)}">'
        '<button type="submit" name="everywhere" value="{everywhere}">{label}</button></form>'
    )
    return _page(
        "Signed in",
        f"<p>You are signed in as <strong>{_text(username)}</strong>.</p>"
        '<p><a href="/">Open the workspace</a></p>'
        + logout.format(everywhere="0", label="Sign out")
        + logout.format(everywhere="1", label="Sign out everywhere"),
    )


def message_page(title: str, message: str) -> str:
    return _page(title, f"<p>{_text(message)}</p>")
