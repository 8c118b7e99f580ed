"""What changed for one member between two nights: links gained, lost, hidden, nofollowed, and the
site going down or coming back.

Pure: takes the stored state of the member's links and tonight's outcome, returns the new state and
the events. A link is lost only after two consecutive nights on which its page was read and the link
was not there; a night on which the site (or that page) could not be read changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from monitor.links.verdict import SiteOutcome, is_followed

# Consecutive readable nights without the link before it is declared lost.
MISSES_BEFORE_LOST = 2


def backlink_id(member_id: str, page: str, url: str) -> str:
    """Stable identity of a link: the member, the page it is on and where it leads."""
    return hashlib.sha1(f"{member_id}\n{page}\n{url}".encode()).hexdigest()[:16]


@dataclass
class Reconciliation:
    backlinks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def merge_occurrences(links: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """One entry per (page, target): visible if any occurrence is, followed if a visible one is."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for link in links:
        key = (link["page"], link["url"])
        best = merged.get(key)
        rank = (bool(link.get("visible")), is_followed(link) and bool(link.get("visible")))
        if best is None or rank > (
            bool(best.get("visible")),
            is_followed(best) and bool(best.get("visible")),
        ):
            merged[key] = link
    return merged


def _event(member_id: str, kind: str, backlink: str | None = None, detail: str = "") -> dict[str, Any]:
    return {"member_id": member_id, "event": kind, "backlink_id": backlink, "detail": detail}


def reconcile(
    member_id: str,
    stored: list[dict[str, Any]],
    previous_status: str | None,
    outcome: SiteOutcome,
    now: str,
) -> Reconciliation:
    """New state of the member's stored backlinks, and the events of tonight."""
    result = Reconciliation()
    readable_before = previous_status is None or previous_status in (
        "linked",
        "linked_nofollow",
        "hidden",
        "missing",
    )
    if not outcome.was_read:
        if outcome.status in ("unreachable", "blocked") and readable_before and previous_status is not None:
            result.events.append(
                _event(member_id, "site_unreachable", detail=outcome.error or outcome.status)
            )
        return result
    if previous_status in ("unreachable", "blocked"):
        result.events.append(_event(member_id, "site_back"))

    found = merge_occurrences(outcome.links)
    by_key = {(b["page_url"], b["url"]): b for b in stored}
    for key, link in found.items():
        identity = backlink_id(member_id, *key)
        old = by_key.get(key)
        visible, followed = bool(link.get("visible")), is_followed(link)
        row = {
            "id": identity,
            "member_id": member_id,
            "page_url": link["page"],
            "url": link["url"],
            "href": link.get("href", ""),
            "text": link.get("text", ""),
            "rel": " ".join(link.get("rel") or []),
            "location": link.get("location", "other"),
            "visible": int(visible),
            "hidden_reason": link.get("hidden_reason"),
            "depth": link.get("depth"),
            "judged_by": link.get("judged_by", "static"),
            "first_seen": now,
            "last_seen": now,
            "present": 1,
            "missed_runs": 0,
            "lost_at": None,
        }
        if old is None or not old["present"]:
            result.events.append(_event(member_id, "gained", identity, link["page"]))
        else:
            row["first_seen"] = old["first_seen"]
            was_followed = not set((old.get("rel") or "").split()) & {"nofollow", "sponsored", "ugc"}
            if old["visible"] and not visible:
                result.events.append(
                    _event(member_id, "became_hidden", identity, link.get("hidden_reason") or "")
                )
            elif not old["visible"] and visible:
                result.events.append(_event(member_id, "became_visible", identity))
            if was_followed and not followed:
                result.events.append(_event(member_id, "became_nofollow", identity))
            elif not was_followed and followed:
                result.events.append(_event(member_id, "became_followed", identity))
        result.backlinks.append(row)

    for key, old in by_key.items():
        if key in found or not old["present"]:
            continue
        page = key[0]
        if page not in outcome.pages_read and page not in outcome.pages_gone:
            continue  # the page was not read tonight: nothing is known of the link
        row = dict(old, missed_runs=old["missed_runs"] + 1)
        if row["missed_runs"] >= MISSES_BEFORE_LOST:
            row.update(present=0, lost_at=now)
            result.events.append(_event(member_id, "lost", old["id"], page))
        result.backlinks.append(row)
    return result
