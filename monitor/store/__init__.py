"""The SQLite store: every table Veille keeps, created and migrated here, written only through here.

Tables: `members`, `runs` (one row per run, `status` running, ok or interrupted),
`link_checks`, `backlinks`, `link_events` (the backlink audit, see
`links.py`); `sources`, `articles`, `article_sources`, `stories`, `rejections` (the news watch, see
`news.py`); `nights`, `outbox` (the nightly job, see `night.py`); `site_pages`, `site_findings`,
`link_check_cache` (the audit of the Collectif's own site, see `site.py`). The schema is in `schema.py`.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# First, before anything imports sqlite-utils: see numpy_free.py.
from monitor.store import numpy_free  # noqa: F401  # isort: skip

import sqlite_utils

from monitor.config import Member
from monitor.locks import migration_lock, run_lock
from monitor.rota import Turn
from monitor.store.clock import utc_now
from monitor.store.links import LinkTables
from monitor.store.news import NewsTables
from monitor.store.night import NightTables
from monitor.store.schema import migrations
from monitor.store.site import SiteTables


def database(target: Path | str | sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over a file or a connection, without its plugins: whatever package installed in
    the environment declares one would run its `prepare_connection` on Veille's database, and finding
    them reads the metadata of every installed distribution (0.03 s at every start)."""
    return sqlite_utils.Database(target, execute_plugins=False)


class Store(LinkTables, NewsTables, NightTables, SiteTables):
    """Veille's database. Open it with `Store.open(path)`: WAL mode, migrations applied."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._running = False

    @classmethod
    def open(cls, path: Path | str) -> Store:
        path = Path(path).absolute()  # its work folder is handed to crawl children that run elsewhere
        path.parent.mkdir(parents=True, exist_ok=True)
        db = database(path)
        db.execute("PRAGMA busy_timeout = 10000")
        with migration_lock(path):
            db.enable_wal()
            migrations.apply(db)
        db.execute("PRAGMA foreign_keys = ON")
        return cls(db, path)

    def close(self) -> None:
        """Close the database (the last connection to close checkpoints the WAL into the file). Python's
        sqlite3 keeps a connection in a reference cycle with its statement cache: one not closed stays
        open until the cycle collector next runs, or until the process has ended."""
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def work_dir(self) -> Path:
        """Where runs keep their temporary files (crawl jobs, items), beside the database."""
        return self.path.with_name(f".{self.path.name}.work")

    @contextmanager
    def exclusive_run(self, what: str) -> Iterator[None]:
        """Hold the database for one run (re-entrant within this Store), or raise RunInProgress.

        Holding it, whatever a killed run left is tidied first: its `runs` row is marked
        `interrupted` (reports read finished runs only) and its temporary files are removed; this
        run's own are removed at its end.
        """
        if self._running:
            yield
            return
        with run_lock(self.path, what):
            self._running = True
            try:
                with self.db.atomic():
                    for table in ("runs", "nights"):
                        interrupted = "status = 'interrupted', finished_at = ?"
                        self.db.execute(
                            f"UPDATE {table} SET {interrupted} WHERE status = 'running'", [utc_now()]
                        )
                shutil.rmtree(self.work_dir, ignore_errors=True)
                self.work_dir.mkdir()
                yield
            finally:
                self._running = False
                shutil.rmtree(self.work_dir, ignore_errors=True)

    # --- members -------------------------------------------------------------------------------

    def sync_members(self, members: Iterable[Member]) -> None:
        """Make the `members` table match the configuration; members removed from it become inactive."""
        rows = [
            {
                "id": m.id,
                "name": m.name,
                "site_url": m.site,
                "contact_email": m.contact_email,
                "link_pages": json.dumps(list(m.link_pages)),
                "active": 1,
            }
            for m in members
        ]
        with self.db.atomic():
            self.db.execute("UPDATE members SET active = 0")
            self.db["members"].upsert_all(rows, pk="id")

    # --- watch duty ------------------------------------------------------------------------------

    def save_duty(self, turns: Iterable[Turn]) -> None:
        """Replace the stored schedule with these turns."""
        rows = [
            {"start": t.start.isoformat(), "end": t.end.isoformat(), "member_id": t.member_id, "note": t.note}
            for t in turns
        ]
        with self.db.atomic():
            self.db.execute("DELETE FROM duty")
            if rows:
                self.db["duty"].insert_all(rows)

    def sync_categories(self, categories: Iterable[str]) -> None:
        """The pick categories of the configuration, which a trigger checks every pick against."""
        with self.db.atomic():
            self.db.execute("DELETE FROM pick_categories")
            self.db["pick_categories"].insert_all({"name": name} for name in categories)

    # --- runs ----------------------------------------------------------------------------------

    def start_run(self, kind: str, mode: str) -> int:
        with self.db.atomic():
            table = self.db["runs"].insert(
                {"kind": kind, "started_at": utc_now(), "mode": mode, "status": "running"}
            )
        return int(table.last_pk)

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        """Mark a run finished; call it inside the transaction of the run's last writes."""
        self.db["runs"].update(
            run_id, {"finished_at": utc_now(), "status": "ok", "stats": json.dumps(stats, default=str)}
        )

    def last_runs(self, kind: str, count: int = 2) -> list[dict[str, Any]]:
        """The newest finished runs of a kind (an interrupted run is never one of them)."""
        return list(
            self.db.query(
                "SELECT * FROM runs WHERE kind = ? AND status = 'ok' ORDER BY id DESC LIMIT ?", [kind, count]
            )
        )
