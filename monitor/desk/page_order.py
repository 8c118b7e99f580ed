"""Table pages in one order from the first to the last: equal values ordered by the primary key.

Datasette 0.65 sorts a table's first page by the sort column alone (`… order by score desc limit 21`)
and each next page by that column and then the primary key (`… where score < :p0 or (score = :p0 and
id > :p1) … order by score desc, id`). Rows with equal values came in SQLite's order on the first
page and in key order after it, so at a page boundary among equal scores a story was shown twice
and another never. The desk's database gives the first page the next pages' order. Only the SQL
Datasette's table view writes is touched: a list of columns, one table, a WHERE of its filters; the
secretariat's own SQL (subqueries, unions, groupings) is left as written.
"""

from __future__ import annotations

import re

from datasette.utils import escape_sqlite

_NAME = r"(?:\[[^\]]+\]|\w+)"
_TABLE_PAGE = re.compile(
    rf"select {_NAME}(?:, {_NAME})* from (?P<table>{_NAME}) (?P<where>(?:where .* )?)"
    rf"order by (?P<column>{_NAME})(?P<desc> desc)? limit (?P<limit>\d+)"
)
# What a WHERE of Datasette's filters never holds outside parentheses.
_NOT_FILTERS = re.compile(
    r" (?:group by|having|union|intersect|except|order by|limit|window) ", re.IGNORECASE
)


def _outside_parentheses(text: str) -> str | None:
    """`text` without what stands inside its parentheses; None when they do not balance."""
    depth, kept = 0, []
    for character in text:
        depth += character == "("
        if depth == 0:
            kept.append(character)
        depth -= character == ")"
        if depth < 0:
            return None
    return "".join(kept) if depth == 0 else None


def first_page_table(sql: str) -> str | None:
    """The table of a first page Datasette's table view wrote, sorted by one column
    (`select a, b from t where … order by c [desc] limit N`); None for any other SQL."""
    page = _TABLE_PAGE.fullmatch(" ".join(sql.split()))
    if page is None:
        return None
    outside = _outside_parentheses(f" {page['where']}")
    if outside is None or _NOT_FILTERS.search(outside):
        return None
    return page["table"].strip("[]")


def in_key_order(sql: str, table: str, keys: list[str]) -> str | None:
    """Datasette's first page of `table` sorted by one column, followed by the primary `keys` as its
    next pages are (`order by run_id desc, run_id, member_id` for a compound key); None for any other
    SQL, or when the sort column is the whole key (no two rows are equal)."""
    asked = " ".join(sql.split())
    page = _TABLE_PAGE.fullmatch(asked)
    if not keys or page is None or page["table"].strip("[]") != table or [page["column"].strip("[]")] == keys:
        return None
    order = ", ".join(escape_sqlite(key) for key in keys)
    return f"{asked[: page.start('limit') - len(' limit ')]}, {order} limit {page['limit']}"
