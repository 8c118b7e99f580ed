"""Main text and metadata of an article page, with trafilatura and htmldate. Pure. The articles
spider imports it at its first page (`crawler.failures.needed`): a crawl that fetches no article never
loads trafilatura, and one that cannot load it stops as a whole."""

from __future__ import annotations

from typing import Any

import trafilatura
from htmldate import find_date

from crawler.judge.decoding import decode_html

MAX_TEXT_CHARS = 20_000


def extract_article(body: bytes, content_type: str, url: str) -> dict[str, Any]:
    """title, text, published, author, language, image, description ('' when unknown)."""
    html = decode_html(body, content_type)
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    data: dict[str, Any] = {}
    if document is not None:
        data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    published = data.get("date")
    if not published:
        try:
            published = find_date(html, url=url, original_date=True, outputformat="%Y-%m-%d")
        except Exception:  # htmldate raises on odd documents; a missing date is not an error
            published = None
    return {
        "title": data.get("title") or "",
        "text": (data.get("text") or "")[:MAX_TEXT_CHARS],
        "published": published,
        "author": data.get("author") or "",
        "language": data.get("language"),
        "image": data.get("image") or "",
        "description": data.get("description") or "",
    }
