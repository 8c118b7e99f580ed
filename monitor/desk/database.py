"""The desk's database: Datasette's, with the stories table's search made cheap and its pages in one order.

- The row count of a table searched alone is counted on the full-text index's side. Datasette counts
  `select count(*) from stories where rowid in (select rowid from stories_fts where stories_fts match …)`:
  every matching story is looked up in the table again (at 1,000,000 articles, 14,620 look-ups, ~25 ms
  of CPU). The index holds exactly one row per story: it is an external-content FTS5 table kept by the
  triggers of migration m004 (`enable_fts(create_triggers=True)`), which change it in the statement that
  inserts, updates or deletes a story. Counting its matches gives the same number: ~3 ms. Any other
  filter or search form keeps Datasette's own count.
- The stories page chooses its rows in `story_index` (story_index.py).
- A sorted table's first page follows the key order of its next pages (page_order.py).
- The counts, facets and chosen rows are remembered while the database is unchanged (remembered.py).
- The stories' first searched page and facets are counted from a copy of `story_index` held in memory
  (story_memory.py), when it is of the index's version; else by the SQL above.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datasette.database import Database, Results
from datasette.tracer import trace
from datasette.utils import detect_primary_keys, escape_sqlite

from monitor.desk.page_order import first_page_table, in_key_order
from monitor.desk.remembered import RememberingThreads
from monitor.desk.story_index import (
    STORY_INDEX,
    facet_source,
    matched_rowids,
    narrow_page,
    narrow_rows,
)
from monitor.desk.story_memory import (
    ARRAY_FACET,
    FACETED,
    StoryArrays,
    StoryMemory,
    count_results,
    facet_results,
    page_results,
)


def fts_side_count(sql: str, fts_tables: dict[str, str]) -> tuple[str, str] | None:
    """(the table, the count of the same rows read from the full-text index), when `sql` is
    Datasette's count of a table searched with nothing else (`fts_tables`: table → its
    external-content FTS table)."""
    asked = " ".join(sql.split())
    for table, fts in fts_tables.items():
        t, f = escape_sqlite(table), escape_sqlite(fts)
        searched = f"select rowid from {f} where {f} match escape_fts(:search)"
        if asked == f"select count(*) from {t} where rowid in ({searched})":
            return table, f"select count(*) from {f} where {f} match escape_fts(:search)"
    return None


class DeskDatabase(Database):
    """Datasette's database, with the rewrites and the memory the module's docstring lists."""

    def __init__(self, datasette: Any, path: str, fts_tables: dict[str, str]) -> None:
        super().__init__(datasette, path, is_mutable=True)
        self.fts_tables = fts_tables
        self._threads = RememberingThreads()
        self._keys: dict[str, list[str]] = {}  # each table's primary key, read once
        self.story_memory = StoryMemory(path) if STORY_INDEX.table in fts_tables else None

    async def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        params = args[0] if args else kwargs.get("params")
        time_limit = kwargs.get("custom_time_limit")
        counted = fts_side_count(sql, self.fts_tables)
        if counted:
            table, count_sql = counted
            in_memory = None
            if table == STORY_INDEX.table:
                in_memory = await self.count_in_memory(params, time_limit)
            if in_memory is not None:
                return in_memory
            return await self.execute_remembered(count_sql, params, time_limit)
        page = narrow_page(sql, STORY_INDEX)
        if page:
            chosen = (
                await self.first_page_in_memory(int(page.limit), params, time_limit) if page.first else None
            )
            if chosen is None:
                chosen = await self.execute_remembered(page.chosen, params, time_limit)
            sql = page.rows_of([row[0] for row in chosen.rows])
        else:
            sql = await self.in_key_order(sql)
        return await super().execute(sql, *args, **kwargs)

    async def in_key_order(self, sql: str) -> str:
        """`sql`, or the first page of a sorted table with the key order of its next pages."""
        table = first_page_table(sql)
        if table is None:
            return sql
        if table not in self._keys:
            self._keys[table] = await self.execute_fn(lambda conn: detect_primary_keys(conn, table))
        return in_key_order(sql, table, self._keys[table]) or sql

    async def execute_remembered(
        self, sql: str, params: Any = None, custom_time_limit: int | None = None
    ) -> Results:
        """`execute`'s results (all rows), answered again without SQLite while nothing is written."""
        limit = self.time_limit(custom_time_limit)
        with trace("sql", database=self.name, sql=sql.strip(), params=params):
            return await self.execute_fn(
                lambda connection: self._threads.remembered.answer(connection, sql, params, limit)
            )

    def time_limit(self, custom: int | None) -> int:
        """The desk's time limit for a query, or the shorter one asked (the facets')."""
        limit = self.ds.sql_time_limit_ms
        return custom if custom and custom < limit else limit

    async def in_memory(
        self,
        key: tuple[Any, ...],
        search: str | None,
        compute: Callable[[StoryArrays, Any], Results],
        time_limit: int | None,
    ) -> Results | None:
        """`compute(arrays, places)`'s results for the stories `search` matches (all when None),
        remembered under `key` as `execute_remembered`'s are; None when the arrays cannot answer."""
        memory = self.story_memory
        if memory is None:
            return None
        search_sql, params = matched_rowids(STORY_INDEX), {"search": search}
        limit = self.time_limit(time_limit)

        def answer(connection: Any) -> Results | None:
            found = memory.matches(connection, search, search_sql, limit)
            return compute(*found) if found else None

        asked = search_sql if search is not None else ""
        with trace("sql", database=self.name, sql="", params=params) as traced:
            results = await self.execute_fn(
                lambda connection: self._threads.remembered.recall(
                    connection, key, lambda: answer(connection), None, (asked, params)
                )
            )
            # The trace says what happened: counted in memory, or left to the SQL traced after it.
            done = (
                "in memory"
                if results is not None
                else "left to the SQL traced next (no copy of this version)"
            )
            traced["sql"] = f"-- the stories' {key[0]}, {done}\n{asked}"
        return results

    async def count_in_memory(self, params: Any, time_limit: int | None) -> Results | None:
        search = _search_alone(params)
        if search is None:
            return None
        key = ("count", search)
        return await self.in_memory(
            key, search, lambda arrays, places: count_results(len(places)), time_limit
        )

    async def first_page_in_memory(self, limit: int, params: Any, time_limit: int | None) -> Results | None:
        search = _search_alone(params)
        if search is None:
            return None
        key = ("first page", search, limit)
        return await self.in_memory(
            key, search, lambda arrays, places: page_results(arrays.first_page(places, limit)), time_limit
        )

    async def facet_rows(
        self, sql: str, params: Any, facets: list[tuple[str, str]], limit: int, time_limit: int | None
    ) -> Results | None:
        """The single pass's facet rows (veille_facets.py) of the stories searched alone or not
        filtered, counted in memory; None when the arrays cannot count them."""
        source = facet_source(sql, STORY_INDEX)
        if source is None or any(
            column not in FACETED or (kind == "array") != (column == ARRAY_FACET) for kind, column in facets
        ):
            return None
        search = _search_alone(params)
        if (source == "search") != (search is not None) or (source == "all" and params):
            return None
        key = ("facets", search, tuple(facets), limit)
        return await self.in_memory(
            key,
            search,
            lambda arrays, places: facet_results(arrays.facet_rows(places, facets, limit)),
            time_limit,
        )

    def narrow_rows(self, sql: str, columns: list[str]) -> str | None:
        """For the facets: the `columns` of the rows of `sql` read from a narrow copy, if one holds them."""
        return narrow_rows(sql, STORY_INDEX, columns)


def _search_alone(params: Any) -> str | None:
    """The search text of parameters that hold a search and nothing else."""
    if isinstance(params, dict) and set(params) == {"search"} and isinstance(params["search"], str):
        return params["search"]
    return None
