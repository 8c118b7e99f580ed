"""Every page each role reaches by links from the home page (bounded), read as that role: no English
from Datasette's own strings, no raw status code in a cell or a title, no ISO date, and no link to a
page the visitor may not open."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_triage import decide, login, make_desk, run

MAX_PAGES = 80
# Datasette 0.65's own English, as its templates and table.js write it.
ENGLISH = (
    "Sort ascending", "Sort descending", "Facet by this", "Hide this column", "Show all columns",
    "Show not-blank rows", "Remove this filter", "Custom SQL query", "This data as", "Links from other tables",
    "Advanced export", "Download file", "Powered by", "Next page", "Suggested facets", "View and edit SQL",
    "Apply", "rows where", "Log out", "Log in", "Cannot sort", "Invalid _shape", "Forbidden", "Not found",
    "Query parameters", "Show SQL", "Hide SQL", "Edit SQL", "Table actions", "starts with", "ends with",
    "is null", "is not null", "is blank", "Type: TEXT",
)  # fmt: skip
CODES = re.compile(
    r"\b(linked_nofollow|no_site|unreachable|missing|hidden|ecarter|ecarte|choisir|signaler|annule|"
    r"propose|signale|accepte|publie|refuse|secretariat|amicale-du-nid|fondation-scelles)\b"
)
MEMBER_IDS = {"amicale-du-nid", "fondation-scelles"}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SKIPPED = ("/-/", ".json", ".csv", ".atom", ".db", "/actualites.")


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    from monitor.serve import Secrets, build_datasette
    from tests.conftest import TESTS

    _, store = make_desk(tmp_path)
    datasette = build_datasette(  # with a configuration: the backlink report (/liens) needs one
        tmp_path / "veille.db",
        Secrets.load(tmp_path / "secrets.yml"),
        {},
        config_file=TESTS / "config" / "config.yml",
    )

    async def decisions() -> None:  # something in every list: a pick, a published one, a dismissal
        secretariat = await login(datasette, "secretariat")
        on_duty = await login(datasette, "amicale-du-nid")
        choose = {"story_id": "s1", "action": "choisir", "summary": "Quinze saisonniers libérés."}
        await decide(datasette, on_duty, "/tri/action", choose)
        await decide(datasette, secretariat, "/revue/action", {"pick_id": "1", "action": "accepter_publier"})
        await decide(datasette, secretariat, "/tri/action", {"story_id": "s2", "action": "ecarter"})

    run(decisions())
    return datasette, store


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def problems(path: str, page: str) -> list[str]:
    text = visible(page)
    found = [f"{path}: English « {w} »" for w in ENGLISH if w in text]
    found += [f"{path}: ISO date {d}" for d in ISO_DATE.findall(text)]
    cells = " ".join(re.findall(r"<(?:td|h1|dd)\b[^>]*>(.*?)</(?:td|h1|dd)>", page, re.S))
    codes = CODES.findall(visible(cells))
    if path.startswith("/veille/members"):  # the associations' table: its key is the id of members.yml
        codes = [c for c in codes if c not in MEMBER_IDS]
    found += [f"{path}: raw code {c}" for c in codes]
    return found


async def walk(datasette: Any, user: str | None) -> tuple[set[str], list[str]]:
    cookies = await login(datasette, user) if user else {}
    seen: set[str] = set()
    todo, found = ["/"], []
    while todo and len(seen) < MAX_PAGES:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = await datasette.client.get(path, cookies=cookies)
        if response.status_code != 200:
            found.append(f"{path}: linked, but answers {response.status_code}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        found += problems(path, response.text)
        for href in re.findall(r'href="(/[^"#?]*)"', response.text):
            if not href.startswith(SKIPPED) and not any(s in href for s in SKIPPED):
                todo.append(href)
    return seen, found


@pytest.mark.parametrize("user", [None, "amicale-du-nid", "fondation-scelles", "secretariat"])
def test_every_page_a_role_reaches_is_french_with_no_code_and_no_iso_date(
    desk: Any, user: str | None
) -> None:
    datasette, _ = desk
    seen, found = run(walk(datasette, user))
    assert len(seen) >= (5 if user is None else 15), seen
    assert found == [], "\n".join(found)
