"""The SQLite store: every table Veille keeps, created and migrated here, written only through here.

Tables: `members`, `runs`, `link_checks`, `backlinks`, `link_events` (the backlink audit, see
`links.py`); `sources`, `articles`, `article_sources`, `stories`, `rejections` (the news watch, see
`news.py`). The schema is in `schema.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.config import Member
from monitor.rota import Turn
from monitor.store.links import LinkTables
from monitor.store.news import NewsTables
from monitor.store.schema import migrations


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Store(LinkTables, NewsTables):
    """Veille's database. Open it with `Store.open(path)`: WAL mode, migrations applied."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path | str) -> Store:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        migrations.apply(db)
        return cls(db)

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
        with self.db.conn:
            self.db.execute("UPDATE members SET active = 0")
            self.db["members"].upsert_all(rows, pk="id")

    # --- watch duty ------------------------------------------------------------------------------

    def save_duty(self, turns: Iterable[Turn]) -> None:
        """Replace the stored schedule with these turns."""
        rows = [
            {"start": t.start.isoformat(), "end": t.end.isoformat(), "member_id": t.member_id, "note": t.note}
            for t in turns
        ]
        with self.db.conn:
            self.db.execute("DELETE FROM duty")
            if rows:
                self.db["duty"].insert_all(rows)

    # --- runs ----------------------------------------------------------------------------------

    def start_run(self, kind: str, mode: str) -> int:
        table = self.db["runs"].insert({"kind": kind, "started_at": utc_now(), "mode": mode})
        return int(table.last_pk)

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        self.db["runs"].update(run_id, {"finished_at": utc_now(), "stats": json.dumps(stats, default=str)})

    def last_runs(self, kind: str, count: int = 2) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM runs WHERE kind = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT ?",
                [kind, count],
            )
        )
