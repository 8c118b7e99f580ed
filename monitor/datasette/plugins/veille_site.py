"""« Audit du site » (`/audit`): the latest audit of the Collectif's own site, for the secretariat only
(the same report as `veille site report`, inside the desk)."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from monitor.desk.pages import secretariat_gate
from monitor.site.report import render, site_report
from monitor.store import Store
from monitor.store import database as store_database


async def audit_page(request: Any, datasette: Any) -> Response:
    gate = secretariat_gate(datasette, request, "L'audit du site est réservé au secrétariat.")
    if gate:
        return gate
    database = datasette.get_database()

    def report(connection: Any) -> str:
        store = Store(store_database(connection), database.path)
        return render(site_report(store), "", "html", fragment=True)

    fragment = await database.execute_fn(report)
    return Response.html(await datasette.render_template("audit.html", {"audit": fragment}, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/audit$", audit_page)]
