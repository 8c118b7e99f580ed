"""The stories table's search: its facets computed in one pass (plugins/veille_facets.py), the same
counts, values, order, labels and links as Datasette's own facet queries from one query over the rows
instead of five; its row count read from the full-text index (monitor/desk/database.py), the same
number as Datasette's count over the table; its page and facets read from `story_index` (migration
m017, monitor/desk/story_index.py), the same rows in the same order as Datasette's own queries."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from datasette.database import Database
from datasette.tracer import capture_traces

from monitor.desk.database import DeskDatabase, fts_side_count
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


def datasettes_own(tmp_path: Path, store_path: str) -> Any:
    """A desk on the same file, with Datasette's own facet types and database (no rewritten query)."""
    built_in, _ = make_desk(tmp_path)
    built_in._metadata_local = copy.deepcopy(built_in._metadata_local)
    built_in._metadata_local["databases"]["veille"]["tables"]["stories"]["facets"] = BUILT_IN_FACETS
    built_in.remove_database("veille")
    built_in.add_database(Database(built_in, store_path, is_mutable=True), name="veille")
    return built_in


def desk_and_datasettes_own(tmp_path: Path) -> tuple[Any, Any, dict[str, str], Any, dict[str, str]]:
    """(desk, its store, cookies, a desk of Datasette's own on the same file, its cookies): forty
    stories in it, the secretariat logged in to both."""
    datasette, store = make_desk(tmp_path / "one")
    add_stories(store)
    built_in = datasettes_own(tmp_path / "many", str(tmp_path / "one" / "veille.db"))
    cookies = run(login(datasette, "secretariat"))
    return datasette, store, cookies, built_in, run(login(built_in, "secretariat"))


def facets_and_count(datasette: Any, cookies: dict[str, str], page: str) -> Any:
    async def fetch() -> Any:
        data = (await datasette.client.get(page, cookies=cookies)).json()
        return data["filtered_table_rows_count"], data["facet_results"]

    return run(fetch())


def test_single_pass_facets_match_datasettes_own(tmp_path: Path) -> None:
    datasette, _, cookies, built_in, other_cookies = desk_and_datasettes_own(tmp_path)
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


def searched_queries(tmp_path: Path) -> list[str]:
    """The SQL the stories table's search runs against the full-text index, its spaces collapsed."""
    datasette, store = make_desk(tmp_path)
    add_stories(store)
    cookies = run(login(datasette, "secretariat"))

    async def traced() -> list[str]:
        traces: list[dict[str, Any]] = []
        with capture_traces(traces):
            response = await datasette.client.get("/veille/stories?_search=reseau", cookies=cookies)
        assert response.status_code == 200
        return [" ".join(t["sql"].split()) for t in traces if "stories_fts" in (t.get("sql") or "")]

    return run(traced())


def without_story_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk as when its copy of the stories in memory cannot answer (story_memory.py): the SQL."""

    async def no_answer(*args: Any) -> None:
        return None

    monkeypatch.setattr(DeskDatabase, "in_memory", no_answer)


def test_the_five_facets_read_the_searched_stories_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_story_memory(monkeypatch)
    queries = [sql for sql in searched_queries(tmp_path) if "group by" in sql]
    assert len(queries) == 1, queries
    assert "materialized" in queries[0]


def test_a_search_alone_is_counted_on_the_index_side() -> None:
    tables = {"stories": "stories_fts"}
    searched = "select rowid from stories_fts where stories_fts match escape_fts(:search)"
    assert fts_side_count(f"select count(*) from stories where rowid in ({searched}) ", tables) == (
        "stories",
        "select count(*) from stories_fts where stories_fts match escape_fts(:search)",
    )
    for other in (
        f"select count(*) from stories where rowid in ({searched}) and kind = :p0 ",  # another filter
        f"select count(*) from articles where rowid in ({searched}) ",
        "select count(*) from stories where rowid in (select rowid from stories_fts where title match :search)",
        "select count(*) from stories ",
    ):
        assert fts_side_count(other, tables) is None, other


def test_the_index_side_count_is_the_tables_after_stories_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_story_memory(monkeypatch)
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


def test_the_desk_keeps_sqlites_default_page_cache_and_hides_story_index(tmp_path: Path) -> None:
    datasette, _ = make_desk(tmp_path)
    cookies = run(login(datasette, "secretariat"))

    async def cache_size_and_status() -> tuple[int, int]:
        size = (await datasette.get_database("veille").execute("PRAGMA cache_size")).rows[0][0]
        response = await datasette.client.get("/veille/story_index", cookies=cookies)
        return size, response.status_code

    # 2 MB per connection: the 64 MB cache the search once needed tripled the desk's peak memory.
    assert run(cache_size_and_status()) == (-2000, 403)


def change_stories(store: Any) -> None:
    """A night regroups: stories updated (upsert), one merged into another (deleted), one added."""
    stories = [
        dict(row, title=f"Réseau démantelé, mise à jour {row['id']}", score=float(row["score"] or 0) + 1)
        for row in store.db["stories"].rows
    ]
    store.save_articles(stories[:10], [], [], [])
    store.move_story("t3", "t4")
    store.db["stories"].insert({"id": "t99", "title": "Réseau nouveau", "score": 3.0, "kind": "justice"})


def test_the_pages_show_every_story_once_in_the_order_of_datasettes_next_pages(tmp_path: Path) -> None:
    """Datasette's next pages order equal scores by the key (`score desc, id`); its first page gave
    them in SQLite's order, so paging showed a story twice and skipped another (page_order.py)."""
    datasette, store = make_desk(tmp_path)
    add_stories(store)  # scores 0–6 over 40 stories: many equal scores, at page boundaries too
    change_stories(store)
    cookies = run(login(datasette, "secretariat"))

    async def walk(page: str) -> list[str]:
        shown: list[str] = []
        while page:
            data = (await datasette.client.get(page, cookies=cookies)).json()
            at = data["columns"].index("id")
            shown += [row[at] for row in data["rows"]]
            page = data["next_url"] and "/veille/" + data["next_url"].split("/veille/", 1)[1]
        return shown

    searched = "rowid in (select rowid from stories_fts where stories_fts match 'reseau')"
    for page, where in [
        ("/veille/stories.json?_size=5", "1"),
        ("/veille/stories.json?_size=7", "1"),
        ("/veille/stories.json?_search=reseau&_size=5", searched),
        ("/veille/stories.json?_search=reseau&kind=justice&_size=3", f"{searched} and kind = 'justice'"),
    ]:
        expected = [
            r[0] for r in store.db.execute(f"select id from stories where {where} order by score desc, id")
        ]
        assert run(walk(page)) == expected and len(expected) > 10, page

    async def next_page_sql() -> list[str]:
        traces: list[dict[str, Any]] = []
        first = (
            await datasette.client.get("/veille/stories.json?_search=reseau&_size=5", cookies=cookies)
        ).json()
        with capture_traces(traces):
            await datasette.client.get(
                f"/veille/stories.json?_search=reseau&_size=5&_next={first['next']}", cookies=cookies
            )
        return [" ".join(t["sql"].split()) for t in traces if "story_index" in (t.get("sql") or "")]

    [chosen] = [sql for sql in run(next_page_sql()) if "order by" in sql]
    assert "and (score < :p" in chosen and "((id > :p" in chosen  # the next page, chosen in story_index
    first = run(walk("/veille/stories.json?_search=reseau&_size=5&_nofacet=1"))[:5]
    assert first == ["s1", "s2", "t6", "t13", "t20"]  # 9, 8, 7, then t13 and t20 of the five at 6


def test_the_searched_page_and_facets_read_the_narrow_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_story_memory(monkeypatch)
    page, count, facets = searched_queries(tmp_path)
    assert "from story_index where story_rowid in" in page and "order by score desc, id limit 21" in page
    assert count.startswith("select count(*) from stories_fts")
    assert "from story_index where story_rowid in" in facets


def test_story_index_follows_the_stories(tmp_path: Path) -> None:
    _, store = make_desk(tmp_path)
    add_stories(store)
    change_stories(store)
    store.db.execute("UPDATE stories SET kind = 'enquete', topics = '[\"traite\"]' WHERE id = 't7'")
    columns = "score, source_id, topics, kind, lang, week, id"
    copy_ = store.db.execute(f"select story_rowid, {columns} from story_index order by 1").fetchall()
    wide = store.db.execute(f"select rowid, {columns} from stories order by 1").fetchall()
    assert copy_ == wide and len(wide) == 42  # s1, s2, t0–t39, t99, not t3
    assert ("enquete", '["traite"]') in [(row[4], row[3]) for row in copy_]


def test_the_unsearched_page_reads_stories_by_the_score_index(tmp_path: Path) -> None:
    _, store = make_desk(tmp_path)
    add_stories(store)
    by_index = store.db.execute("select id from stories order by score desc").fetchall()
    sorted_ = store.db.execute("select id from stories order by +score desc").fetchall()  # no index
    assert by_index == sorted_  # equal scores in rowid order, as SQLite's sort gives them
    plan = store.db.execute(
        "explain query plan select id from stories order by score desc limit 51"
    ).fetchall()
    assert [row[-1] for row in plan] == ["SCAN stories USING INDEX idx_stories_score"]


def test_the_articles_page_reads_them_by_the_fetch_index(tmp_path: Path) -> None:
    _, store = make_desk(tmp_path)
    sql = "select id, title from articles order by fetched_at desc, id limit 51"  # page_order.py
    plan = store.db.execute(f"explain query plan {sql}").fetchall()
    assert [row[-1] for row in plan] == ["SCAN articles USING INDEX idx_articles_fetched_at"]
