"""Query answers remembered while the database has not changed: the stories search's facets and count.

At 1,000,000 articles the facets of a search take ~30–50 ms of SQL and its count ~4 ms; the same
search asked again (the next page, a second look, a colleague) gets the same answer as long as
nothing was written. SQLite says when something was: `PRAGMA data_version` on a connection changes
whenever another connection has committed since that connection last asked (the night's process,
the desk's own writes through Datasette's write connection). The desk only reads through its read
connections, one per thread of Datasette's pool, so each thread keeps its own answers and forgets
them all the moment its connection's `data_version` moves: an answer is never older than the data.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from datasette.database import QueryInterrupted, Results
from datasette.utils import sqlite_timelimit

ANSWERS_PER_THREAD = 64  # an answer: a count, a page of rowids or five facets of at most 31 values


def _key(sql: str, params: Any) -> Hashable:
    if isinstance(params, dict):
        return sql, tuple(sorted(params.items()))
    return sql, tuple(params or ())


class RememberedAnswers:
    """The answers of one connection, valid for one `data_version` of it."""

    def __init__(self) -> None:
        self.connection: sqlite3.Connection | None = None
        self.version: int | None = None
        self.answers: OrderedDict[Hashable, Results] = OrderedDict()

    def answer(self, connection: sqlite3.Connection, sql: str, params: Any, time_limit_ms: int) -> Results:
        def run() -> Results:
            cursor = connection.execute(sql, params if params is not None else {})
            return Results(cursor.fetchall(), False, cursor.description)

        answered = self.recall(connection, _key(sql, params), run, time_limit_ms, (sql, params))
        assert answered is not None
        return answered

    def recall(
        self,
        connection: sqlite3.Connection,
        key: Hashable,
        compute: Callable[[], Results | None],
        time_limit_ms: int | None,
        asked: tuple[str, Any] = ("", None),
    ) -> Results | None:
        """The answer remembered under `key`, or `compute`'s, within the time limit (None: `compute`
        keeps its own; an interrupted query raises QueryInterrupted with the SQL and parameters
        `asked`); None is not remembered."""
        version = connection.execute("PRAGMA data_version").fetchone()[0]
        # Each connection counts its own versions: a new connection starts the memory afresh.
        if connection is not self.connection or version != self.version:
            self.answers.clear()
            self.connection, self.version = connection, version
        if key in self.answers:
            self.answers.move_to_end(key)
            return self.answers[key]
        with sqlite_timelimit(connection, time_limit_ms) if time_limit_ms else contextlib.nullcontext():
            try:
                results = compute()
            except sqlite3.OperationalError as error:
                if error.args == ("interrupted",):
                    raise QueryInterrupted(error, *asked) from error
                raise
        if results is None:
            return None
        self.answers[key] = results
        if len(self.answers) > ANSWERS_PER_THREAD:
            self.answers.popitem(last=False)
        return results


class RememberingThreads(threading.local):
    """One `RememberedAnswers` per thread of Datasette's pool (each has its own read connection)."""

    def __init__(self) -> None:
        self.remembered = RememberedAnswers()
