"""The stories table's page and facets read from `story_index`, its narrow copy (m017, m020).

At 1,000,000 articles a search matching 14,620 stories looked each one up in the 200 MB `stories`
table to sort the page by score (~23 ms of CPU) and again to compute its five facets (~50 ms).
`story_index` holds, for each story under the same rowid, only the score, the faceted columns and the
id, kept by triggers in the statement that writes the story: the same look-ups there read ~20 MB.

Only Datasette's exact SQL for the table searched with nothing else (`?_search=` alone), its first
page or a next one, or not filtered at all (the facets) is rewritten; any other filter, sort or page
keeps Datasette's own query (its first page given the key order of the next ones, page_order.py).
The page's chosen rowids, like the facets and the count, are remembered while nothing is written
(remembered.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datasette.utils import escape_sqlite

from monitor.store.story_index_table import STORY_INDEX_COLUMNS


@dataclass(frozen=True)
class NarrowIndex:
    table: str  # the wide table, e.g. stories
    fts: str  # its external-content full-text index
    index: str  # its narrow copy, e.g. story_index
    key: str  # the narrow copy's rowid column
    columns: tuple[str, ...]  # what the narrow copy holds
    sort: str  # the column the table page is sorted by, descending
    table_key: str  # the wide table's primary key, which orders equal sort values


STORY_INDEX = NarrowIndex(
    "stories", "stories_fts", "story_index", "story_rowid", STORY_INDEX_COLUMNS, "score", "id"
)


def _split_select(sql: str, table: str) -> tuple[str, str] | None:
    """(the selected columns, what follows `from table`) of `select … from table …`."""
    asked = " ".join(sql.split())
    head = "select "
    marker = f" from {escape_sqlite(table)}"
    if not asked.startswith(head) or marker not in asked:
        return None
    columns, _, rest = asked[len(head) :].partition(marker)
    return columns, rest.strip()


def _searched(narrow: NarrowIndex) -> str:
    f = escape_sqlite(narrow.fts)
    return f"rowid in (select rowid from {f} where {f} match escape_fts(:search))"


@dataclass(frozen=True)
class NarrowPage:
    """Datasette's page query of the table searched alone, in two steps: `chosen` picks the page's
    rowids in the narrow copy, in the page's order (sort value, then key, as Datasette's next pages
    continue: see page_order.py); `rows_of` reads those rows from the wide table in that order."""

    table: str
    columns: str
    order: str
    limit: str
    chosen: str
    first: bool  # the first page (no « after » condition)

    def rows_of(self, rowids: list[int]) -> str:
        listed = ", ".join(str(int(rowid)) for rowid in rowids)
        return (
            f"select {self.columns} from {escape_sqlite(self.table)} where rowid in ({listed})"
            f" order by {self.order} limit {self.limit}"
        )


def _after(narrow: NarrowIndex) -> str:
    """Datasette's condition for a next page sorted by `narrow.sort` descending: after a row whose
    sort value is :pN and key :pM, or (its value null) after its key."""
    sort, key = escape_sqlite(narrow.sort), escape_sqlite(narrow.table_key)
    after_key = rf"\(\({key} > :p\d+\)\)"
    return (
        rf"\({sort} < :(?P<at>p\d+) or {sort} is null or \({sort} = :(?P=at) and {after_key}\)\)"
        rf"|\({sort} is null and {after_key}\)"
    )


def narrow_page(sql: str, narrow: NarrowIndex) -> NarrowPage | None:
    """Datasette's page query of the table searched alone and sorted by `narrow.sort` descending, its
    first page or a next one, choosing its rows in the narrow copy (which holds the sort value and the
    key): the same rows, in the same order."""
    split = _split_select(sql, narrow.table)
    if split is None:
        return None
    columns, rest = split
    sort, table_key = escape_sqlite(narrow.sort), escape_sqlite(narrow.table_key)
    searched = re.escape(f"where {_searched(narrow)}")
    page = re.fullmatch(
        rf"{searched}(?: and (?P<after>{_after(narrow)}) order by {sort} desc, {table_key}"
        rf"| order by {sort} desc) limit (?P<limit>\d+)",
        rest,
    )
    if page is None:
        return None
    index, key = escape_sqlite(narrow.index), escape_sqlite(narrow.key)
    where = _searched(narrow).replace("rowid in", f"{key} in", 1)
    if page["after"]:
        where += f" and {page['after']}"
    order = f"{sort} desc, {table_key}"
    chosen = f"select {key} from {index} where {where} order by {order} limit {page['limit']}"
    return NarrowPage(narrow.table, columns, order, page["limit"], chosen, not page["after"])


def facet_source(sql: str, narrow: NarrowIndex) -> str | None:
    """What Datasette's facet source `sql` reads: "search" (the table searched alone), "all" (the
    table not filtered), or None (anything else)."""
    split = _split_select(sql, narrow.table)
    if split is None:
        return None
    return {"": "all", f"where {_searched(narrow)}": "search"}.get(split[1])


def matched_rowids(narrow: NarrowIndex) -> str:
    """The rowids the search matches, as one text (one value: fetching 14,620 rows costs ~12 ms)."""
    f = escape_sqlite(narrow.fts)
    return f"select group_concat(rowid) from {f} where {f} match escape_fts(:search)"


def narrow_rows(sql: str, narrow: NarrowIndex, needed: list[str]) -> str | None:
    """The `needed` columns of the rows of `sql` (Datasette's facet source: the table searched alone,
    or not filtered), read from the narrow copy; None if `sql` is anything else or a column is not
    there."""
    if facet_source(sql, narrow) is None or not set(needed) <= set(narrow.columns):
        return None
    _, rest = _split_select(sql, narrow.table) or ("", "")
    index, key = escape_sqlite(narrow.index), escape_sqlite(narrow.key)
    where = rest.replace("where rowid in", f"where {key} in", 1)
    return f"select {', '.join(escape_sqlite(c) for c in needed)} from {index} {where}".strip()
