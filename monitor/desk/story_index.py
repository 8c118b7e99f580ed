"""The stories table's page and facets read from `story_index`, its narrow copy (migration m017).

At 1,000,000 articles a search matching 14,620 stories looked each one up in the 200 MB `stories`
table to sort the page by score (~23 ms of CPU) and again to compute its five facets (~50 ms).
`story_index` holds, for each story under the same rowid, only the score and the faceted columns,
kept by triggers in the statement that writes the story: the same look-ups there read ~15 MB.

Only Datasette's exact SQL for the table searched with nothing else (`?_search=` alone) or not
filtered at all is rewritten; any other filter, sort or page keeps Datasette's own query (its first
page given the key order of the next ones, page_order.py). The page's
chosen rowids, like the facets and the count, are remembered while nothing is written (remembered.py).
"""

from __future__ import annotations

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
    """Datasette's page query of the table searched alone, in steps: `chosen` gives the best rows'
    (rowid, sort value) in the narrow copy; when the page is full, `tied` gives every row whose sort
    value equals the last one's (the key orders them, and the narrow copy has no key); `rows_of` reads
    the rows from the wide table in the page's order: sort value, then key (see page_order.py)."""

    table: str
    columns: str
    sort: str
    key: str
    limit: int
    chosen: str
    tied: str

    def rows_of(self, rowids: list[int]) -> str:
        listed = ", ".join(str(int(rowid)) for rowid in rowids)
        return (
            f"select {self.columns} from {escape_sqlite(self.table)} where rowid in ({listed})"
            f" order by {self.sort} desc, {self.key} limit {self.limit}"
        )


TIED = "veille_tied"  # the parameter `tied` compares the sort value with


def narrow_page(sql: str, narrow: NarrowIndex) -> NarrowPage | None:
    """Datasette's page query of the table searched alone and sorted by `narrow.sort` descending,
    choosing its rows in the narrow copy."""
    split = _split_select(sql, narrow.table)
    if split is None:
        return None
    columns, rest = split
    sort = escape_sqlite(narrow.sort)
    prefix = f"where {_searched(narrow)} order by {sort} desc limit "
    if not rest.startswith(prefix) or not rest[len(prefix) :].isdigit():
        return None
    limit = int(rest[len(prefix) :])
    index, key = escape_sqlite(narrow.index), escape_sqlite(narrow.key)
    searched = _searched(narrow).replace("rowid in", f"{key} in", 1)
    chosen = f"select {key}, {sort} from {index} where {searched} order by {sort} desc limit {limit}"
    tied = f"select {key} from {index} where {searched} and {sort} is :{TIED}"
    return NarrowPage(narrow.table, columns, sort, escape_sqlite(narrow.table_key), limit, chosen, tied)


def page_rowids(page: NarrowPage, chosen: list[tuple[int, object]], tied: list[tuple[int]]) -> list[int]:
    """The rowids that may be on the page: the chosen rows above the last one's sort value and every
    row tied with it (all of the chosen when the page is not full)."""
    if len(chosen) < page.limit:
        return [rowid for rowid, _ in chosen]
    last = chosen[-1][1]
    return [rowid for rowid, value in chosen if value != last] + [rowid for (rowid,) in tied]


def narrow_rows(sql: str, narrow: NarrowIndex, needed: list[str]) -> str | None:
    """The `needed` columns of the rows of `sql` (Datasette's facet source: the table searched alone,
    or not filtered), read from the narrow copy; None if `sql` is anything else or a column is not
    there."""
    split = _split_select(sql, narrow.table)
    if split is None or not set(needed) <= set(narrow.columns):
        return None
    _, rest = split
    if rest not in ("", f"where {_searched(narrow)}"):
        return None
    index, key = escape_sqlite(narrow.index), escape_sqlite(narrow.key)
    where = rest.replace("where rowid in", f"where {key} in", 1)
    return f"select {', '.join(escape_sqlite(c) for c in needed)} from {index} {where}".strip()
