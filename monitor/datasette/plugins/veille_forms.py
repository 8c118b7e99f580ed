"""What the forms of the writable queries need beyond Datasette's own context: the canned query's
metadata (Datasette 0.65 leaves it out of the form of a writable query, so its title, `hide_sql`,
`fields` and `submit` would be lost), the story being picked (from `story_id`) or the pick being
reviewed (from `pick_id`), and the pick's current values for the fields marked `prefill` (the
secretariat edits the association's summary rather than retyping it)."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

STORY = "select id, title, summary, url, kind from stories where id = :id"
PICK = (
    "select p.id, p.action, p.summary, p.category, p.status, p.reason,"
    " coalesce(m.name, p.member_id) as member, s.id as story_id, s.title, s.url"
    " from picks p join stories s on s.id = p.story_id"
    " left join members m on m.id = p.member_id where p.id = :id"
)


@hookimpl
def extra_template_vars(template: str, database: str | None, request: Any, datasette: Any) -> Any:
    if template != "query.html" or request is None or database is None:
        return {}
    query_name = request.url_vars.get("table")

    async def context() -> dict[str, Any]:
        query = await datasette.get_canned_query(database, query_name, request.actor) if query_name else None
        found: dict[str, Any] = {"veille_query": query or {}, "veille_prefill": {}}
        # Only the forms of writing queries show a story or a pick: a public page such as
        # « publies » must never show an unpublished one because its address names it.
        if not (query and query.get("write")):
            return found
        db = datasette.get_database(database)
        if request.args.get("pick_id"):
            rows = (await db.execute(PICK, {"id": request.args["pick_id"]})).rows
            pick = dict(rows[0]) if rows else None
            found.update(veille_pick=pick, veille_story=pick, veille_prefill=pick or {})
        elif request.args.get("story_id"):
            rows = (await db.execute(STORY, {"id": request.args["story_id"]})).rows
            found["veille_story"] = dict(rows[0]) if rows else None
        return found

    return context
