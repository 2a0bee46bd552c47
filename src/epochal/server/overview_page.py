"""The page at ``/`` when no web UI is built: projects and their runs, rendered on the server.

Every piece of user text (names, config, summary) goes through ``html.escape``; the page
has no script at all.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import msgspec

from epochal.server.encoding import json_safe
from epochal.wire.api import ProjectInfo, RunInfo

_STYLE = """
body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
code { font-size: 12px; white-space: pre-wrap; }
"""


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _mapping(values: dict[str, Any]) -> str:
    return f"<code>{_text(msgspec.json.encode(json_safe(values)).decode())}</code>"


def _run_row(run: RunInfo) -> str:
    cells = (_text(run.name), _text(run.run_id), _text(run.state), _mapping(run.config), _mapping(run.summary))
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _project_section(project: ProjectInfo, runs: Sequence[RunInfo]) -> str:
    rows = "".join(_run_row(run) for run in runs)
    return (
        f"<h2>{_text(project.entity)}/{_text(project.name)}</h2>"
        f"<p>{project.run_count} runs</p>"
        "<table><thead><tr><th>name</th><th>id</th><th>state</th><th>config</th><th>summary</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def render_overview(projects: Sequence[tuple[ProjectInfo, Sequence[RunInfo]]], *, version: str) -> str:
    """The whole HTML document."""
    body = "".join(_project_section(project, runs) for project, runs in projects) or (
        "<p>No projects yet. Log a run with <code>epochal.init(project=...)</code>.</p>"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Epochal</title><style>{_STYLE}</style></head>"
        f"<body><h1>Epochal <small>{_text(version)}</small></h1>{body}"
        '<p><a href="/api/v1/docs">API documentation</a></p></body></html>'
    )
