"""The SQLite store: every table Veille keeps, created and migrated here, written only through here.

Tables: `members`, `runs`, `link_checks` (one row per member per run), `backlinks` (each distinct
link ever seen, with its present state), `link_events` (what changed, run by run).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.config import Member
from monitor.history import Reconciliation
from monitor.verdict import SiteOutcome

migrations = Migrations("veille")


@migrations()
def m001_backlinks(db: sqlite_utils.Database) -> None:
    db["members"].create(
        {"id": str, "name": str, "site_url": str, "contact_email": str, "link_pages": str, "active": int},
        pk="id",
    )
    db["runs"].create(
        {"id": int, "kind": str, "started_at": str, "finished_at": str, "mode": str, "stats": str},
        pk="id",
    )
    db["link_checks"].create(
        {
            "run_id": int,
            "member_id": str,
            "status": str,
            "pages_crawled": int,
            "mode": str,
            "error": str,
            "final_url": str,
            "links_found": int,
            "visible_links": int,
            "mentions": str,
            "checked_at": str,
        },
        pk=("run_id", "member_id"),
        foreign_keys=[("run_id", "runs", "id"), ("member_id", "members", "id")],
    )
    db["backlinks"].create(
        {
            "id": str,
            "member_id": str,
            "page_url": str,
            "url": str,
            "href": str,
            "text": str,
            "rel": str,
            "location": str,
            "visible": int,
            "hidden_reason": str,
            "depth": int,
            "judged_by": str,
            "first_seen": str,
            "last_seen": str,
            "present": int,
            "missed_runs": int,
            "lost_at": str,
        },
        pk="id",
        foreign_keys=[("member_id", "members", "id")],
    )
    db["link_events"].create(
        {
            "id": int,
            "run_id": int,
            "member_id": str,
            "event": str,
            "backlink_id": str,
            "detail": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("member_id", "members", "id")],
    )
    db["link_checks"].create_index(["member_id", "run_id"])
    db["backlinks"].create_index(["member_id", "present"])
    db["link_events"].create_index(["run_id"])


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Store:
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

    # --- backlinks -----------------------------------------------------------------------------

    def backlinks_of(self, member_id: str) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM backlinks WHERE member_id = ?", [member_id]))

    def known_link_pages(self, member: Member) -> list[str]:
        """Pages to re-check at any depth: where a link was last seen, and the configured ones."""
        stored = [
            row["page_url"]
            for row in self.db.query(
                "SELECT DISTINCT page_url FROM backlinks WHERE member_id = ? AND present = 1", [member.id]
            )
        ]
        return list(dict.fromkeys([*member.link_pages, *stored]))

    def previous_status(self, member_id: str) -> str | None:
        row = next(
            self.db.query(
                "SELECT status FROM link_checks WHERE member_id = ? ORDER BY run_id DESC LIMIT 1", [member_id]
            ),
            None,
        )
        return row["status"] if row else None

    def record_check(
        self, run_id: int, member_id: str, outcome: SiteOutcome, changes: Reconciliation, at: str
    ) -> None:
        """Store one member's check, its links and its events in one transaction (idempotent per run)."""
        check = {
            "run_id": run_id,
            "member_id": member_id,
            "status": outcome.status,
            "pages_crawled": outcome.pages_crawled,
            "mode": outcome.mode,
            "error": outcome.error,
            "final_url": outcome.final_url,
            "links_found": len(outcome.links),
            "visible_links": sum(1 for link in outcome.links if link.get("visible")),
            "mentions": json.dumps(sorted({m["page"] for m in outcome.mentions})),
            "checked_at": at,
        }
        with self.db.conn:
            self.db["link_checks"].upsert(check, pk=("run_id", "member_id"))
            if changes.backlinks:
                self.db["backlinks"].upsert_all(changes.backlinks, pk="id")
            self.db.execute("DELETE FROM link_events WHERE run_id = ? AND member_id = ?", [run_id, member_id])
            if changes.events:
                self.db["link_events"].insert_all({**e, "run_id": run_id, "at": at} for e in changes.events)
