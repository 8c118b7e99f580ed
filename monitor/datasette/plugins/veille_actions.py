"""Action links in the queues: each story of « À trier » gets Choisir / Signaler / Écarter, each pick of
« Choix en attente » gets Accepter / Refuser / Publier, opening the canned-query form pre-filled."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

# Keyed by column: `histoire` and `choix` only appear in these two canned queries (render_cell
# is not told which query it renders in Datasette 0.65).
ACTIONS = {
    "histoire": ("story_id", (("choisir", "Choisir"), ("signaler", "Signaler"), ("ecarter", "Écarter"))),
    "choix": ("pick_id", (("accepter", "Accepter"), ("refuser", "Refuser"), ("publier", "Publier"))),
}


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    action = ACTIONS.get(column) if table is None else None
    if action is None or value is None:
        return None
    parameter, links = action
    target = f"{parameter}={escape(str(value))}"
    buttons = " · ".join(
        f'<a href="{escape(datasette.urls.query(database, name))}?{target}">{label}</a>'
        for name, label in links
    )
    return Markup(buttons)
