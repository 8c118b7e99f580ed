"""The README documents every command, and every command has help."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from monitor.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "veille") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += commands(command, path)
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize(("path", "command"), commands(main))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(
    path: str, command: click.Command
) -> None:
    assert command.help and "Example: " + path in command.help
    assert f"`{path}" in README


def test_readme_gives_the_two_commands() -> None:
    assert "uv run veille demo" in README and "uv run pytest" in README
    assert "uv run pytest" in (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
