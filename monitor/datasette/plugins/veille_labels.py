"""French words and dates on Datasette's own pages: every cell of a table or canned query, and every
facet value, reads through `monitor.labels.cell_text` (codes such as `propose`, `linked_nofollow`,
`travail_force`, ISO UTC timestamps become « Choix proposé », « Lien visible mais nofollow »,
« Travail forcé », « 26/11/2026 04:10 »)."""

from __future__ import annotations

import re
from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from monitor.desk.actions import SECRETARIAT
from monitor.labels import cell_text, label

ISO_LINK_TEXT = re.compile(r">(\d{4}-\d{2}-\d{2}(?:T[^<]*)?)<")


# Columns holding an account id: shown as the person's name (an account that is no association is
# the secretariat's).
PERSON_COLUMNS = {"member_id", "created_by", "decided_by", "on_duty"}


@hookimpl
def render_cell(value: Any, column: str, table: str | None, datasette: Any) -> Any:
    if column in PERSON_COLUMNS and isinstance(value, str) and value:

        async def name() -> str:
            rows = (
                await datasette.get_database().execute("SELECT name FROM members WHERE id = ?", [value])
            ).rows
            return rows[0][0] if rows else SECRETARIAT

        return name
    return cell_text(table, column, value)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["libelle"] = lambda value, table, column: cell_text(table, column, value) or value
    env.filters["operateur"] = lambda name: label("filter_operator", name)
    env.filters["cle"] = key_link


def key_link(link: Any) -> Markup:
    """Datasette's link to a row, its text read in French when the key is a date."""
    return Markup(
        ISO_LINK_TEXT.sub(lambda m: ">" + str(escape(cell_text(None, "date", m[1]) or m[1])) + "<", str(link))
    )
