"""What the desk's own pages share."""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Forbidden, Response

from monitor.desk_login import login_url


def secretariat_gate(datasette: Any, request: Any, refusal: str) -> Response | None:
    """None for the secretariat; the log-in page for an anonymous visitor; `refusal` (403) otherwise."""
    actor = request.actor
    if not actor:
        return Response.redirect(login_url(datasette.urls.path("/"), request.path, request.query_string))
    if actor.get("role") != "secretariat":
        raise Forbidden(refusal)
    return None
