"""The runs list's query language: ``filter=<field><op><value>``, ``search``, ``order``.

Parsing lives here so the route stays thin and the store receives a typed ``RunQuery``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from epochal.server.errors import UnprocessableError
from epochal.store.base import FilterOp, RunFilter, RunQuery

PLAIN_FIELDS = frozenset({"state", "name", "tags", "group", "job_type", "created_at"})
NESTED_PREFIXES = ("config.", "summary.")

# Longest operators first, so "a<=1" is "<=" and not "<" with value "=1".
_FILTER_RE = re.compile(r"^(?P<field>[^=!<>~]+?)(?P<op>!=|<=|>=|=|<|>|~)(?P<value>.*)$", re.DOTALL)
_OPS: dict[str, FilterOp] = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "~": "contains"}


def check_field(field: str) -> str:
    """A field runs can be filtered and ordered by, else 422 naming the choices."""
    if field in PLAIN_FIELDS or (field.startswith(NESTED_PREFIXES) and field.split(".", 1)[1]):
        return field
    raise UnprocessableError(
        f"unknown run field {field!r}: use one of {', '.join(sorted(PLAIN_FIELDS))}, config.<key> or summary.<key>",
        code="invalid_filter",
    )


def parse_value(text: str) -> object:
    """JSON when it parses (``0.01``, ``true``, ``"a b"``), else the text itself."""
    try:
        value: object = json.loads(text)
    except ValueError:
        return text
    return value


def parse_filter(text: str) -> RunFilter:
    match = _FILTER_RE.match(text)
    if match is None:
        raise UnprocessableError(
            f"filter {text!r} is not <field><op><value> with op one of = != < <= > >= ~", code="invalid_filter"
        )
    field = check_field(match["field"].strip())
    return RunFilter(field=field, op=_OPS[match["op"]], value=parse_value(match["value"]))


def build_query(filters: Sequence[str], search: str | None, order: str, limit: int, offset: int) -> RunQuery:
    check_field(order.removeprefix("-"))
    return RunQuery(
        filters=[parse_filter(text) for text in filters],
        search=search or None,
        order_by=order,
        limit=limit,
        offset=offset,
    )
