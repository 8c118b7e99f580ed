"""The requests to members without a proper link (`veille links remind`): the ready-made messages of the
backlink report, to the member's configured contact, at most once per `night.reminder_every_days`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.night.notices import Message, Part

SUBJECT = "Un lien vers le site du Collectif « Ensemble contre la traite des êtres humains »"


def reminders(
    report: dict[str, Any], last_sent: dict[str, str | None], now: datetime, every_days: int
) -> list[Message]:
    """One message per member the report has a request for, with a contact, not reminded lately."""
    found = []
    for request in report["requests"]:
        contact = request.get("contact")
        last = last_sent.get(contact or "")
        if not contact or (last and datetime.fromisoformat(last) > now - timedelta(days=every_days)):
            continue
        paragraphs = tuple(p.strip() for p in request["message"].split("\n\n") if p.strip())
        found.append(Message(contact, SUBJECT, (Part("reminder", "", SUBJECT, paragraphs),)))
    return found
