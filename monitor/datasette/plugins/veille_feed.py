"""The published news as a public page (`/actualites`, the fragment `veille export` writes), an Atom
feed (`/actualites.atom`) and JSON (`/actualites.json`), for the Collectif's site. Built from the
`publies` canned query; an empty feed is still a valid feed (the datasette-atom renderer fails on zero
rows)."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

FEED_ID = "urn:veille:actualites"
# The feed's author (RFC 4287 wants one unless every entry has its own).
COLLECTIF = "Collectif « Ensemble contre la traite des êtres humains »"


async def _published(datasette: Any) -> list[dict[str, Any]]:
    database = datasette.get_database()
    sql = datasette.metadata("queries", database=database.name)["publies"]["sql"]
    return [dict(row) for row in (await database.execute(sql)).rows]


def atom(rows: list[dict[str, Any]], title: str, self_url: str) -> bytes:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(FEED_ID)
    feed.title(title)
    feed.link(href=self_url, rel="self")
    feed.author(name=COLLECTIF)
    feed.language("fr")
    feed.updated(max((row["atom_updated"] for row in rows), default="2026-01-01T00:00:00+00:00"))
    for row in reversed(rows):
        entry = feed.add_entry()
        entry.id(row["atom_id"])
        entry.title(row["atom_title"] or "(sans titre)")
        entry.updated(row["atom_updated"])
        entry.content(row["atom_content"] or "", type="text")
        if row.get("atom_link", "").startswith(("http://", "https://")):
            entry.link(href=row["atom_link"])
        if row.get("source"):
            entry.source(title=row["source"])
        if row.get("choisi_par"):
            entry.author(name=row["choisi_par"])
    return feed.atom_str(pretty=True)


async def feed_atom(datasette: Any, request: Any) -> Response:
    rows = await _published(datasette)
    body = atom(rows, f"Actualités — {COLLECTIF}", request.url)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def feed_json(datasette: Any, request: Any) -> Response:
    rows = await _published(datasette)
    items = [
        {"id": r["atom_id"], "title": r["atom_title"], "summary": r["atom_content"], "url": r["atom_link"],
         "published": r["atom_updated"], "source": r.get("source"), "picked_by": r.get("choisi_par")}
        for r in rows
    ]  # fmt: skip
    return Response.json({"items": items})


async def news_page(datasette: Any, request: Any) -> Response:
    from monitor.news.export import news_items, render

    fragment = render(news_items(await _published(datasette)), "html")
    context = {"actualites": fragment, "collectif": COLLECTIF}
    return Response.html(await datasette.render_template("actualites.html", context, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/actualites$", news_page),
        (r"^/actualites\.atom$", feed_atom),
        (r"^/actualites\.json$", feed_json),
    ]
