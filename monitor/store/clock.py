"""Times as the store keeps them: ISO 8601 in UTC, to the second (texts with different offsets would
not sort as times)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def utc_now() -> str:
    return utc(datetime.now(UTC))
