"""Watch duty ("roulement"): who is on duty on a given day. Pure.

Turns of `turn_weeks` follow each other from `start`, through the participating members in order.
Overrides (swaps, holidays) give a date range to another member; the turns they cut are split.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Turn:
    """A member on duty from `start` to `end` (inclusive); an override is a turn given by hand."""

    start: date
    end: date
    member_id: str
    note: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def schedule(
    start: date, turn_weeks: int, members: list[str], overrides: list[Turn], until: date
) -> list[Turn]:
    """Every turn from `start` to `until`, overrides applied."""
    if not members or turn_weeks <= 0:
        return []
    regular: list[Turn] = []
    length = timedelta(weeks=turn_weeks)
    index, turn_start = 0, start
    while turn_start <= until:
        regular.append(
            Turn(turn_start, turn_start + length - timedelta(days=1), members[index % len(members)])
        )
        index += 1
        turn_start += length
    turns: list[Turn] = []
    for turn in regular:
        turns += _apply(turn, sorted(overrides, key=lambda o: o.start))
    return _merge(turns)


def _apply(turn: Turn, overrides: list[Turn]) -> list[Turn]:
    """Cut a turn where overrides fall inside it."""
    pieces, cursor = [], turn.start
    for override in overrides:
        if override.end < turn.start or override.start > turn.end:
            continue
        begin, end = max(override.start, turn.start), min(override.end, turn.end)
        if begin > cursor:
            pieces.append(Turn(cursor, begin - timedelta(days=1), turn.member_id))
        pieces.append(Turn(begin, end, override.member_id, override.note or "remplacement"))
        cursor = end + timedelta(days=1)
    if cursor <= turn.end:
        pieces.append(Turn(cursor, turn.end, turn.member_id))
    return pieces


def _merge(turns: list[Turn]) -> list[Turn]:
    """Join consecutive pieces of the same member with the same note."""
    merged: list[Turn] = []
    for turn in turns:
        last = merged[-1] if merged else None
        if (
            last
            and last.member_id == turn.member_id
            and last.note == turn.note
            and last.end + timedelta(days=1) == turn.start
        ):
            merged[-1] = Turn(last.start, turn.end, turn.member_id, turn.note)
        else:
            merged.append(turn)
    return merged


def on_duty(turns: list[Turn], day: date) -> Turn | None:
    return next((turn for turn in turns if turn.covers(day)), None)


def planned_turns(start: date, turn_weeks: int, members: list[str], overrides: list[Turn], today: date,
                  weeks: int = 52) -> list[Turn]:  # fmt: skip
    """The stored schedule: every turn from the rota's start to a year (at least) ahead of today."""
    horizon = max(today, start) + timedelta(weeks=max(weeks, 52))
    return schedule(start, turn_weeks, members, overrides, horizon)


def unreachable(rota_members: list[str], emails: dict[str, str | None]) -> list[str]:
    """The members on the rota with no address (`emails`: member → contact_email): neither the
    handover nor the digest can reach them."""
    return [m for m in dict.fromkeys(rota_members) if m != "secretariat" and not emails.get(m)]


def unreachable_warning(names: list[str]) -> str:
    """What `veille config check` and `veille doctor` say of them, in French."""
    who = ", ".join(names)
    return f"sans adresse (contact_email dans members.yml), donc sans message de passation ni résumé : {who}"
