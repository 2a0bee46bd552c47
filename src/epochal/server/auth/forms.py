"""Reading the small urlencoded forms of the sign-in pages (no multipart, bounded size)."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from epochal.server.errors import BadRequestError, PayloadTooLargeError

MAX_FORM_BYTES = 16 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """First value of each field; 413 past ``MAX_FORM_BYTES``, 400 for a body that is not a form."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise BadRequestError("send the form as application/x-www-form-urlencoded", code="malformed_body")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLargeError(f"the form is larger than the limit of {MAX_FORM_BYTES} bytes")
    try:
        fields = parse_qs(body.decode(), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequestError(f"the form cannot be parsed: {exc}", code="malformed_body") from exc
    return {name: values[0] for name, values in fields.items()}
