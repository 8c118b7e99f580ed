"""« Rapport des liens » (`/liens`): the backlink report the secretariat reads (the same page as
`veille links report`), served in the desk for the secretariat only: it holds the members' contacts
and the letters to send them."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from monitor.config import ConfigError, load_config
from monitor.desk.pages import secretariat_gate
from monitor.links.report import build_report, render
from monitor.store import Store
from monitor.store import database as store_database


async def links_page(request: Any, datasette: Any) -> Response:
    gate = secretariat_gate(datasette, request, "Le rapport des liens est réservé au secrétariat.")
    if gate:
        return gate
    folder = Path((datasette.plugin_config("veille") or {}).get("config_dir") or ".")
    try:
        config = load_config(folder)
    except (ConfigError, OSError):
        message = f"Rapport indisponible : la configuration ({folder}) est illisible."
        return Response.html(f"<p>{html.escape(message)}</p>", 500)
    database = datasette.get_database()

    def report(connection: Any) -> str:
        return render(build_report(Store(store_database(connection), database.path), config), "html")

    return Response.html(await database.execute_fn(report))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/liens$", links_page)]
