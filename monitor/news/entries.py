"""Pure judgements on a harvested entry before it is stored: its plain text, whether it can be kept,
whether its date can be trusted, and its relevance as columns."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import lxml.html

from monitor.relevance import Relevance


def plain_text(value: str) -> str:
    """Text of a title or summary that may hold HTML (already sanitised by feedparser)."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        with contextlib.suppress(ValueError, lxml.etree.ParserError):
            value = lxml.html.fromstring(f"<div>{value}</div>").text_content()
    return " ".join(value.split())


def judgement_columns(judged: Relevance) -> dict[str, Any]:
    """The judgement of an article, as its columns."""
    return {"score": judged.score, "relevant": int(judged.relevant), "topics": json.dumps(judged.topics),
            "kind": judged.kind, "matched": json.dumps(judged.matched, ensure_ascii=False),
            "weak": int(judged.weak), "evidence": judged.evidence,
            "why": json.dumps(judged.why, ensure_ascii=False)}  # fmt: skip


def entry_problem(entry: dict[str, Any], canonical: str | None) -> str | None:
    """Why an entry cannot be kept, or None."""
    if not entry.get("link"):
        return "entrée sans lien"
    if canonical is None:
        return f"lien inutilisable : {entry['link'][:200]}"
    if not (entry.get("title") or "").strip() and not (entry.get("summary") or "").strip():
        return "entrée sans titre ni résumé"
    return None


def trusted_date(published: str | None, now: datetime, tolerance_h: int) -> tuple[str | None, str | None]:
    """(publication date, note): a date too far in the future is not kept."""
    if not published:
        return None, None
    moment = datetime.fromisoformat(published)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now + timedelta(hours=tolerance_h):
        return None, f"date dans le futur ignorée : {published}"
    return moment.astimezone(UTC).isoformat(), None
