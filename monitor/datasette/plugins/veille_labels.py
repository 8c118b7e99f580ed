"""French words and dates on Datasette's own pages: every cell of a table or canned query, and every
facet value, reads through `monitor.labels.cell_text` (codes such as `propose`, `linked_nofollow`,
`travail_force`, ISO UTC timestamps become « Choix proposé », « Lien visible mais nofollow »,
« Travail forcé », « 26/11/2026 04:10 »)."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from monitor.labels import cell_text, label


@hookimpl
def render_cell(value: Any, column: str, table: str | None) -> str | None:
    return cell_text(table, column, value)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["libelle"] = lambda value, table, column: cell_text(table, column, value) or value
    env.filters["operateur"] = lambda name: label("filter_operator", name)
