"""Tables of the night's job: `nights` (each night and its stages) and `outbox` (every message)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils


class NightTables:
    db: sqlite_utils.Database

    def start_night(self, at: str) -> int:
        with self.db.atomic():
            table = self.db["nights"].insert({"started_at": at, "status": "running", "stages": "[]"})
        return int(table.last_pk)

    def record_stages(self, night_id: int, stages: list[dict[str, Any]]) -> None:
        """The stages so far, after each one: a killed night shows how far it got."""
        with self.db.atomic():
            self.db["nights"].update(night_id, {"stages": json.dumps(stages, ensure_ascii=False)})

    def finish_night(self, night_id: int, status: str, at: str) -> None:
        with self.db.atomic():
            self.db["nights"].update(night_id, {"status": status, "finished_at": at})

    def last_good_night(self) -> datetime | None:
        """When the newest night that ended well started: what catch-up is judged against."""
        row = next(self.db.query("SELECT max(started_at) AS at FROM nights WHERE status = 'ok'"), None)
        return datetime.fromisoformat(row["at"]) if row and row["at"] else None

    def nights_since(self, since: str) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM nights WHERE started_at > ? ORDER BY id", [since]))

    # --- outbox --------------------------------------------------------------------------------

    def record_messages(self, rows: list[dict[str, Any]]) -> None:
        with self.db.atomic():
            self.db["outbox"].insert_all(
                {**row, "kinds": json.dumps(row["kinds"]), "keys": json.dumps(row["keys"])} for row in rows
            )

    def last_sent(self, recipient: str, kind: str) -> str | None:
        """When a message of this kind last reached this recipient (ISO), or None."""
        row = next(
            self.db.query(
                "SELECT max(created_at) AS at FROM outbox, json_each(outbox.kinds)"
                " WHERE recipient = ? AND json_each.value = ? AND status = 'envoyé'",
                [recipient, kind],
            ),
            None,
        )
        return row["at"] if row else None

    def sent_keys(self) -> set[str]:
        return {
            row["value"]
            for row in self.db.query(
                "SELECT json_each.value AS value FROM outbox, json_each(outbox.keys) WHERE status = 'envoyé'"
            )
        }
