"""The home page: who is on duty this week, how many stories wait, what was published.

Served by the desk's own route rather than Datasette's index view: that view lists every table of
every database with its count and checks each table's visibility (Datasette 0.65 deep-copies the
whole metadata for each check: ~70 % of the home page's ~100 ms at 1,000,000 articles), for a list
the desk's index.html never shows. `/.json` stays Datasette's."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Base400, Response
from datasette.version import __version__

from monitor.desk.queues import WAITING_COUNT, todays_turn


async def count(database: Any, sql: str) -> int | str:
    """A count for the home page, or « ? » when it cannot be had in time: the page must open. The
    desk's database remembers it until something is written (monitor/desk/remembered.py)."""
    execute = getattr(database, "execute_remembered", database.execute)
    try:
        return int((await execute(sql)).rows[0][0])
    except QueryInterrupted:
        return "?"


class WrongMethod(Base400):
    """A POST to the home page: 405, answered in French by veille_errors.py."""

    status = 405


async def home_page(request: Any, datasette: Any) -> Response:
    """index.html with what it shows, after the permission Datasette's index view asks for, with its
    footer's version and its link to `/.json`."""
    if request.method not in ("GET", "HEAD"):
        raise WrongMethod("GET")
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    json_url = datasette.absolute_url(request, datasette.urls.path("/.json"))
    context = {
        "metadata": datasette.metadata(),
        "datasette_version": __version__,
        "alternate_url_json": json_url,
    }
    page = await datasette.render_template("index.html", context, request=request, view_name="index")
    return Response.html(
        page, headers={"Link": f'{json_url}; rel="alternate"; type="application/json+datasette"'}
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/$", home_page)]


@hookimpl
def extra_template_vars(template: str, datasette: Any) -> Any:
    if template != "index.html":
        return {}

    async def home() -> dict[str, Any]:
        database = datasette.get_database()
        duty = await todays_turn(database)
        # Relevant stories minus those decided, counted from the (small) picks table: « not exists »
        # per story took 216 ms on 300,000 stories.
        waiting = await count(database, WAITING_COUNT)
        pending = await count(
            database, "select count(*) from picks where status in ('propose', 'signale', 'accepte')"
        )
        desk = datasette.metadata(database=database.name) or {}
        titles = {name: (page or {}).get("title") or name for kind in ("queries", "tables")
                  for name, page in (desk.get(kind) or {}).items()}  # fmt: skip
        return {
            "veille_db": database.name,
            "veille_public_pages": (datasette.plugin_config("veille") or {}).get("public_pages") or [],
            "veille_page_titles": titles,
            "veille_duty": duty,
            "veille_waiting": waiting,
            "veille_pending": pending,
        }

    return home
