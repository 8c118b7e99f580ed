"""The stories' sort and facet columns held in memory, so a search's first page and facets are counted from
its matches instead of read from `story_index` row by row.

At 1,000,000 articles a search nobody asked since the last write (14,620 matching stories) spent ~50 ms
in SQLite: its five facets read and grouped the matching rows of `story_index` (~32 ms), its first page
looked them up again to sort them by score (~16 ms). Here `story_index` is read once into arrays (a
story's rowid, its place in the page order, a code for each faceted value): a search then asks SQLite
only for its matching rowids, as one text, and numpy counts and sorts them (~8 ms in all).

The arrays are a copy of `story_index` at one `stories_version` (migration m021: the triggers that
write `story_index` count every write there). A request reads that number and the matches in one read
transaction; when the number is not the arrays', the first such request reads the arrays again (at
1,000,000 articles ~1–2 s, once after each night or other write of the stories; the other requests wait
for it), and one that still finds another number (a write in between) is answered by the SQL, as before.
An answer is never older than the data it was read with. Values SQLite would order or count in ways the
arrays do not (a score that is not a number, a faceted value that is not text, topics that are not a
JSON array of texts) leave the arrays unbuilt: the SQL answers then, as before.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasette.database import Results

VERSION_SQL = "select writes from stories_version where id = 1"
ROWS_SQL = "select story_rowid, source_id, topics, kind, lang, week from story_index order by story_rowid"
ORDER_SQL = "select story_rowid from story_index order by score desc, id"
FACETED = ("source_id", "topics", "kind", "lang", "week")
# The places of the last searches' matches kept, at most this many in all (4 bytes each: 4 MB; a search
# matching 14,620 stories keeps 58 kB).
PLACES_KEPT = 1_000_000
# A copy out of date is read again at most this often: a night writing stories batch after batch
# while someone searches leaves the SQL to answer in between instead of reading every time.
REREAD_AFTER_S = 10.0
DESCRIPTION = (("facet",) + (None,) * 6, ("value",) + (None,) * 6, ("count",) + (None,) * 6)


@dataclass(frozen=True)
class FacetedColumn:
    codes: np.ndarray  # each story's value, as its place in `values`
    values: list[str | None]  # the distinct values, None among them if a story has none
    items: list[tuple[str, ...]] | None  # an array column: each value's distinct items, else None


@dataclass(frozen=True)
class StoryArrays:
    version: int
    rowids: np.ndarray  # ascending
    rank: np.ndarray  # each story's place in the page order, SQLite's `order by score desc, id`
    columns: dict[str, FacetedColumn]

    def positions(self, rowids: np.ndarray) -> np.ndarray | None:
        """Where these rowids are, or None if one is not here (a copy older than the index)."""
        places = np.searchsorted(self.rowids, rowids)
        if len(places) and (
            places.max() >= len(self.rowids) or not np.array_equal(self.rowids[places], rowids)
        ):
            return None
        return places

    def first_page(self, places: np.ndarray, limit: int) -> list[int]:
        """The rowids of the first `limit` stories among `places`, in the page order."""
        ranks = self.rank[places]
        if len(ranks) > limit:
            chosen = np.argpartition(ranks, limit)[:limit]
            places, ranks = places[chosen], ranks[chosen]
        return [int(rowid) for rowid in self.rowids[places[np.argsort(ranks)]]]

    def facet_rows(
        self, places: np.ndarray, facets: list[tuple[str, str]], limit: int
    ) -> list[dict[str, Any]]:
        """(facet, value, count) rows as the single pass's SQL gives them (veille_facets.py): for each
        facet, its values by count descending then value, at most `limit`; an array's items counted once
        per story; no null value."""
        rows: list[dict[str, Any]] = []
        for number, (kind, column) in enumerate(facets):
            faceted = self.columns[column]
            counts = np.bincount(faceted.codes[places], minlength=len(faceted.values))
            found: dict[str, int] = {}
            for code in np.flatnonzero(counts).tolist():
                if kind == "array":
                    assert faceted.items is not None
                    for item in faceted.items[code]:
                        found[item] = found.get(item, 0) + int(counts[code])
                elif (value := faceted.values[code]) is not None:
                    found[value] = int(counts[code])
            ranked = sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
            rows += [{"facet": number, "value": value, "count": count} for value, count in ranked]
        return rows


def build(version: int, rows: Iterable[tuple[Any, ...]], ordered: Iterable[tuple[int]]) -> StoryArrays | None:
    """The arrays of `story_index`'s rows (ROWS_SQL: the rowid and the faceted values) and of its
    rowids in the page order (ORDER_SQL: SQLite's own sort, so equal and missing scores fall as in the
    SQL), or None if a faceted value is one they cannot count or order as SQLite does."""
    rowids = array("q")
    coded: dict[str, tuple[array[int], dict[Any, int]]] = {name: (array("l"), {}) for name in FACETED}
    for rowid, *faceted in rows:
        rowids.append(rowid)
        for name, value in zip(FACETED, faceted, strict=True):
            if value is not None and not isinstance(value, str):
                return None
            codes, seen = coded[name]
            codes.append(seen.setdefault(value, len(seen)))
    by_rowid = np.frombuffer(rowids, dtype=np.int64) if rowids else np.zeros(0, dtype=np.int64)
    in_order = np.fromiter((rowid for (rowid,) in ordered), dtype=np.int64, count=len(by_rowid))
    rank = np.empty(len(by_rowid), dtype=np.int32)
    rank[np.searchsorted(by_rowid, in_order)] = np.arange(len(in_order))
    columns = {}
    for name, (codes, seen) in coded.items():
        values = list(seen)
        items = _items(values) if name == "topics" else None
        if name == "topics" and items is None:
            return None
        columns[name] = FacetedColumn(np.array(codes, dtype=np.int32), values, items)
    return StoryArrays(version, by_rowid, rank, columns)


def _items(texts: list[str | None]) -> list[tuple[str, ...]] | None:
    """Each text's distinct items as `json_each` gives them, or None if one is not a JSON array of texts."""
    items = []
    for text in texts:
        if text is None:
            items.append(())
            continue
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
            return None
        items.append(tuple(dict.fromkeys(parsed)))
    return items


class _ReadTransaction:
    """One snapshot of the database for the statements inside (a read transaction), unless one is open."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection, self.opened = connection, not connection.in_transaction

    def __enter__(self) -> sqlite3.Connection:
        if self.opened:
            self.connection.execute("begin")
        return self.connection

    def __exit__(self, *exc: object) -> None:
        if self.opened:
            self.connection.execute("commit")


def read_arrays(connection: sqlite3.Connection) -> tuple[int, StoryArrays | None]:
    """`story_index`'s version and its arrays (None if it holds values they cannot), in one snapshot."""
    with _ReadTransaction(connection):
        version = connection.execute(VERSION_SQL).fetchone()[0]
        return version, build(version, connection.execute(ROWS_SQL), connection.execute(ORDER_SQL))


class StoryMemory:
    """The arrays of one database file, read again (on a connection of their own, without the desk's
    time limit) by the first request that finds them older than `story_index`."""

    def __init__(self, path: str) -> None:
        self.uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        self.arrays: StoryArrays | None = None
        self._reading = threading.Lock()  # one reading at a time; the others wait for its arrays
        self._last_read = -REREAD_AFTER_S
        self._unbuildable: int | None = None  # a version whose values the arrays cannot hold
        # The places a search matched, by (version, search): its page, count and facets are asked in
        # three queries, each matched once instead of three times.
        self._matched: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
        self._matched_lock = threading.Lock()

    def matches(
        self, connection: sqlite3.Connection, search: str | None, search_sql: str
    ) -> tuple[StoryArrays, np.ndarray] | None:
        """The arrays and the places of the stories `search` matches by `search_sql` (their rowids
        as one text; every story when `search` is None), read in one snapshot with the version; None
        when there are no arrays of that version (a write between two readings, values they cannot
        hold)."""
        with _ReadTransaction(connection):
            try:
                version = connection.execute(VERSION_SQL).fetchone()[0]
            except sqlite3.OperationalError:  # a database before m021
                return None
            arrays = self._arrays_of(version)
            if arrays is None:
                return None
            if search is None:
                return arrays, np.arange(len(arrays.rowids))
            with self._matched_lock:
                places = self._matched.get((version, search))
                if places is not None:
                    self._matched.move_to_end((version, search))
            if places is not None:
                return arrays, places
            listed = connection.execute(search_sql, {"search": search}).fetchone()[0]
        places = arrays.positions(np.array(listed.split(",") if listed else [], dtype=np.int64))
        if places is None:  # a story the copy lacks at its own version: never trusted again
            self.arrays = None
            return None
        places = places.astype(np.int32)
        with self._matched_lock:
            self._matched[(version, search)] = places
            while sum(map(len, self._matched.values())) > PLACES_KEPT:
                self._matched.popitem(last=False)
        return arrays, places

    def _arrays_of(self, version: int) -> StoryArrays | None:
        arrays = self.arrays
        if arrays is None or arrays.version != version:
            with self._reading:
                arrays = self.arrays
                due = arrays is None or time.monotonic() - self._last_read >= REREAD_AFTER_S
                if (arrays is None or arrays.version != version) and version != self._unbuildable and due:
                    self._last_read = time.monotonic()
                    arrays = self.arrays = self._read()
        return arrays if arrays is not None and arrays.version == version else None

    def _read(self) -> StoryArrays | None:
        try:
            connection = sqlite3.connect(self.uri, uri=True, isolation_level=None)
            try:
                version, arrays = read_arrays(connection)
            finally:
                connection.close()
        except sqlite3.Error:
            return None  # read again by the next request
        if arrays is None:
            self._unbuildable = version
        return arrays


def facet_results(rows: list[dict[str, Any]]) -> Results:
    return Results(rows, False, DESCRIPTION)


def page_results(rowids: list[int]) -> Results:
    return Results([(rowid,) for rowid in rowids], False, (("story_rowid",) + (None,) * 6,))


def count_results(count: int) -> Results:
    return Results([(count,)], False, (("count(*)",) + (None,) * 6,))
