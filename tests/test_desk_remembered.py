"""The stories search's facets, count and page rowids remembered while the database is unchanged
(monitor/desk/remembered.py): answered again without SQLite, and forgotten the moment another
connection commits, so that the desk never shows an answer older than the data."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from monitor.desk import remembered as remembered_module
from monitor.desk.remembered import ANSWERS_PER_THREAD, RememberedAnswers
from tests.test_desk_facets import (
    add_stories,
    desk_and_datasettes_own,
    facets_and_count,
    without_story_memory,
)
from tests.test_triage import login, make_desk, run

COUNT = "select count(*) from t where kind = :kind"


def two_connections(tmp_path: Path) -> tuple[sqlite3.Connection, sqlite3.Connection]:
    path = tmp_path / "db.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (kind TEXT)")
    writer.execute("INSERT INTO t VALUES ('a'), ('a'), ('b')")
    return sqlite3.connect(path, isolation_level=None), writer


def test_an_answer_is_remembered_until_another_connection_commits(tmp_path: Path) -> None:
    reader, writer = two_connections(tmp_path)
    remembered = RememberedAnswers()
    first = remembered.answer(reader, COUNT, {"kind": "a"}, 1000)
    assert first.rows[0][0] == 2
    assert remembered.answer(reader, COUNT, {"kind": "a"}, 1000) is first  # not asked again
    assert remembered.answer(reader, COUNT, {"kind": "b"}, 1000).rows[0][0] == 1  # other parameters
    writer.execute("INSERT INTO t VALUES ('a')")
    again = remembered.answer(reader, COUNT, {"kind": "a"}, 1000)
    assert again is not first and again.rows[0][0] == 3


def test_a_new_connection_starts_afresh_and_the_memory_is_bounded(tmp_path: Path) -> None:
    reader, _ = two_connections(tmp_path)
    remembered = RememberedAnswers()
    first = remembered.answer(reader, COUNT, {"kind": "a"}, 1000)
    other = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    assert remembered.answer(other, COUNT, {"kind": "a"}, 1000) is not first
    for n in range(ANSWERS_PER_THREAD + 5):
        remembered.answer(other, COUNT, {"kind": f"k{n}"}, 1000)
    assert len(remembered.answers) == ANSWERS_PER_THREAD


def search_page(datasette: Any, cookies: dict[str, str], page: str) -> tuple[list[str], Any, Any]:
    async def fetch() -> tuple[list[str], Any, Any]:
        data = (await datasette.client.get(page, cookies=cookies)).json()
        at = data["columns"].index("id")
        ids = [row[at] for row in data["rows"]]
        return ids, data["filtered_table_rows_count"], data["facet_results"]

    return run(fetch())


def test_the_desk_shows_a_nights_changes_at_once(tmp_path: Path) -> None:
    datasette, store, cookies, built_in, other_cookies = desk_and_datasettes_own(tmp_path)
    page = "/veille/stories.json?_search=reseau&_size=5"
    before = search_page(datasette, cookies, page)
    assert search_page(datasette, cookies, page) == before
    assert before[:2] == (["s2", "t13", "t20", "t27", "t34"], 41)
    # The night's process (another connection) commits: a new story first by score, another's type.
    store.db["stories"].insert({"id": "t100", "title": "Réseau encore", "score": 9.5, "kind": "justice"})
    store.db["stories"].update("t6", {"kind": "enquete"})
    after = search_page(datasette, cookies, page)
    assert after[:2] == (["t100", "s2", "t13", "t20", "t27"], 42)
    assert facets_and_count(datasette, cookies, page) == facets_and_count(built_in, other_cookies, page)


def test_a_search_asked_again_runs_no_query_over_its_matches(tmp_path: Path, monkeypatch: Any) -> None:
    datasette, store = make_desk(tmp_path)
    add_stories(store)
    datasette.executor = None  # one read connection: which thread answers is no longer chance
    cookies = run(login(datasette, "secretariat"))
    asked: list[str] = []
    real_time_limit = remembered_module.sqlite_timelimit

    def counting_time_limit(connection: Any, ms: int) -> Any:
        asked.append(ms)
        return real_time_limit(connection, ms)

    monkeypatch.setattr(remembered_module, "sqlite_timelimit", counting_time_limit)
    without_story_memory(monkeypatch)  # the SQL's answers remembered (story_memory.py answers otherwise)

    async def ask(times: int) -> None:
        for _ in range(times):
            response = await datasette.client.get("/veille/stories?_search=reseau", cookies=cookies)
            assert response.status_code == 200

    run(ask(1))
    assert len(asked) == 3  # the page's rowids, the count, the five facets
    run(ask(5))
    assert len(asked) == 3
    store.db["stories"].update("t1", {"kind": "enquete"})
    run(ask(1))
    assert len(asked) == 6
