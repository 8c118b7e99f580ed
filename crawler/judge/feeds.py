"""Turn downloaded feed bytes into plain entries, with feedparser. Pure: bytes and headers in.

feedparser gets the raw bytes and the (lower-cased) response headers, so it finds the encoding the
way the server and the document declare it. `bozo` is only a warning: entries are kept whenever
there are any. Relative links are resolved here, against the feed's address, for the two links an
entry keeps: giving feedparser a base address makes it resolve every URI of every entry (and of the
HTML inside summaries, which Veille reads as plain text), a third of its parsing time.

Titles and summaries are the feed's own HTML, not sanitised: Veille keeps only their plain text
(monitor/news/entries.py `plain_text`, which leaves scripts and styles out), so feedparser's sanitiser
would cost about a tenth of the parse for markup thrown away. Whoever reads this output alone
(`scrapy crawl news -o out.jsonl`) must treat them as text, never insert them into a page as HTML.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser


@dataclass
class ParsedFeed:
    entries: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    language: str | None = None
    warning: str | None = None
    error: str | None = None
    is_html: bool = False


def _iso(parsed: Any) -> str | None:
    """feedparser's UTC struct_time as ISO 8601 (never through time.mktime, which is local)."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def _absolute(link: str, base: str) -> str:
    return urljoin(base, link) if link and base else link


def _entry(entry: Any, index: int, base: str) -> dict[str, Any]:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value") or ""
    source = entry.get("source") or {}
    return {
        "index": index,
        "title": entry.get("title") or "",
        "link": _absolute(entry.get("link") or "", base),
        "guid": entry.get("id") or "",
        "summary": summary,
        "published": _iso(entry.get("published_parsed") or entry.get("updated_parsed")),
        "raw_date": entry.get("published") or entry.get("updated") or "",
        "author": entry.get("author") or "",
        "language": (entry.get("title_detail") or {}).get("language"),
        "source_url": _absolute(source.get("href") or source.get("url") or "", base),
        "source_title": source.get("title") or "",
    }


def parse_feed(body: bytes, headers: dict[str, str], url: str = "") -> ParsedFeed:
    """Entries of a feed document; `error` is set when it holds no entry and is not a valid empty feed."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        parsed = feedparser.parse(
            io.BytesIO(body), response_headers=lowered, resolve_relative_uris=False, sanitize_html=False
        )
    except Exception as exc:  # feedparser is robust, but a parser bug must not stop the harvest
        return ParsedFeed(error=f"flux illisible : {type(exc).__name__}: {exc}")
    feed = parsed.get("feed") or {}
    result = ParsedFeed(
        entries=[_entry(e, i, url) for i, e in enumerate(parsed.get("entries") or [])],
        title=feed.get("title") or "",
        language=feed.get("language"),
    )
    if parsed.get("bozo"):
        result.warning = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"[
            :300
        ]
    if not result.entries:
        head = body[:2048].lstrip().lower()
        result.is_html = head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
        if result.is_html:
            result.error = "une page HTML a été reçue à la place d'un flux"
        elif parsed.get("bozo") and not parsed.get("version"):
            result.error = f"ce n'est pas un flux lisible ({result.warning})"
    return result
