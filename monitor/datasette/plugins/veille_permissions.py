"""Who may do what on the triage desk.

Anonymous visitors see the published news only (and the pages listed in `triage.public_pages` of
data/config.yml, given to this plugin as its configuration). Logged-in associations read everything; the
association on duty today (table `duty`) may pick, alert and dismiss; only the secretariat (actors
with `"role": "secretariat"`) accepts, refuses, publishes and runs arbitrary SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from datasette import hookimpl

DUTY_QUERIES = {"choisir", "signaler", "ecarter"}
SECRETARIAT_QUERIES = {"accepter", "refuser", "publier"}


def public_pages(datasette: Any) -> set[str]:
    return set((datasette.plugin_config("veille") or {}).get("public_pages", ["publies"]))


def is_secretariat(actor: dict[str, Any] | None) -> bool:
    return bool(actor) and actor.get("role") == "secretariat"


async def on_duty_today(datasette: Any, actor_id: str) -> bool:
    today = date.today().isoformat()
    database = datasette.get_database()
    result = await database.execute(
        'select 1 from duty where start <= :day and "end" >= :day and member_id = :member',
        {"day": today, "member": actor_id},
    )
    return bool(result.rows)


@hookimpl
def permission_allowed(datasette: Any, actor: dict[str, Any] | None, action: str, resource: Any) -> Any:
    async def decide() -> bool | None:
        if action in ("view-instance", "view-database"):
            return True
        if action == "view-query":
            query = resource[1] if isinstance(resource, tuple) else None
            # Writes first: no configuration can open them to visitors.
            if query in SECRETARIAT_QUERIES:
                return is_secretariat(actor)
            if query in DUTY_QUERIES:
                return is_secretariat(actor) or (bool(actor) and await on_duty_today(datasette, actor["id"]))
            return bool(actor) or query in public_pages(datasette)
        if action == "view-table":
            table = resource[1] if isinstance(resource, tuple) else None
            return bool(actor) or table in public_pages(datasette)
        if action == "view-database-download":
            return bool(actor)
        if action == "execute-sql":
            return is_secretariat(actor)
        if action in ("insert-row", "delete-row", "update-row", "create-table", "drop-table", "alter-table"):
            return False
        return None

    return decide
