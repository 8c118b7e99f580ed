"""Every page each role reaches by links from the home page (bounded), the links with a query string
included (sort, facet, filter, next page: at most QUERIES_PER_PAGE of each page), read as that role:
no English from Datasette's own strings, no raw status code in a cell or a title, no raw table or
column name where a person reads it, no ISO date, no SQL for an association, and no link to a page
the visitor may not open."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_triage import decide, login, make_desk, run

MAX_PAGES = 80
# The walk with query strings: every page without one, and that many of each page's variants.
MAX_WALK = 400
QUERIES_PER_PAGE = 6
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
    r"propose|signale|accepte|publie|refuse|secretariat|amicale-du-nid|fondation-scelles|le-monde)\b"
)
MEMBER_IDS = {"amicale-du-nid", "fondation-scelles"}
PLURAL_HEDGE = re.compile(r"\w\(s\)")  # « histoire(s) »: a count knows its plural
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SKIPPED = ("/-/", ".json", ".csv", ".atom", ".db", "/actualites.", "_fts_")  # _fts_: SQLite's index internals
# Where a person reads a table's or a column's name: headers, titles, facets, filters, crumbs.
NAMED = re.compile(
    r"<(th|h1|h2|h3|title|option|strong|dt|p class=\"crumbs\")\b[^>]*>(.*?)</(?:th|h1|h2|h3|title|option|strong|dt|p)>",
    re.S,
)
# What only the secretariat's technical work shows.
TECHNICAL = ("CREATE TABLE", "Requête SQL libre", "Voir et modifier le SQL", "Modifier le SQL", "Type : ")


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
    fill_every_table(store)
    return datasette, store


def fill_every_table(store: Any) -> None:
    """A row with codes and dates in each table a person reads: their facets, cells and row pages."""
    db = store.db
    db["sources"].insert({"id": "le-monde", "name": "Le Monde", "url": "https://example.org/rss", "kind": "feed",
                          "language": "fr", "origin": "config", "active": 1, "error_count": 0,
                          "last_fetch_at": "2026-12-01T02:00:00+00:00"})  # fmt: skip
    db["stories"].update("s1", {"week": "2026-11-23", "kind": "justice", "lang": "fr", "source_id": "le-monde",
                                "topics": '["travail_force"]', "last_seen": "2026-11-26T08:00:00+00:00"})  # fmt: skip
    db["articles"].insert({"id": "a1", "url": "https://example.org/a1", "title": "Des saisonniers libérés",
                           "story_id": "s1", "source_id": "le-monde", "lang": "fr", "kind": "justice",
                           "relevant": 1, "text_status": "new", "fetched_at": "2026-11-25T08:00:00+00:00"})  # fmt: skip
    run_id = (
        db["runs"]
        .insert({"kind": "links", "status": "ok", "started_at": "2026-12-01T02:00:00+00:00"})
        .last_pk
    )
    db["link_checks"].insert({"run_id": run_id, "member_id": "amicale-du-nid", "status": "linked_nofollow",
                              "mode": "static", "checked_at": "2026-12-01T02:05:00+00:00"})  # fmt: skip
    db["backlinks"].insert({"id": "b1", "member_id": "amicale-du-nid", "page_url": "https://example.org/partenaires",
                            "url": "https://www.contrelatraite.org/", "location": "footer", "visible": 1,
                            "first_seen": "2026-11-01T02:00:00+00:00", "last_seen": "2026-12-01T02:00:00+00:00"})  # fmt: skip
    db["link_events"].insert({"run_id": run_id, "member_id": "amicale-du-nid", "event": "became_nofollow",
                              "detail": "https://example.org/partenaires", "at": "2026-12-01T02:05:00+00:00"})  # fmt: skip
    night = store.start_night("2026-12-01T02:00:00+00:00")
    store.record_stages(
        night, [{"name": "actualités", "status": "failed", "counts": {}, "error": "RuntimeError: x"}]
    )
    store.finish_night(night, "failed", "2026-12-01T02:10:00+00:00")
    fill_a_site_audit(store)


def fill_a_site_audit(store: Any) -> None:
    """A stored audit of the Collectif's site (/audit): a stale page dated by its own date, a member not
    linked, a broken link — findings made by the audit's own judgement functions."""
    from datetime import date

    from monitor.site.model import Finding
    from monitor.site.page_checks import stale_findings

    page = {"url": "https://www.contrelatraite.org/archives", "final_url": None,
            "facts": {"dates": {"modified": "2019-03-01T10:00:00+00:00", "published": None}}}  # fmt: skip
    findings = [*stale_findings(page, date(2026, 12, 1), 365),
                Finding("member_not_linked", "amicale-du-nid", ("https://www.contrelatraite.org/",)),
                Finding("broken_external_link", "https://example.org/disparu", ("https://www.contrelatraite.org/",), "404")]  # fmt: skip
    run_id = store.start_run("site", "static")
    with store.db.atomic():
        store.save_audit(
            run_id, [{"url": page["url"], "status": 200}], findings, [], "2026-12-01T03:00:00+00:00"
        )
        store.finish_run(run_id, {"pages": 1, "findings": len(findings), "complete": True})


def visible(page: str) -> str:
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def raw_names(page: str, names: set[str]) -> list[str]:
    """Table and column names as stored (`last_seen`, `created_by`, `stories`) where a person reads them."""
    found = []
    for _, inner in NAMED.findall(page):
        words = re.findall(r"\w+", visible(inner))
        found += [w for w in words if w in names or ("_" in w and w.lower() == w)]
    return found


def problems(path: str, page: str, names: set[str] = frozenset(), technical: bool = True) -> list[str]:
    text = visible(page)
    # The secretariat's own SQL names its columns; SQLite's search-index tables are SQLite's.
    sql_work = technical and ("sql=" in path or "_fts" in path)
    found = [] if sql_work else [f"{path}: raw name « {w} »" for w in raw_names(page, set(names))]
    if not technical:
        found += [f"{path}: technical « {w} »" for w in TECHNICAL if w in text]
        found += [
            f"{path}: links to SQL" for h in re.findall(r'href="([^"]*)"', page) if re.search(r"[?&;]sql=", h)
        ]
    found += [f"{path}: English « {w} »" for w in ENGLISH if w in text]
    found += [f"{path}: « {m} »" for m in PLURAL_HEDGE.findall(text)]
    found += [f"{path}: ISO date {d}" for d in ISO_DATE.findall(text)]
    # Cells, titles, and the facets' lists (li): where a stored value is shown (a guide's lists are
    # prose, where « choisir » is a verb).
    tags = "td|h1|dd" if path.startswith("/aide") else "td|h1|dd|li"
    cells = " ".join(inner for _, inner in re.findall(rf"<({tags})\b[^>]*>(.*?)</\1>", page, re.S))
    codes = CODES.findall(visible(cells))
    if path.startswith("/veille/members"):  # the associations' table: its key is the id of members.yml
        codes = [c for c in codes if c not in MEMBER_IDS]
    if path.startswith("/veille/sources"):  # the sources' table: its key is the id of sources.yml
        codes = [c for c in codes if c != "le-monde"]
    found += [f"{path}: raw code {c}" for c in codes]
    return found


def stored_names(store: Any) -> set[str]:
    """Every table's and column's stored name that is not also a French word a page may show."""
    names = set(store.db.table_names())
    for table in store.db.tables:
        names |= {column.name for column in table.columns}
    return names - {"date", "page", "source", "action", "association", "type", "note", "id", "articles"}


def links(page: str, queries: bool) -> list[str]:
    """The page's links to the desk (with their query strings when `queries`)."""
    found = []
    for href in re.findall(r'href="(/[^"#]*)', page):
        href = html.unescape(href)
        if any(s in href.split("?")[0] for s in SKIPPED) or ("?" in href and not queries):
            continue
        found.append(href)
    return found


async def walk(
    datasette: Any, user: str | None, queries: bool = False, names: set[str] = frozenset()
) -> tuple[set[str], list[str]]:
    cookies = await login(datasette, user) if user else {}
    seen: set[str] = set()
    variants: dict[str, int] = {}
    todo, found = ["/"], []
    while todo and len(seen) < (MAX_WALK if queries else MAX_PAGES):
        path = todo.pop(0)
        base = path.split("?")[0]
        if path in seen or ("?" in path and variants.get(base, 0) >= QUERIES_PER_PAGE):
            continue
        seen.add(path)
        if "?" in path:
            variants[base] = variants.get(base, 0) + 1
        response = await datasette.client.get(path, cookies=cookies)
        if response.status_code != 200:
            found.append(f"{path}: linked, but answers {response.status_code}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        found += problems(path, response.text, names, technical=user == "secretariat")
        todo += links(response.text, queries)
    return seen, found


@pytest.mark.parametrize("user", [None, "amicale-du-nid", "fondation-scelles", "secretariat"])
def test_every_page_a_role_reaches_is_french_with_no_code_and_no_iso_date(
    desk: Any, user: str | None
) -> None:
    datasette, store = desk
    seen, found = run(walk(datasette, user, names=stored_names(store)))
    assert len(seen) >= (5 if user is None else 15), seen
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("user", [None, "amicale-du-nid", "fondation-scelles", "secretariat"])
def test_the_links_with_a_query_string_sort_facet_filter_too(desk: Any, user: str | None) -> None:
    """The same walk, following the sort, facet, filter and page links too (bounded)."""
    datasette, store = desk
    seen, found = run(walk(datasette, user, queries=True, names=stored_names(store)))
    assert len([p for p in seen if "?" in p]) >= (0 if user is None else 20), sorted(seen)
    assert found == [], "\n".join(found)
