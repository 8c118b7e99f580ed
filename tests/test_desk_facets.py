"""The stories table's search: its facets computed in one pass (plugins/veille_facets.py), the same
counts, values, order, labels and links as Datasette's own facet queries from one query over the rows
instead of five; its row count read from the full-text index (monitor/desk/search_count.py), the same
number as Datasette's count over the table."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from datasette.tracer import capture_traces

from monitor.desk.search_count import fts_side_count
from tests.test_triage import login, make_desk, run

BUILT_IN_FACETS = ["source_id", {"array": "topics"}, "kind", "lang", "week"]
PAGES = [
    "/veille/stories.json",
    "/veille/stories.json?_search=reseau",
    "/veille/stories.json?_search=reseau+lyon",
    "/veille/stories.json?_search=reseau&kind=justice",
    "/veille/stories.json?_search=reseau&topics__arraycontains=traite",
    "/veille/stories.json?_search=reseau&_facet_size=2",
    "/veille/stories.json?_search=absent",
    "/veille/stories.json?_search=reseau&_facet=relevant",
]


def add_stories(store: Any) -> None:
    """Forty stories over three sources, with missing values, repeated and empty topic arrays."""
    store.db["sources"].insert_all(
        [{"id": f"src-{n}", "name": f"Journal {n}", "kind": "feed"} for n in range(3)], pk="id"
    )
    topics = ['["traite", "travail_force"]', '["traite", "traite"]', "[]", None, '["prostitution"]']
    store.db["stories"].insert_all(
        {
            "id": f"t{n}",
            "title": f"Réseau démantelé {'à Lyon' if n % 3 == 0 else 'à Paris'} numéro {n}",
            "summary": "Une enquête.",
            "score": float(n % 7),
            "relevant": n % 2,
            "source_id": f"src-{n % 3}" if n % 5 else None,
            "kind": ["justice", "temoignage", None][n % 3],
            "lang": "fr" if n % 4 else "en",
            "week": f"2026-11-{2 + 7 * (n % 4):02d}",
            "topics": topics[n % len(topics)],
        }
        for n in range(40)
    )


def facets_and_count(datasette: Any, cookies: dict[str, str], page: str) -> Any:
    async def fetch() -> Any:
        data = (await datasette.client.get(page, cookies=cookies)).json()
        return data["filtered_table_rows_count"], data["facet_results"]

    return run(fetch())


def test_single_pass_facets_match_datasettes_own(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path / "one")
    add_stories(store)
    built_in, _ = make_desk(tmp_path / "many")
    built_in._metadata_local = copy.deepcopy(built_in._metadata_local)
    built_in._metadata_local["databases"]["veille"]["tables"]["stories"]["facets"] = BUILT_IN_FACETS
    built_in.databases["veille"].path = str(tmp_path / "one" / "veille.db")  # the same rows
    cookies = run(login(datasette, "secretariat"))
    other_cookies = run(login(built_in, "secretariat"))
    for page in PAGES:
        ours = facets_and_count(datasette, cookies, page)
        theirs = facets_and_count(built_in, other_cookies, page)
        assert ours == theirs, page
    count, facets = facets_and_count(datasette, cookies, "/veille/stories.json?_search=reseau")
    assert count == 41 and set(facets) == {"source_id", "topics", "kind", "lang", "week"}
    assert [(v["value"], v["count"]) for v in facets["topics"]["results"]] == [
        ("traite", 16),  # counted once in a story whose array names it twice
        ("prostitution", 8),
        ("travail_force", 8),
    ]
    assert [(v["label"], v["count"]) for v in facets["source_id"]["results"]] == [
        ("Journal 0", 11),  # the source's name, as Datasette labels a foreign key
        ("Journal 1", 11),
        ("Journal 2", 10),
    ]
    _, asked = facets_and_count(datasette, cookies, "/veille/stories.json?_search=reseau&_facet=relevant")
    assert asked["relevant"]["type"] == "column"  # a facet asked for in the address still works


def test_the_five_facets_read_the_searched_stories_once(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path)
    add_stories(store)
    cookies = run(login(datasette, "secretariat"))

    async def facet_queries() -> list[str]:
        traces: list[dict[str, Any]] = []
        with capture_traces(traces):
            response = await datasette.client.get("/veille/stories?_search=reseau", cookies=cookies)
        assert response.status_code == 200
        return [t["sql"] for t in traces if "stories_fts" in (t.get("sql") or "") and "group by" in t["sql"]]

    queries = run(facet_queries())
    assert len(queries) == 1, queries
    assert "materialized" in queries[0]


def test_a_search_alone_is_counted_on_the_index_side() -> None:
    tables = {"stories": "stories_fts"}
    searched = "select rowid from stories_fts where stories_fts match escape_fts(:search)"
    assert fts_side_count(f"select count(*) from stories where rowid in ({searched}) ", tables) == (
        "select count(*) from stories_fts where stories_fts match escape_fts(:search)"
    )
    for other in (
        f"select count(*) from stories where rowid in ({searched}) and kind = :p0 ",  # another filter
        f"select count(*) from articles where rowid in ({searched}) ",
        "select count(*) from stories where rowid in (select rowid from stories_fts where title match :search)",
        "select count(*) from stories ",
    ):
        assert fts_side_count(other, tables) is None, other


def test_the_index_side_count_is_the_tables_after_stories_change(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path)
    add_stories(store)
    # A night regroups: stories updated (upsert), one merged into another (deleted).
    stories = [
        dict(row, title=f"Réseau démantelé, mise à jour {row['id']}") for row in store.db["stories"].rows
    ]
    store.save_articles(stories[:10], [], [], [])
    store.move_story("t3", "t4")
    cookies = run(login(datasette, "secretariat"))

    async def counted(search: str) -> tuple[int, list[str]]:
        traces: list[dict[str, Any]] = []
        with capture_traces(traces):
            data = (
                await datasette.client.get(f"/veille/stories.json?_search={search}", cookies=cookies)
            ).json()
        counts = [t["sql"] for t in traces if (t.get("sql") or "").startswith("select count(*)")]
        return data["filtered_table_rows_count"], counts

    for search in ("reseau", "mise+jour", "lyon", "t3", "absent"):
        count, queries = run(counted(search))
        words = " ".join(f'"{w}"' for w in search.split("+"))
        in_table = store.db.execute(
            "select count(*) from stories where rowid in"
            " (select rowid from stories_fts where stories_fts match ?)",
            [words],
        ).fetchone()[0]
        assert count == in_table, search
        assert queries == ["select count(*) from stories_fts where stories_fts match escape_fts(:search)"]
    assert run(counted("mise+jour"))[0] == 9  # t3 was merged away


def test_the_desk_reads_through_a_64_mb_page_cache(tmp_path: Path) -> None:
    datasette, _ = make_desk(tmp_path)

    async def cache_size() -> int:
        return (await datasette.get_database("veille").execute("PRAGMA cache_size")).rows[0][0]

    assert run(cache_size()) == -65536  # KiB: a search's ~12,000 table pages stay in SQLite's cache
