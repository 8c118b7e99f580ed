"""The rota as a calendar an association can subscribe to: `/rota.ics` (iCalendar, RFC 5545), one
all-day event per turn of watch duty, in Paris time. Public, like the published news: a calendar
application cannot log in, and the rota says only which association watches when."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from monitor.labels import PARIS

TURNS = (
    'SELECT d.start, d."end", d.member_id, coalesce(m.name, d.member_id) AS name, d.note'
    " FROM duty d LEFT JOIN members m ON m.id = d.member_id ORDER BY d.start"
)


def calendar(turns: list[dict[str, Any]], stamp: datetime, desk_url: str = "") -> bytes:
    from icalendar import Calendar, Event

    feed = Calendar()
    feed.add("prodid", "-//Collectif Ensemble contre la traite//Veille//FR")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", "Roulement de la veille")
    feed.add("x-wr-timezone", "Europe/Paris")
    for turn in turns:
        event = Event()
        event.add("uid", f"tour-{turn['start']}-{turn['member_id']}@veille.contrelatraite.org")
        event.add("dtstamp", stamp)
        event.add("dtstart", date.fromisoformat(turn["start"]))
        event.add("dtend", date.fromisoformat(turn["end"]) + timedelta(days=1))  # the end is exclusive
        event.add("summary", f"Veille : {turn['name']}")
        description = "Tour de veille d'actualité du Collectif." + (
            f" {turn['note']}" if turn["note"] else ""
        )
        event.add("description", description)
        if desk_url:
            event.add("url", desk_url)
        feed.add_component(event)
    return feed.to_ical()


async def rota_ics(request: Any, datasette: Any) -> Response:
    rows = (await datasette.get_database().execute(TURNS)).rows
    body = calendar(
        [dict(row) for row in rows], datetime.now(PARIS), request.url.rsplit("/rota.ics", 1)[0] + "/"
    )
    return Response(body, content_type="text/calendar; charset=utf-8")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/rota\.ics$", rota_ics)]
