"""The Content-Type of a downloaded file: never one a browser would run as part of our origin.

Saved files are the users' own bytes. Types a browser renders actively (HTML, SVG, XML,
JavaScript) are sent as ``text/plain``; everything else keeps its usual type. Downloads also
carry ``Content-Disposition: attachment``, ``nosniff`` and a sandboxing CSP (routes/files.py).
"""

from __future__ import annotations

import mimetypes

_ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "text/xsl",
        "application/pdf",
    }
)


def download_media_type(path: str) -> str:
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return "text/plain; charset=utf-8" if guessed in _ACTIVE_TYPES else guessed
