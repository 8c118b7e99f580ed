"""Tables of the backlink audit: link checks, backlinks and their events."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from monitor.config import Member
from monitor.links.history import Reconciliation
from monitor.links.verdict import SiteOutcome


class LinkTables:
    db: sqlite_utils.Database

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
        """Store one member's check, its links and its events in one transaction (idempotent per run);
        inside a larger transaction (a whole run, see `links.run_links`), as part of it."""
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
        with self.db.atomic():
            self.db["link_checks"].upsert(check, pk=("run_id", "member_id"))
            if changes.backlinks:
                self.db["backlinks"].upsert_all(changes.backlinks, pk="id")
            self.db.execute("DELETE FROM link_events WHERE run_id = ? AND member_id = ?", [run_id, member_id])
            if changes.events:
                self.db["link_events"].insert_all({**e, "run_id": run_id, "at": at} for e in changes.events)
