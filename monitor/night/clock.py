"""When nights happen: the schedule's crontab line as an APScheduler trigger (Paris time), and whether
a night was missed while the machine was off. Pure, given the time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.labels import PARIS

FIELDS = ("minute", "hour", "day", "month", "day_of_week")


def cron_trigger(line: str) -> Any:
    """`15 4 * * *` (minute hour day month weekday) or, with seconds first, `*/2 * * * * *`.

    Weekdays are APScheduler's: names (`mon`-`sun`) or 0 = Monday, unlike cron's 0 = Sunday."""
    from apscheduler.triggers.cron import CronTrigger

    parts = line.split()
    if len(parts) not in (5, 6):
        raise ValueError("5 champs attendus (minute heure jour mois jour-de-semaine), ou 6 avec les secondes")
    names = ("second", *FIELDS) if len(parts) == 6 else FIELDS
    return CronTrigger(timezone=PARIS, **dict(zip(names, parts, strict=True)))


def last_due(trigger: Any, now: datetime, look_back: timedelta) -> datetime | None:
    """The latest moment the schedule fired at or before `now`, within `look_back`; None if none."""
    moment = trigger.get_next_fire_time(None, now - look_back)
    due = None
    while moment is not None and moment <= now:
        due = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return due


def missed_night(
    trigger: Any, now: datetime, last_success: datetime | None, catch_up: timedelta
) -> datetime | None:
    """The scheduled moment to catch up at start: one that fell within `catch_up` before `now` and
    has no successful night since (the database says, not memory)."""
    due = last_due(trigger, now, catch_up)
    if due is None or (last_success is not None and last_success >= due):
        return None
    return due


def paris_now() -> datetime:
    return datetime.now(PARIS)
