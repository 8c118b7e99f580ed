"""Pure judgements on a harvested entry before it is stored: its plain text, whether it can be kept,
whether its date can be trusted, and its relevance as columns."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import lxml.etree

from monitor.relevance import Relevance

# Caps on what a harvested entry may bring (a 4.4 MB title made a 26 MB digest): longer is cut, with « … ».
TITLE_MAX_CHARS = 300
SUMMARY_MAX_CHARS = 2000
# Characters XML 1.0 cannot carry (C0 controls but tab, newline, return; lone surrogates; U+FFFE/F):
# lxml refuses to build a feed holding one, so they never enter the database.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML document (the Atom feed, an export) cannot hold."""
    if text.isprintable():  # none of them is printable: most titles are done here, without the regex
        return text
    return _XML_INVALID.sub("", text)


def capped(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with « … » when it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Elements whose content a reader never sees as text: scripts and styles, an iframe's fallback.
_NOT_TEXT = ("script", "style", "applet", "iframe", "template")
# Elements a reader sees on lines of their own: their words are not glued to the next ones.
_BLOCKS = ("br", "p", "div", "li", "dd", "dt", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
           "blockquote", "pre", "hr", "figcaption", "section", "article", "header", "footer")  # fmt: skip


def plain_text(value: str, limit: int | None = None) -> str:
    """Text of a title or summary that may hold HTML (as the feed gave it: the crawl does not ask
    feedparser to sanitise it), one line, XML-safe, and at most `limit` characters. What a reader
    would not see as text (scripts, styles) is left out, whatever the HTML, and paragraphs and lines
    keep a space between them (`<p>…réseau</p><p>Lire` is not `réseauLire`)."""
    if not value:
        return ""
    value = xml_safe(value)
    if "<" in value or "&" in value:
        with contextlib.suppress(ValueError, lxml.etree.ParserError):
            root = lxml.etree.HTML(f"<div>{value}</div>")
            if root is not None:
                lxml.etree.strip_elements(root, *_NOT_TEXT, with_tail=False)  # the text after them stays
                for element in root.iter(*_BLOCKS):
                    element.text, element.tail = f" {element.text or ''}", f" {element.tail or ''}"
                value = xml_safe(lxml.etree.tostring(root, method="text", encoding=str))
    text = " ".join(value.split())
    return capped(text, limit) if limit else text


# `json.dumps` with an option builds a new encoder at every call (10,000 entries, three columns each).
_ASCII_JSON = json.JSONEncoder().encode
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def judgement_columns(judged: Relevance) -> dict[str, Any]:
    """The judgement of an article, as its columns."""
    return {"score": judged.score, "relevant": int(judged.relevant),
            "topics": _ASCII_JSON(judged.topics) if judged.topics else "[]", "kind": judged.kind,
            "matched": _JSON(judged.matched) if judged.matched else "[]", "weak": int(judged.weak),
            "evidence": judged.evidence, "why": _JSON(judged.why) if judged.why else "[]"}  # fmt: skip


def entry_problem(entry: dict[str, Any], canonical: str | None) -> str | None:
    """Why an entry cannot be kept, or None."""
    if not entry.get("link"):
        return "entrée sans lien"
    if canonical is None:
        return f"lien inutilisable : {entry['link'][:200]}"
    if not (entry.get("title") or "").strip() and not (entry.get("summary") or "").strip():
        return "entrée sans titre ni résumé"
    return None


def trusted_date(published: str | None, now: datetime, tolerance_h: int) -> tuple[str | None, str | None]:
    """(publication date, note): a date too far in the future is not kept."""
    if not published:
        return None, None
    moment = datetime.fromisoformat(published)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now + timedelta(hours=tolerance_h):
        return None, f"date dans le futur ignorée : {published}"
    return moment.astimezone(UTC).isoformat(), None
