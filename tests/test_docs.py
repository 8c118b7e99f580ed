"""The README and docs/: the two commands are what CI runs, every command and configuration key is
documented, every link between the pages leads somewhere, and the README stays short."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from monitor.cli import main
from monitor.settings import CRAWL_SETTINGS, MAIL_SETTINGS, NEWS_SETTINGS, NIGHT_SETTINGS, SITE_SETTINGS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {
    path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
    for path in (ROOT / "docs").rglob("*.md")
}
COMMANDS_PAGE = DOCS["docs/commands.md"]
CONFIGURATION_PAGE = DOCS["docs/configuration.md"]
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "veille") -> list[tuple[str, click.Command]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):  # `veille` imports its commands' modules on demand
        command = group.get_command(context, name)
        assert command is not None, f"{prefix} {name} is listed but not defined"
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += commands(command, path)
        else:
            found.append((path, command))
    return found


def the_two_commands(readme: str) -> list[str]:
    """The shell lines of the README's « The two commands » block, without their comments."""
    section = readme.split("## The two commands", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README's « The two commands » has no ```sh block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


@pytest.mark.parametrize(("path", "command"), commands(main))
def test_every_command_has_help_with_an_example_and_is_in_the_commands_page(
    path: str, command: click.Command
) -> None:
    assert command.help and "Exemple : " + path in command.help
    assert f"`{path}" in COMMANDS_PAGE


def test_the_readme_gives_two_commands_and_ci_runs_them_exactly_as_written() -> None:
    two = the_two_commands(README)
    assert two == ["uv run veille demo", "uv run pytest"]
    ci_lines = [line.strip() for line in CI_RUN.splitlines()]
    for command in two:
        assert command in ci_lines, f"{command!r} is not a line of .ci/run"


def test_ci_checks_that_the_demo_wrote_its_reports() -> None:
    after_demo = CI_RUN.split("\nuv run veille demo\n", 1)[1]
    for report in ("data/demo/rapport-liens.html", "data/demo/rapport-site.html"):
        assert report in after_demo


def test_the_readme_is_short_and_leads_to_every_reference_page() -> None:
    assert len(README.encode("utf-8")) <= 15_000
    for page in DOCS:
        if page.count("/") == 1:  # docs/*.md; guides and pending notes are reached from their own pages
            assert f"]({page}" in README, f"the README does not link {page}"


@pytest.mark.parametrize(
    ("group", "settings"),
    [("crawl", CRAWL_SETTINGS), ("news", NEWS_SETTINGS), ("night", NIGHT_SETTINGS), ("mail", MAIL_SETTINGS),
     ("site", SITE_SETTINGS)],
)  # fmt: skip
def test_every_configuration_key_is_documented(group: str, settings: tuple) -> None:
    section = CONFIGURATION_PAGE
    missing = [
        s.name for s in settings if f"`{s.name}`" not in section and f"`{group}.{s.name}`" not in section
    ]
    assert not missing, f"{group}: {missing}"


def test_every_relative_link_leads_to_a_file_and_an_anchor_that_exist() -> None:
    pages = {"README.md": README, **DOCS}
    for page, text in pages.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("/"):
                continue  # other sites, and the desk's own served paths (the guides' screenshots)
            file_part, _, anchor = target.partition("#")
            linked = (ROOT / page).parent / file_part if file_part else ROOT / page
            assert linked.exists(), f"{page} links {target}: no such file"
            if anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
                slugs = {re.sub(r"[^\w\- ]", "", h.lower()).strip().replace(" ", "-") for h in headings}
                assert anchor in slugs, f"{page} links {target}: no such heading"
