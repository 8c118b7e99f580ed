"""A sorted table's first page in the key order of its next pages (monitor/desk/page_order.py): only
the SQL Datasette's table view writes, never the secretariat's own; compound keys too."""

from __future__ import annotations

import collections
import urllib.parse
from pathlib import Path

from monitor.desk.page_order import first_page_table, in_key_order
from tests.test_triage import login, make_desk, run

KEYS = {"stories": ["id"], "articles": ["id"], "link_checks": ["run_id", "member_id"]}
SEARCHED = "rowid in (select rowid from stories_fts where stories_fts match escape_fts(:search))"
SECRETARIATS_OWN = [
    "select * from (select title, score from stories where score > 0) order by score limit 5",
    "select (select count(*) from duty where 1) as n, title from stories order by title limit 5",
    "select title, score from stories where score > 0 union select title, score from articles"
    " where 1 order by score limit 5",
    "select kind from stories where score > 0 group by kind order by kind limit 5",
    # Keywords in capitals, as people type them (a review found these still rewritten):
    "select title, score from stories where score > 0 UNION select title, score from articles"
    " where 1 order by score limit 5",
    "select kind from stories where 1 GROUP BY kind order by kind limit 5",
]


def ordered(sql: str) -> str | None:
    table = first_page_table(sql)
    return table and in_key_order(sql, table, KEYS.get(table, []))


def test_datasettes_first_pages_get_the_key_after_their_sort_column() -> None:
    assert ordered("select id, title from stories order by score desc limit 21") == (
        "select id, title from stories order by score desc, id limit 21"
    )
    assert ordered(f"select id, [from] from stories where {SEARCHED} order by score desc limit 21") == (
        f"select id, [from] from stories where {SEARCHED} order by score desc, id limit 21"
    )
    assert ordered("select run_id, member_id from link_checks order by run_id desc limit 5") == (
        "select run_id, member_id from link_checks order by run_id desc, run_id, member_id limit 5"
    )


def test_other_sql_is_left_as_written() -> None:
    for sql in [
        *SECRETARIATS_OWN,
        "select id from stories order by id limit 21",  # the key alone: no two rows are equal
        "select id from stories where (score < :p0 or (score = :p0 and id > :p1)) order by score desc, id limit 5",
        "select count(*) from stories where score > 0",
    ]:
        assert ordered(sql) is None, sql


def test_the_secretariats_own_sql_still_runs(tmp_path: Path) -> None:
    datasette, _ = make_desk(tmp_path)

    async def statuses() -> list[int]:
        cookies = await login(datasette, "secretariat")
        asked = [urllib.parse.urlencode({"sql": sql, "_shape": "array"}) for sql in SECRETARIATS_OWN]
        return [(await datasette.client.get(f"/veille.json?{q}", cookies=cookies)).status_code for q in asked]

    assert run(statuses()) == [200] * len(SECRETARIATS_OWN)


def test_a_compound_key_table_pages_every_row_once(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path)
    store.db.execute("PRAGMA foreign_keys=OFF")
    store.db["runs"].insert_all([{"id": r, "kind": "links"} for r in range(1, 4)])
    store.db["link_checks"].insert_all(
        [
            {"run_id": r, "member_id": f"m{(m * 7) % 11:02d}", "status": "linked"}
            for m in range(11)
            for r in range(1, 4)
        ]
    )

    async def walk() -> list[tuple[int, str]]:
        cookies = await login(datasette, "amicale-du-nid")
        page, shown = "/veille/link_checks.json?_sort_desc=run_id&_size=4", []
        while page:
            data = (await datasette.client.get(page, cookies=cookies)).json()
            shown += [(row[0], row[1]) for row in data["rows"]]
            page = data["next_url"] and "/veille/" + data["next_url"].split("/veille/", 1)[1]
        return shown

    shown = run(walk())
    assert len(shown) == 33 and not [k for k, n in collections.Counter(shown).items() if n > 1]
