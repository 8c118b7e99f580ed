"""Who may read what on the triage desk.

Anonymous visitors see the published news only (and the pages listed in `triage.public_pages` of
data/config.yml, given to this plugin as its configuration); logged-in associations read everything
but the nights' journal and outbox; only the secretariat (actors with `"role": "secretariat"`) reads
those, downloads the database file and runs arbitrary SQL. Nobody edits rows
through Datasette's API: decisions go through the desk's own pages (plugins/veille_triage.py), which
check who is on duty themselves.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

# Pages for the secretariat only: the nights' journal names addresses and errors; the site audit is
# the secretariat's work list; `members` holds every association's contact address and `runs` the
# nights' raw statistics (associations read members' names through the other tables' labels).
SECRETARIAT_PAGES = {
    "members",
    "runs",
    "journal_des_nuits",
    "outbox",
    "nights",
    "site_findings",
    "site_pages",
    "link_check_cache",
}
ROW_EDITS = {"insert-row", "delete-row", "update-row", "create-table", "drop-table", "alter-table"}


def public_pages(datasette: Any) -> set[str]:
    return set((datasette.plugin_config("veille") or {}).get("public_pages", ["publies"]))


@hookimpl
def permission_allowed(
    datasette: Any, actor: dict[str, Any] | None, action: str, resource: Any
) -> bool | None:
    if action in ("view-instance", "view-database"):
        return True
    if action in ("view-query", "view-table"):
        name = resource[1] if isinstance(resource, tuple) else None
        if name in SECRETARIAT_PAGES:
            return bool(actor) and actor.get("role") == "secretariat"
        return bool(actor) or name in public_pages(datasette)
    if action == "view-database-download":  # the whole file holds the outbox's addresses too
        return bool(actor) and actor.get("role") == "secretariat"
    if action == "execute-sql":
        return bool(actor) and actor.get("role") == "secretariat"
    if action in ROW_EDITS:
        return False
    return None
