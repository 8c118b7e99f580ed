"""Table pages in one order from the first to the last: equal values ordered by the primary key.

Datasette 0.65 sorts a table's first page by the sort column alone (`… order by score desc limit 21`)
and each next page by that column and then the primary key (`… where score < :p0 or (score = :p0 and
id > :p1) … order by score desc, id`). Rows with equal values came in SQLite's order on the first
page and in key order after it, so at a page boundary among equal scores a story was shown twice
and another never. The desk's database gives the first page the next pages' order.
"""

from __future__ import annotations

import re

from datasette.utils import escape_sqlite

_FIRST_PAGE = re.compile(
    r"(?P<where>(?:where .* )?)order by (?P<column>\[[^\]]+\]|\w+)(?P<desc> desc)? limit (?P<limit>\d+)"
)
_SORTED_FIRST_PAGE = re.compile(r"select .+? from (\[[^\]]+\]|\w+) " + _FIRST_PAGE.pattern)


def first_page_table(sql: str) -> str | None:
    """The table of a first page sorted by one column (`select … from t … order by c limit N`)."""
    found = _SORTED_FIRST_PAGE.fullmatch(" ".join(sql.split()))
    return found[1].strip("[]") if found else None


def in_key_order(sql: str, table: str, keys: list[str]) -> str | None:
    """Datasette's first page of `table` sorted by one column, with the primary `keys` after that
    column as its next pages have them; None for any other SQL."""
    asked = " ".join(sql.split())
    head, marker = "select ", f" from {escape_sqlite(table)} "
    if not keys or not asked.startswith(head) or marker not in asked:
        return None
    columns, _, rest = asked[len(head) :].partition(marker)
    page = _FIRST_PAGE.fullmatch(rest)
    if page is None or page["column"].strip("[]") in keys:
        return None
    order = ", ".join(escape_sqlite(key) for key in keys)
    return (
        f"select {columns} from {escape_sqlite(table)} {page['where']}order by {page['column']}"
        f"{page['desc'] or ''}, {order} limit {page['limit']}"
    )
