"""The triage desk's own pages: « À trier » (`/tri`), one card per story with its decisions on it, and
« Revue » (`/revue`), the secretariat's review. Each decision is a POST that redirects back to the
list at the next card with a French message saying what really happened (monitor/desk/actions.py).
With `Accept: application/json` (or `_json=1`), the same endpoints answer JSON instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from monitor.desk.actions import REVIEW_ACTIONS, STORY_ACTIONS, Actor, Outcome, act_on_story, review_pick
from monitor.desk.queues import (
    DISMISSED_THIS_TURN,
    QUEUE,
    REVIEW,
    WEAK_QUEUE,
    WEAK_UNLISTED_COUNT,
    pick_card,
    story_card,
    todays_turn,
)
from monitor.desk_login import login_url
from monitor.labels import day_fr

QUEUE_LENGTH = 50
STATUS = {"done": 200, "already": 409, "impossible": 409, "forbidden": 403}


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


async def desk_actor(datasette: Any, request: Any) -> Actor | None:
    actor = request.actor
    if not actor:
        return None
    duty = await todays_turn(datasette.get_database())
    return Actor(
        id=actor["id"],
        name=actor.get("name") or actor["id"],
        secretariat=actor.get("role") == "secretariat",
        on_duty=bool(duty and duty["member_id"] == actor["id"]),
    )


def wants_json(request: Any, form: dict[str, str] | None = None) -> bool:
    return "application/json" in request.headers.get("accept", "") or (form or {}).get("_json") == "1"


async def _page(datasette: Any, request: Any, template: str, context: dict[str, Any]) -> Response:
    return Response.html(await datasette.render_template(template, context, request=request))


async def queue_page(request: Any, datasette: Any) -> Response:
    actor = await desk_actor(datasette, request)
    if actor is None:
        return Response.redirect(login_url(datasette.urls.path("/"), request.path, request.query_string))
    database = datasette.get_database()
    rows = (await database.execute(QUEUE, {"limit": QUEUE_LENGTH})).rows
    weak = (await database.execute(WEAK_QUEUE, {"limit": QUEUE_LENGTH})).rows
    unlisted = (await database.execute(WEAK_UNLISTED_COUNT)).rows[0][0]
    duty = await todays_turn(datasette.get_database())
    dismissed = []
    if duty and actor.may_triage:
        dismissed = [
            dict(r) for r in (await database.execute(DISMISSED_THIS_TURN, {"turn": duty["start"]})).rows
        ]
    return await _page(datasette, request, "tri.html", {
        "cards": [story_card(dict(row)) for row in rows],
        "weak_cards": [story_card(dict(row)) for row in weak],
        "weak_unlisted": unlisted,
        "veille_db": database.name,
        "desk_actor": actor,
        "duty": duty,
        "categories": (datasette.plugin_config("veille") or {}).get("categories") or [],
        "dismissed": [{**d, "day": day_fr(d["created_at"])} for d in dismissed],
        "position": request.args.get("position", ""),
    })  # fmt: skip


async def review_page(request: Any, datasette: Any) -> Response:
    actor = await desk_actor(datasette, request)
    if actor is None:
        return Response.redirect(login_url(datasette.urls.path("/"), request.path, request.query_string))
    rows = (await datasette.get_database().execute(REVIEW)).rows
    context = {"picks": [pick_card(dict(r)) for r in rows], "desk_actor": actor}
    return await _page(
        datasette, request, "revue.html", {**context, "position": request.args.get("position", "")}
    )


def _answer(datasette: Any, request: Any, form: dict[str, str], outcome: Outcome, back: str) -> Response:
    if wants_json(request, form):
        body = {"ok": outcome.done, "outcome": outcome.kind, "message": outcome.message}
        return Response.json(body, status=STATUS[outcome.kind])
    datasette.add_message(request, outcome.message, datasette.INFO if outcome.done else datasette.WARNING)
    return Response.redirect(back)


async def story_action(request: Any, datasette: Any) -> Response:
    form = await request.post_vars() if request.method == "POST" else {}
    actor = await desk_actor(datasette, request)
    action, story_id = form.get("action", ""), form.get("story_id", "")
    if request.method != "POST" or action not in STORY_ACTIONS:
        return Response.redirect(datasette.urls.path("/tri"))
    if actor is None:
        outcome = Outcome("forbidden", "Connectez-vous pour trier les histoires.")
    else:
        duty = await todays_turn(datasette.get_database())
        categories = tuple((datasette.plugin_config("veille") or {}).get("categories") or ())

        def write(conn: Any) -> Outcome:
            return act_on_story(
                conn, actor, story_id, action, now_utc(), summary=form.get("summary", ""),
                category=form.get("category", ""), categories=categories, turn=duty and duty["start"],
            )  # fmt: skip

        outcome = await datasette.get_database().execute_write_fn(write)
    query = {"position": form.get("position", "")}
    if outcome.done and action == "ecarter":
        query["ecartee"] = story_id
    # The page opens at the next card by itself (templates/_desk_keys.html): no #fragment, whose
    # scrolling would take the focus away from that card.
    back = datasette.urls.path("/tri") + "?" + urlencode(query)
    return _answer(datasette, request, form, outcome, back)


async def pick_action(request: Any, datasette: Any) -> Response:
    form = await request.post_vars() if request.method == "POST" else {}
    actor = await desk_actor(datasette, request)
    action = form.get("action", "")
    if request.method != "POST" or action not in REVIEW_ACTIONS:
        return Response.redirect(datasette.urls.path("/revue"))
    if actor is None:
        outcome = Outcome("forbidden", "Connectez-vous pour examiner les choix.")
    else:
        try:
            pick_id = int(form.get("pick_id", ""))
        except ValueError:
            pick_id = 0

        def write(conn: Any) -> Outcome:
            return review_pick(
                conn,
                actor,
                pick_id,
                action,
                now_utc(),
                summary=form.get("summary"),
                reason=form.get("reason", ""),
            )

        outcome = await datasette.get_database().execute_write_fn(write)
    back = datasette.urls.path("/revue") + "?" + urlencode({"position": form.get("position", "")})
    return _answer(datasette, request, form, outcome, back)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/tri$", queue_page),
        (r"^/tri/action$", story_action),
        (r"^/revue$", review_page),
        (r"^/revue/action$", pick_action),
    ]
