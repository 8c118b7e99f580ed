"""Expected errors (404, 403, 400, 405) and Datasette's « Forbidden » page answered in French, with
one log line.

Datasette's own handler prints a full traceback for every error, with `rich` (a Veille dependency)
rendering every local variable: half a second of blocked server per 404, an easy way to stall the
desk. This hook wraps the others and, for an expected error, replaces their answers with its own,
so theirs never run; unexpected errors (500) keep Datasette's handling and its traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError

from monitor.desk_login import login_url

log = logging.getLogger("veille.desk")
MESSAGES = {
    400: "La demande n'a pas pu être traitée : vérifiez ce que vous avez saisi.",
    403: "Vous n'avez pas accès à cette page. Connectez-vous, ou demandez l'accès au secrétariat.",
    404: "Page introuvable.",
    405: "Cette action n'est pas possible ici.",
}


# Datasette's own words for a visitor's bad parameter, said in French.
DATASETTE_ERRORS = (
    (re.compile(r"^Cannot sort table by (.+)$"), "Impossible de trier par « {0} »."),
    (re.compile(r"^Cannot use _sort and _sort_desc at the same time$"), "Choisissez un seul ordre de tri."),
    (re.compile(r"^_size must be a positive integer$"), "Le nombre de lignes par page doit être positif."),
    (re.compile(r"^_size must be <= (\d+)$"), "Au plus {0} lignes par page."),
    (re.compile(r"^Invalid _facet"), "Impossible de regrouper par cette colonne."),
    (re.compile(r"^no such column: (.+)$"), "Colonne inconnue : « {0} »."),
)  # fmt: skip


def message_for(status: int, exception: BaseException) -> str:
    """The French message for an expected error: Datasette's own words translated, else the status's."""
    text = str(getattr(exception, "message", "") or exception or "")
    for pattern, french in DATASETTE_ERRORS:
        found = pattern.match(text)
        if found:
            return french.format(*found.groups())
    return MESSAGES.get(status, MESSAGES[400])


def expected_status(exception: BaseException) -> int | None:
    """The 4xx status of an error that is a normal answer, or None for a real failure."""
    status = getattr(exception, "status", None)
    if isinstance(exception, (Base400, DatasetteError)) and isinstance(status, int) and status < 500:
        return status
    # Datasette raises its own error with status 500 for a visitor's bad parameter (« Cannot sort
    # table by … »): a wrong address, answered in French, not a failure of the desk.
    if isinstance(exception, DatasetteError):
        return 400
    return None


@hookimpl(wrapper=True)
def handle_exception(datasette: Any, request: Any, exception: BaseException) -> Any:
    answers = yield
    status = expected_status(exception)
    if status is None:
        return answers
    return [lambda: error_page(datasette, request, status, message_for(status, exception))]


@hookimpl
def forbidden(datasette: Any, request: Any) -> Any:
    """Datasette's « Forbidden » page (a page the visitor may not see), in French."""
    return lambda: error_page(datasette, request, 403)


async def error_page(datasette: Any, request: Any, status: int, message: str | None = None) -> Response:
    log.info("%s %s → %s", request.method, request.path, status)
    if status == 403 and not request.actor and request.method == "GET" and not request.path.endswith(".json"):
        # A link opened while logged out (an e-mail's): log in first, then land on it.
        return Response.redirect(login_url(datasette.urls.path("/"), request.path, request.query_string))
    message = message or MESSAGES.get(status, MESSAGES[400])
    if request.path.endswith(".json"):
        return Response.json({"ok": False, "status": status, "error": message}, status=status)
    html = await datasette.render_template(
        "error.html", {"status": status, "error": message}, request=request
    )
    return Response.html(html, status=status)
