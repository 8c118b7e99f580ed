"""Tables of the site audit: `site_pages` and `site_findings` (per audit, an audit being a `runs` row
of kind « site »), and `link_check_cache` (outgoing links found working, and when)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from monitor.site.catalogue import KINDS
from monitor.site.model import Finding
from monitor.store.clock import utc


class SiteTables:
    db: sqlite_utils.Database

    def fresh_link_checks(self, now: datetime, days: int) -> dict[str, dict[str, Any]]:
        """Links found working less than `days` ago: not asked again, their answer taken from here."""
        since = utc(now - timedelta(days=days))
        rows = self.db.query("SELECT * FROM link_check_cache WHERE checked_at > ?", [since]) if days else []
        return {row["url"]: row for row in rows}

    def save_audit(
        self, run_id: int, pages: list[dict[str, Any]], findings: list[Finding],
        link_checks: list[dict[str, Any]], checked_at: str,
    ) -> None:  # fmt: skip
        """An audit's pages and findings, and the links found working; call inside the run's
        last transaction (with `finish_run`), so an audit is stored whole or not at all."""
        self.db["site_pages"].insert_all(
            (
                {
                    "run_id": run_id,
                    "url": page["url"],
                    "status": page.get("status"),
                    "final_url": page.get("final_url"),
                    "title": next(iter((page.get("facts") or {}).get("titles") or []), None),
                    "bytes": page.get("bytes"),
                    "response_ms": page.get("response_ms"),
                    "error": page.get("error"),
                }
                for page in pages
            ),
            replace=True,
        )
        self.db["site_findings"].insert_all(
            (
                {
                    "run_id": run_id,
                    "code": f.code,
                    "subject": f.subject,
                    "severity": KINDS[f.code].severity,
                    "theme": KINDS[f.code].theme,
                    "label": KINDS[f.code].label,
                    "pages": json.dumps(list(f.pages), ensure_ascii=False),
                    "detail": f.detail,
                }
                for f in findings
            ),
            replace=True,
        )
        working = [
            {"url": c["url"], "host": c["host"], "status": c.get("status"), "final_url": c.get("final_url"),
             "checked_at": checked_at}
            for c in link_checks
            if c.get("ok") and not c.get("internal") and not c.get("cached")
        ]  # fmt: skip
        if working:
            self.db["link_check_cache"].upsert_all(working, pk="url")
        broken = [c["url"] for c in link_checks if not c.get("ok")]
        for start in range(0, len(broken), 500):
            chunk = broken[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM link_check_cache WHERE url IN ({marks})", chunk)

    def audit_findings(self, run_id: int) -> list[Finding]:
        rows = self.db.query("SELECT * FROM site_findings WHERE run_id = ? ORDER BY rowid", [run_id])
        return [
            Finding(r["code"], r["subject"], tuple(json.loads(r["pages"])), r["detail"] or "") for r in rows
        ]

    def audit_page_count(self, run_id: int) -> int:
        return int(
            self.db.execute("SELECT count(*) FROM site_pages WHERE run_id = ?", [run_id]).fetchone()[0]
        )
