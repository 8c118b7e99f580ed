"""The stories' first searched page and facets counted from a copy of `story_index` in memory
(monitor/desk/story_memory.py): the same rows, order, values and counts as Datasette's own queries,
read again after every write of the stories (migration m021's version), and the SQL when the copy
cannot answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from datasette.tracer import capture_traces

from monitor.desk import story_memory
from monitor.desk.database import DeskDatabase
from monitor.desk.story_memory import build
from tests.test_desk_facets import (
    PAGES,
    change_stories,
    desk_and_datasettes_own,
    facets_and_count,
)
from tests.test_triage import run

FACETS = [("column", "source_id"), ("array", "topics"), ("column", "kind")]


def story(rowid: int, source: str | None, topics: str | None) -> tuple[Any, ...]:
    return (rowid, source, topics, "justice", "fr", "2026-11-02")


def test_the_first_page_takes_the_stories_in_sqlites_order() -> None:
    rows = [story(1, None, None), story(2, "s1", "[]"), story(3, "s2", None), story(5, "s1", None)]
    arrays = build(7, rows, [(3,), (5,), (2,), (1,)])  # as `order by score desc, id` gave them
    assert arrays is not None and arrays.version == 7
    everything = np.arange(4)
    assert arrays.first_page(everything, 10) == [3, 5, 2, 1]
    assert arrays.first_page(everything, 2) == [3, 5]
    assert arrays.first_page(np.array([0, 1]), 1) == [2]
    assert arrays.first_page(np.array([], dtype=np.int64), 5) == []


def test_facets_count_each_item_once_a_story_and_skip_the_missing_values() -> None:
    rows = [
        story(1, "s1", '["traite", "traite", "travail"]'),
        story(2, "s2", '["travail"]'),
        story(3, None, None),
        story(4, "s2", "[]"),
    ]
    arrays = build(1, rows, [(1,), (2,), (3,), (4,)])
    assert arrays is not None
    rows_ = arrays.facet_rows(np.arange(4), FACETS, 31)
    assert [(r["facet"], r["value"], r["count"]) for r in rows_] == [
        (0, "s2", 2),  # by count, then value
        (0, "s1", 1),
        (1, "travail", 2),
        (1, "traite", 1),  # twice in one story: once
        (2, "justice", 4),
    ]
    assert [r["value"] for r in arrays.facet_rows(np.array([0, 1]), FACETS, 1)] == [
        "s1",
        "travail",
        "justice",
    ]


def test_the_places_of_rowids_the_copy_lacks_are_refused() -> None:
    arrays = build(1, [story(2, None, None), story(4, None, None)], [(4,), (2,)])
    assert arrays is not None
    assert arrays.positions(np.array([4, 2])).tolist() == [1, 0]
    assert arrays.positions(np.array([3])) is None
    assert arrays.positions(np.array([9])) is None


def test_values_sqlite_counts_otherwise_leave_no_arrays() -> None:
    deep = "[" * 1500 + "]" * 1500  # JSON that SQLite reads and Python cannot (RecursionError)
    lone = '["\\ud800"]'  # an escape JSON allows and UTF-8 cannot carry
    for topics in ('{"not": "an array"}', "[1]", "pas du JSON", deep, '["a\\u0000b"]', lone):
        assert build(1, [story(1, None, topics)], [(1,)]) is None, topics
    assert build(1, [(1, 3, None, "justice", "fr", "w")], [(1,)]) is None  # a number as source
    assert build(1, [(1, None, None, b"ju", "fr", "w")], [(1,)]) is None  # a blob
    assert build(1, [(1, "s\ufffd", None, "ju", "fr", "w")], [(1,)]) is None  # bytes that were not UTF-8


def searched(datasette: Any, cookies: dict[str, str], page: str) -> tuple[list[str], list[str]]:
    """(the ids of the page, the SQL it ran against story_index or in memory)."""

    async def fetch() -> tuple[list[str], list[str]]:
        traces: list[dict[str, Any]] = []
        with capture_traces(traces):
            data = (await datasette.client.get(page, cookies=cookies)).json()
        at = data["columns"].index("id")
        queries = [t["sql"] for t in traces if "story_index" in t["sql"] or "in memory" in t["sql"]]
        return [row[at] for row in data["rows"]], queries

    return run(fetch())


def read_copy(datasette: Any, cookies: dict[str, str]) -> None:
    """Ask a search (answered by the SQL while the copy is out of date), then wait for the copy it read."""
    searched(datasette, cookies, "/veille/stories.json?_search=reseau")
    datasette.get_database("veille").story_memory.wait()


def in_sqlite(store: Any, limit: int) -> list[str]:
    """The first page of the search « reseau » in the desk's order (`score desc, id`), asked of SQLite."""
    searched = "rowid in (select rowid from stories_fts where stories_fts match 'reseau')"
    sql = f"select id from stories where {searched} order by score desc, id limit {limit}"
    return [row[0] for row in store.db.execute(sql)]


def test_the_memory_answers_as_datasette_and_follows_every_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(story_memory, "REREAD_AFTER_S", 0.0)  # each write read at the next search
    datasette, store, cookies, built_in, other_cookies = desk_and_datasettes_own(tmp_path)
    page = "/veille/stories.json?_search=reseau&_size=7"
    writes = [
        lambda: change_stories(store),  # updates, a merge (delete) and an insert
        lambda: store.db.execute("UPDATE stories SET score = 100, topics = '[\"nouveau\"]' WHERE id = 't5'"),
        lambda: store.db.execute("UPDATE stories SET title = 'Réseau de Nantes' WHERE id = 't30'"),
        lambda: None,
    ]
    for round_, write in enumerate(writes):
        before = store.db.execute("select writes from stories_version").fetchone()[0]
        assert searched(datasette, cookies, page)[0] == in_sqlite(store, 7)  # the SQL, the copy out of date
        read_copy(datasette, cookies)
        ids, queries = searched(datasette, cookies, page)
        assert ids == in_sqlite(store, 7) and len(ids) == 7, round_
        assert all("in memory" in sql for sql in queries) and len(queries) == 3, (
            queries
        )  # page, count, facets
        for each in [*PAGES, "/veille/stories.json", "/veille/stories.json?_size=3"]:
            assert facets_and_count(datasette, cookies, each) == facets_and_count(
                built_in, other_cookies, each
            )
        write()
        after = store.db.execute("select writes from stories_version").fetchone()[0]
        assert after > before or round_ == 3, round_
    assert searched(datasette, cookies, page)[0][0] == "t5"  # the score written in round 1


def test_scores_of_any_kind_come_in_sqlites_order(tmp_path: Path) -> None:
    datasette, store, cookies, _, _ = desk_and_datasettes_own(tmp_path)
    store.db.execute("UPDATE stories SET score = 'haut' WHERE id = 't8'")  # text sorts above numbers
    store.db.execute("UPDATE stories SET score = NULL WHERE id = 't6'")  # null below them
    read_copy(datasette, cookies)
    ids, queries = searched(datasette, cookies, "/veille/stories.json?_search=reseau&_size=50")
    assert ids == in_sqlite(store, 50) and ids[0] == "t8" and ids[-1] == "t6"
    assert queries and all("in memory" in sql for sql in queries)


def test_stories_the_memory_cannot_hold_are_answered_by_the_sql(tmp_path: Path) -> None:
    datasette, store, cookies, built_in, other_cookies = desk_and_datasettes_own(tmp_path)
    store.db.execute("UPDATE stories SET kind = x'6a75' WHERE id = 't8'")  # a blob
    store.db.execute("UPDATE stories SET topics = ? WHERE id = 't9'", ["[" * 1500 + "]" * 1500])
    read_copy(datasette, cookies)
    page = "/veille/stories.json?_search=reseau&_size=5"
    ids, queries = searched(datasette, cookies, page)
    assert ids == in_sqlite(store, 5)
    assert any("from story_index" in sql for sql in queries)
    assert not any("in memory" in sql for sql in queries)  # the trace says the copy did not answer
    assert facets_and_count(datasette, cookies, page) == facets_and_count(built_in, other_cookies, page)


def test_a_copy_out_of_date_is_read_again_at_most_every_ten_seconds(tmp_path: Path) -> None:
    datasette, store, cookies, _, _ = desk_and_datasettes_own(tmp_path)
    read_copy(datasette, cookies)
    page = "/veille/stories.json?_search=reseau&_size=7"
    assert all("in memory" in sql for sql in searched(datasette, cookies, page)[1])
    memory = datasette.get_database("veille").story_memory
    reader = memory._reader
    for score in (100, 101, 102):
        store.db.execute("UPDATE stories SET score = ? WHERE id = 't5'", [score])
        ids, queries = searched(datasette, cookies, page)  # just read: the SQL answers, with the new score
        assert ids == in_sqlite(store, 7) and ids[0] == "t5"
        assert any("from story_index" in sql for sql in queries)
    assert memory._reader is reader  # no reading started


def test_a_search_past_its_time_limit_leaves_no_snapshot_open(tmp_path: Path) -> None:
    """The desk's read connection must leave its snapshot even when the search is interrupted, or it
    would show the data of that moment for good."""
    datasette, store, cookies, _, _ = desk_and_datasettes_own(tmp_path)
    read_copy(datasette, cookies)
    memory = datasette.get_database("veille").story_memory
    path = datasette.get_database("veille").path
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000000) select max(i) from n"
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        memory.matches(reader, "une recherche jamais faite", slow, 5)
    assert not reader.in_transaction
    store.db.execute("UPDATE stories SET score = 100 WHERE id = 't5'")
    version = reader.execute(story_memory.VERSION_SQL).fetchone()
    assert version == store.db.execute(story_memory.VERSION_SQL).fetchone()


def test_the_matches_kept_are_those_of_the_current_version_and_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(story_memory, "SEARCHES_KEPT", 3)
    datasette, store, cookies, _, _ = desk_and_datasettes_own(tmp_path)
    read_copy(datasette, cookies)
    memory = datasette.get_database("veille").story_memory
    for word in ("reseau", "lyon", "paris", "numero", "absent", "enquete"):
        searched(datasette, cookies, f"/veille/stories.json?_search={word}")
    assert list(memory._matched) == ["numero", "absent", "enquete"]
    store.db.execute("UPDATE stories SET score = 100 WHERE id = 't5'")
    monkeypatch.setattr(story_memory, "REREAD_AFTER_S", 0.0)
    read_copy(datasette, cookies)
    searched(datasette, cookies, "/veille/stories.json?_search=lyon")
    assert "lyon" in memory._matched and set(memory._matched) <= {"reseau", "lyon"}  # none of before


def test_only_the_stories_count_is_counted_in_memory(tmp_path: Path) -> None:
    datasette, store, cookies, _, _ = desk_and_datasettes_own(tmp_path)
    store.db["articles"].insert_all(
        [
            {"id": f"a{n}", "url": f"https://x/{n}", "title": "reseau", "summary": "", "text": ""}
            for n in range(3)
        ]
    )
    store.index_articles_after(0)
    path = datasette.get_database("veille").path
    datasette.remove_database("veille")
    tables = {"stories": "stories_fts", "articles": "articles_fts"}
    datasette.add_database(DeskDatabase(datasette, path, tables), name="veille")
    read_copy(datasette, cookies)
    data = run(datasette.client.get("/veille/articles.json?_search=reseau", cookies=cookies)).json()
    assert data["filtered_table_rows_count"] == len(data["rows"]) == 3


def test_the_stories_memory_stays_hidden(tmp_path: Path) -> None:
    datasette, _, cookies, _, _ = desk_and_datasettes_own(tmp_path)
    response = run(datasette.client.get("/veille/stories_version.json", cookies=cookies))
    assert response.status_code == 403


def test_the_version_moves_with_the_index_the_searched_text_and_the_schema(tmp_path: Path) -> None:
    _, store, _, _, _ = desk_and_datasettes_own(tmp_path)

    def version() -> tuple[int, int]:
        return tuple(store.db.execute(story_memory.VERSION_SQL).fetchone())

    before = version()
    store.db.execute("UPDATE story_index SET score = 3 WHERE id = 't1'")  # the copy written directly
    after_index = version()
    store.db.execute("UPDATE stories SET title = 'Réseau' WHERE id = 't2'")  # the searched text
    after_title = version()
    store.db.execute("UPDATE stories SET last_seen = '2026-12-01' WHERE id = 't2'")  # neither
    store.db.execute("CREATE INDEX idx_test ON stories (lang)")  # the schema
    assert before[0] < after_index[0] < after_title[0] == version()[0]
    assert version()[1] > after_title[1]


def readings(monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> list[int]:
    """The readings of the copy, counted (each one failing if `fail`)."""
    done: list[int] = []
    real = story_memory.read_arrays

    def counted(connection: sqlite3.Connection) -> Any:
        done.append(1)
        if fail:
            raise sqlite3.DatabaseError("disque illisible")
        return real(connection)

    monkeypatch.setattr(story_memory, "read_arrays", counted)
    return done


def test_a_copy_that_cannot_be_held_is_not_read_again_before_the_stories_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(story_memory, "REREAD_AFTER_S", 0.0)
    datasette, store, cookies, built_in, other_cookies = desk_and_datasettes_own(tmp_path)
    store.db.execute("UPDATE stories SET topics = ? WHERE id = 't9'", ['["\\ud800"]'])  # a lone surrogate
    done = readings(monkeypatch)
    page = "/veille/stories.json?_search=reseau&_size=5"
    for _ in range(3):
        read_copy(datasette, cookies)
        assert facets_and_count(datasette, cookies, page) == facets_and_count(built_in, other_cookies, page)
    assert len(done) == 1 and "copy of the stories not held" in caplog.text
    store.db.execute("UPDATE stories SET score = 100 WHERE id = 't5'")
    read_copy(datasette, cookies)
    read_copy(datasette, cookies)
    assert len(done) == 2  # once a version


def test_a_failed_reading_is_logged_and_the_sql_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(story_memory, "REREAD_AFTER_S", 0.0)
    datasette, store, cookies, _, _ = desk_and_datasettes_own(tmp_path)
    done = readings(monkeypatch, fail=True)
    for _ in range(3):
        read_copy(datasette, cookies)
    ids, queries = searched(datasette, cookies, "/veille/stories.json?_search=reseau&_size=5")
    assert ids == in_sqlite(store, 5) and any("from story_index" in sql for sql in queries)
    assert len(done) == 1 and "copy of the stories not read" in caplog.text


def test_text_that_is_not_utf8_is_left_to_the_sql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(story_memory, "REREAD_AFTER_S", 0.0)
    datasette, store, cookies, built_in, other_cookies = desk_and_datasettes_own(tmp_path)
    store.db.execute("UPDATE stories SET kind = CAST(x'ff' AS TEXT) WHERE id = 't4'")
    read_copy(datasette, cookies)
    page = "/veille/stories.json?_search=reseau&_size=5"
    assert facets_and_count(datasette, cookies, page) == facets_and_count(built_in, other_cookies, page)
    assert datasette.get_database("veille").story_memory.arrays is None
    assert "copy of the stories not read" in caplog.text
