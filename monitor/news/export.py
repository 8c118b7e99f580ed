"""`veille export`: the published news as an HTML fragment for the Collectif's home page, or JSON.

Reads the very query the triage desk publishes from (`publies` in the Datasette metadata). The desk's
public page « Actualités publiées » (`/actualites`) shows the same fragment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import yaml

from monitor.labels import day_fr
from monitor.store import Store

METADATA = Path(__file__).parent.parent / "datasette" / "metadata.yml"
TEMPLATES = Path(__file__).parent.parent / "templates"


def published(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    sql = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["veille"]["queries"]["publies"][
        "sql"
    ]
    return news_items(list(store.db.query(sql))[:limit])


def news_items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the `publies` query as news items; a link that is not http(s) is dropped."""
    return [
        {
            "title": r["atom_title"],
            "summary": r["atom_content"],
            "source": r["source"],
            "published": r["atom_updated"],
            "url": r["atom_link"] if (r["atom_link"] or "").startswith(("http://", "https://")) else None,
        }
        for r in rows
    ]


def render(items: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"items": items}, ensure_ascii=False, indent=1)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    environment.filters["jour"] = day_fr
    return environment.get_template("actualites.html.j2").render(items=items)
