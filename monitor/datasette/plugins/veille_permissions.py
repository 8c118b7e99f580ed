"""Who may read what on the triage desk.

Anonymous visitors see the published news only (and the pages listed in `triage.public_pages` of
data/config.yml, given to this plugin as its configuration); logged-in associations read the pages
of ASSOCIATION_PAGES, a list of what their work needs; every other table (the nights' journal and
outbox, the raw technical tables, any table a later migration adds) is for the secretariat (actors
with `"role": "secretariat"`), who alone also downloads the database file and runs arbitrary SQL
(`?sql=`, `_where`). Nobody edits rows
through Datasette's API: decisions go through the desk's own pages (plugins/veille_triage.py), which
check who is on duty themselves.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

# What an association reads: the stories and their articles, the picks, the sources, the rota, the
# backlinks and their checks, and the desk's read-only pages. Not listed, so for the secretariat
# only: the nights' journal (addresses, errors), `members` (contact addresses), `runs`, the site
# audit, the caches, the search indexes, the migrations, the relevance model (associations read
# members' names through the other tables' labels).
ASSOCIATION_PAGES = {
    "stories", "articles", "picks", "sources", "duty", "backlinks", "link_checks", "link_events",
    "rechercher", "publies", "rapport_liens", "liens_perdus", "historique",
}  # fmt: skip
# What the desk reads for speed, with nothing of its own (story_index: the stories' sort and facet
# columns, m017; stories_version: a count of their writes, m021): shown to nobody, as raw codes.
INTERNAL_TABLES = {"story_index", "stories_version"}
ROW_EDITS = {"insert-row", "delete-row", "update-row", "create-table", "drop-table", "alter-table"}


def public_pages(datasette: Any) -> set[str]:
    return set((datasette.plugin_config("veille") or {}).get("public_pages", ["publies"]))


def is_secretariat(actor: dict[str, Any] | None) -> bool:
    return bool(actor) and actor.get("role") == "secretariat"  # type: ignore[union-attr]


@hookimpl
def permission_allowed(
    datasette: Any, actor: dict[str, Any] | None, action: str, resource: Any
) -> bool | None:
    if action in ("view-instance", "view-database"):
        return True
    if action in ("view-query", "view-table"):
        name = resource[1] if isinstance(resource, tuple) else None
        if name in INTERNAL_TABLES:
            return False
        if name in public_pages(datasette):
            return True
        return is_secretariat(actor) or (bool(actor) and name in ASSOCIATION_PAGES)
    if action in ("view-database-download", "execute-sql"):  # the file holds the outbox's addresses too
        return is_secretariat(actor)
    if action in ROW_EDITS:
        return False
    return None
