"""Documentation is part of the contract: every limit and CLI command is documented."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from epochal.cli.main import cli
from epochal.wire import limits

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_limit_is_documented_with_its_value() -> None:
    text = (DOCS / "limits.md").read_text()
    names = [name for name in dir(limits) if name.startswith("MAX_")]
    assert names, "wire.limits defines no limits"
    for name in names:
        assert f"`{name}`" in text, f"{name} is missing from docs/limits.md"


def test_every_cli_command_is_documented_and_has_help() -> None:
    text = (DOCS / "cli.md").read_text()
    for name, command in cli.commands.items():
        assert f"epochal {name}" in text, f"'epochal {name}' is missing from docs/cli.md"
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        summary = " ".join((command.help or "").split("\n\n")[0].split())
        assert summary, f"'epochal {name}' has no help text"
        assert summary in " ".join(result.output.split())
