"""The stories' sort and facet columns held in memory, so a search's first page and facets are counted from
its matches instead of read from `story_index` row by row.

At 1,000,000 articles a search nobody asked since the last write (14,620 matching stories) spent ~50 ms
in SQLite: its five facets read and grouped the matching rows of `story_index` (~32 ms), its first page
looked them up again to sort them by score (~16 ms). Here `story_index` is read once into arrays (a
story's rowid, its place in the page order, a code for each faceted value): a search then asks SQLite
only for its matching rowids, as one text, and numpy counts and sorts them (~8 ms in all).

The arrays are a copy of `story_index` at one version: the number of writes of the stories' index and
searched text (`stories_version`, counted by the triggers of migration m021) and the schema's. A request
reads that version and the matches in one read transaction, opened and closed outside the desk's time
limit (only the search is under it). When the arrays are of another version, the request is answered by
the SQL, as before, and the arrays are read again in a thread of their own (~1 s at 1,000,000 articles,
once after a night), at most every REREAD_AFTER_S. An answer is never older than the data it was read
with. The page order is SQLite's own sort; faceted values the arrays would count or order otherwise than
SQLite (not text, a NUL, a lone surrogate, bytes that were not UTF-8; topics that are not a JSON array
of such texts) leave the arrays unbuilt, and the SQL answers until the stories change.
"""

from __future__ import annotations

import json
import logging
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
from datasette.utils import sqlite_timelimit

logger = logging.getLogger(__name__)

# The stories' writes (m021) and the schema's version: a search's matches and the copy hold for both.
VERSION_SQL = "select writes, (select schema_version from pragma_schema_version) from stories_version"
ROWS_SQL = "select story_rowid, source_id, topics, kind, lang, week from story_index order by story_rowid"
ORDER_SQL = "select story_rowid from story_index order by score desc, id"
FACETED = ("source_id", "topics", "kind", "lang", "week")
ARRAY_FACET = "topics"  # the one faceted column holding a JSON array, counted item by item
# The places of the last searches' matches kept (those of the current version only): at most this many
# searches, and this many places in all (4 bytes each: 4 MB; a search matching 14,620 stories: 58 kB).
SEARCHES_KEPT = 256
PLACES_KEPT = 1_000_000
# A copy is read at most this often (in a thread of its own; the SQL answers until it is read): a night
# writing stories batch after batch, or values the copy cannot hold, never make the desk read all the time.
REREAD_AFTER_S = 10.0
DESCRIPTION = (("facet",) + (None,) * 6, ("value",) + (None,) * 6, ("count",) + (None,) * 6)


@dataclass(frozen=True)
class FacetedColumn:
    codes: np.ndarray  # each story's value, as its place in `values`
    values: list[str | None]  # the distinct values, None among them if a story has none
    items: list[tuple[str, ...]] | None  # an array column: each value's distinct items, else None


@dataclass(frozen=True)
class StoryArrays:
    version: tuple[int, int]
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


def build(
    version: tuple[int, int], rows: Iterable[tuple[Any, ...]], ordered: Iterable[tuple[int]]
) -> StoryArrays | None:
    """The arrays of `story_index`'s rows (ROWS_SQL: the rowid and the faceted values) and of its
    rowids in the page order (ORDER_SQL: SQLite's own sort, so equal and missing scores fall as in the
    SQL), or None if a faceted value is one they cannot count or order as SQLite does (not text, not
    `_plain`)."""
    rowids = array("q")
    coded: dict[str, tuple[array[int], dict[Any, int]]] = {name: (array("l"), {}) for name in FACETED}
    for rowid, *faceted in rows:
        rowids.append(rowid)
        for name, value in zip(FACETED, faceted, strict=True):
            codes, seen = coded[name]
            codes.append(seen.setdefault(value, len(seen)))
    by_rowid = np.frombuffer(rowids, dtype=np.int64) if rowids else np.zeros(0, dtype=np.int64)
    in_order = np.fromiter((rowid for (rowid,) in ordered), dtype=np.int64, count=len(by_rowid))
    rank = np.empty(len(by_rowid), dtype=np.int32)
    rank[np.searchsorted(by_rowid, in_order)] = np.arange(len(in_order))
    columns = {}
    for name, (codes, seen) in coded.items():
        values = list(seen)  # each distinct value checked once
        if not all(value is None or (isinstance(value, str) and _plain(value)) for value in values):
            return None
        items = _items(values) if name == ARRAY_FACET else None
        if name == ARRAY_FACET and items is None:
            return None
        columns[name] = FacetedColumn(np.array(codes, dtype=np.int32), values, items)
    return StoryArrays(version, by_rowid, rank, columns)


def _items(texts: list[str | None]) -> list[tuple[str, ...]] | None:
    """Each text's distinct items as `json_each` gives them, or None if one is not a JSON array of texts
    (or holds a NUL character, where `json_each` cuts a text)."""
    items = []
    for text in texts:
        if text is None:
            items.append(())
            continue
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # a nesting SQLite reads and Python does not
            return None
        if not isinstance(parsed, list) or not all(isinstance(i, str) and _plain(i) for i in parsed):
            return None
        items.append(tuple(dict.fromkeys(parsed)))
    return items


def _plain(text: str) -> bool:
    """Whether SQLite and Python read `text` alike: no NUL (where `json_each` cuts a text), no lone
    surrogate (an escape JSON allows and UTF-8 cannot carry), no replacement of bytes that were not
    UTF-8."""
    if "\x00" in text or "\ufffd" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _ReadTransaction:
    """One snapshot of the database for the statements inside (a read transaction), unless one is open.
    Opened and closed outside any time limit (the limit applies to the search only), and always
    closed: a connection left in its snapshot would show old data for good."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection, self.opened = connection, not connection.in_transaction

    def __enter__(self) -> sqlite3.Connection:
        if self.opened:
            self.connection.execute("begin")
        return self.connection

    def __exit__(self, *exc: object) -> None:
        if not self.opened:
            return
        try:
            self.connection.execute("commit")
        except sqlite3.Error:
            self.connection.rollback()


def read_arrays(connection: sqlite3.Connection) -> tuple[tuple[int, int], StoryArrays | None]:
    """`story_index`'s version and its arrays (None if it holds values they cannot), in one snapshot."""
    with _ReadTransaction(connection):
        version = tuple(connection.execute(VERSION_SQL).fetchone())
        return version, build(version, connection.execute(ROWS_SQL), connection.execute(ORDER_SQL))


class StoryMemory:
    """The arrays of one database file, read in a thread of their own on a connection of their own when
    a request finds them older than the stories (at most every REREAD_AFTER_S); the requests that find
    no arrays of their version are answered by the SQL meanwhile."""

    def __init__(self, path: str) -> None:
        self.uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        self.arrays: StoryArrays | None = None
        self._reader: threading.Thread | None = None
        self._reader_lock = threading.Lock()
        self._last_read = -REREAD_AFTER_S  # when the last reading ended
        self._unbuildable: tuple[int, int] | None = None  # a version whose values the arrays cannot hold
        # The places a search matched at the current version: a search's page, count and facets are
        # asked in three queries, matched once instead of three times.
        self._matched: OrderedDict[str, np.ndarray] = OrderedDict()
        self._matched_version: tuple[int, int] | None = None
        self._matched_places = 0
        self._matched_lock = threading.Lock()

    def matches(
        self, connection: sqlite3.Connection, search: str | None, search_sql: str, time_limit_ms: int
    ) -> tuple[StoryArrays, np.ndarray] | None:
        """The arrays and the places of the stories `search` matches by `search_sql` (their rowids
        as one text; every story when `search` is None), read in one snapshot with the version, the
        search within `time_limit_ms`; None when there are no arrays of that version."""
        with _ReadTransaction(connection):
            try:
                version = tuple(connection.execute(VERSION_SQL).fetchone())
            except sqlite3.OperationalError:  # a database before m021
                return None
            arrays = self.arrays
            if arrays is None or arrays.version != version:
                self._read_soon(version)
                return None
            if search is None:
                return arrays, np.arange(len(arrays.rowids))
            places = self._matched_places_of(version, search)
            if places is None:
                with sqlite_timelimit(connection, time_limit_ms):
                    listed = connection.execute(search_sql, {"search": search}).fetchone()[0]
                places = arrays.positions(np.fromstring(listed or "", dtype=np.int64, sep=","))
                if places is None:  # a story the copy lacks at its own version: not read again at it
                    self._not_held(version, arrays, "a matched story is missing from the copy")
                    return None
                self._keep_matched(version, search, places.astype(np.int32))
        return arrays, places

    def _matched_places_of(self, version: tuple[int, int], search: str) -> np.ndarray | None:
        with self._matched_lock:
            if version != self._matched_version:
                return None
            places = self._matched.get(search)
            if places is not None:
                self._matched.move_to_end(search)
            return places

    def _keep_matched(self, version: tuple[int, int], search: str, places: np.ndarray) -> None:
        with self._matched_lock:
            if version != self._matched_version:  # the places of another version are never asked again
                self._matched.clear()
                self._matched_version, self._matched_places = version, 0
            if search in self._matched:
                return
            self._matched[search] = places
            self._matched_places += len(places)
            while len(self._matched) > SEARCHES_KEPT or self._matched_places > PLACES_KEPT:
                self._matched_places -= len(self._matched.popitem(last=False)[1])

    def _read_soon(self, version: tuple[int, int]) -> None:
        """Start reading the arrays in a thread of their own, unless one is reading, the last reading
        ended less than REREAD_AFTER_S ago, or the copy cannot be held at this version."""
        with self._reader_lock:
            busy = self._reader is not None and self._reader.is_alive()
            recent = time.monotonic() - self._last_read < REREAD_AFTER_S
            if busy or recent or version == self._unbuildable:
                return
            self._reader = threading.Thread(
                target=self._read, args=(version,), name="veille-story-memory", daemon=True
            )
            self._reader.start()

    def wait(self) -> None:
        """Wait until the arrays being read (if any) are there."""
        reader = self._reader
        if reader is not None:
            reader.join()

    def _read(self, asked: tuple[int, int]) -> None:
        """Read the arrays (asked by a request at version `asked`); on any failure keep none, say why in
        the log, and do not read again before the stories change (the SQL answers meanwhile)."""
        try:
            connection = sqlite3.connect(self.uri, uri=True, isolation_level=None)
            try:
                version, arrays = read_arrays(connection)
            finally:
                connection.close()
        except Exception:  # whatever happens here, the desk answers by its SQL
            logger.exception("copy of the stories not read; the desk answers by its SQL")
            self._not_held(asked, self.arrays)
        else:
            if arrays is None:
                self._not_held(version, self.arrays, "values it would count otherwise than SQLite")
            else:
                self.arrays = arrays
        finally:
            self._last_read = time.monotonic()

    def _not_held(self, version: tuple[int, int], arrays: StoryArrays | None, why: str = "") -> None:
        """No copy at `version` (and none read again at it): the SQL answers until the stories change."""
        if why:
            logger.warning("copy of the stories not held (%s); the desk answers by its SQL", why)
        self._unbuildable = version
        if self.arrays is arrays:  # not newer arrays a reading has just set
            self.arrays = None


def facet_results(rows: list[dict[str, Any]]) -> Results:
    """Facet rows as the single pass's query gives them."""
    return Results(rows, False, DESCRIPTION)


def page_results(rowids: list[int]) -> Results:
    """A page's rowids as its query in story_index gives them."""
    return Results([(rowid,) for rowid in rowids], False, (("story_rowid",) + (None,) * 6,))


def count_results(count: int) -> Results:
    """A count as Datasette's count query gives it."""
    return Results([(count,)], False, (("count(*)",) + (None,) * 6,))
