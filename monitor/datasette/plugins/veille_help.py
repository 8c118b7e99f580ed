"""« Aide » (`/aide`): the French guides kept in docs/guides/*.md, served by the desk to everyone,
with the screenshots the browser tests make (test-artifacts/, `/aide/images/NAME.png`): run
`uv run pytest -m browser` and the guides show the desk as it is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

ROOT = Path(__file__).resolve().parents[3]
GUIDES_DIR = ROOT / "docs" / "guides"
IMAGES_DIR = ROOT / "test-artifacts"
# name → title, in the order of the help page
GUIDES = {
    "association": "Guide de l'association de veille",
    "secretariat": "Guide du secrétariat",
    "installation": "Guide d'installation",
}


def guide_html(markdown: str) -> str:
    """A guide's Markdown as HTML; raw HTML in the source stays text, except the <kbd> keys."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).render(markdown)
    return re.sub(r"&lt;(/?)kbd&gt;", r"<\1kbd>", html)


async def help_page(request: Any, datasette: Any) -> Response:
    name = request.url_vars.get("name") or ""
    if not name:
        context = {"guides": GUIDES, "guide": None}
    elif name in GUIDES:
        context = {
            "guides": GUIDES,
            "guide": guide_html((GUIDES_DIR / f"{name}.md").read_text(encoding="utf-8")),
        }
    else:
        raise NotFound("Ce guide n'existe pas.")
    return Response.html(await datasette.render_template("aide.html", context, request=request))


async def help_image(request: Any, datasette: Any) -> Response:
    path = IMAGES_DIR / f"{request.url_vars['name']}.png"
    if not path.is_file():
        raise NotFound("Cette capture d'écran n'a pas encore été faite (uv run pytest -m browser).")
    return Response(path.read_bytes(), content_type="image/png")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/aide$", help_page),
        (r"^/aide/(?P<name>[a-z]+)$", help_page),
        (r"^/aide/images/(?P<name>[0-9a-z-]+)\.png$", help_image),
    ]
