"""Judgements on each page of the Collectif's site taken alone: title, description, headings, language,
phone display, images, length, mixed content, weight, speed, sharing tags, structured data, age.
Pure functions of a page item (see crawler/items.py `AuditPageItem`) and the `site` settings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from monitor.labels import day_fr, plural
from monitor.site.model import Finding, url_key

SHARING_NEEDED = ("og:title", "og:description", "og:image")
ORGANISATION_FIELDS = (("name", "nom"), ("logo", "logo"), ("same_as", "sameAs (réseaux)"))


def is_noindex(facts: dict[str, Any]) -> bool:
    directives = {d.strip() for d in facts["robots"].replace(";", ",").split(",")}
    return bool(directives & {"noindex", "none"})


def content_findings(item: dict[str, Any], settings: dict[str, Any]) -> Iterator[Finding]:
    """What one HTML page says badly about itself, whatever the rest of the site."""
    url, facts = item["final_url"] or item["url"], item["facts"]
    titles = [t for t in facts["titles"] if t]
    if not titles:
        yield Finding("title_missing", url, (url,))
    elif len(titles[0]) < settings["title_min_chars"]:
        yield Finding("title_short", url, (url,), f"« {titles[0]} » ({len(titles[0])} caractères)")
    elif len(titles[0]) > settings["title_max_chars"]:
        yield Finding("title_long", url, (url,), f"{len(titles[0])} caractères")
    descriptions = [d for d in facts["descriptions"] if d]
    if not descriptions:
        yield Finding("description_missing", url, (url,))
    elif len(descriptions[0]) > settings["description_max_chars"]:
        yield Finding("description_long", url, (url,), f"{len(descriptions[0])} caractères")
    if not facts["h1"]:
        yield Finding("h1_missing", url, (url,))
    elif len(facts["h1"]) > 1:
        yield Finding("h1_multiple", url, (url,), f"{len(facts['h1'])} titres h1")
    if not facts["lang"]:
        yield Finding("lang_missing", url, (url,))
    if not facts["viewport"]:
        yield Finding("viewport_missing", url, (url,))
    if facts["image_count_without_alt"]:
        yield Finding("images_without_alt", url, (url,), plural(facts["image_count_without_alt"], "image"))
    if facts["words"] < settings["thin_words"]:
        yield Finding("thin_page", url, (url,), f"{facts['words']} mots")
    if malformed := facts.get("malformed_links"):  # items from before this fact have none
        yield Finding("malformed_link", url, (url,), " ; ".join(malformed[:3])[:300])
    if facts["mixed_content"]:
        yield Finding("mixed_content", url, (url,), ", ".join(facts["mixed_content"][:3]))
    if item["bytes"] > settings["heavy_kb"] * 1024:
        yield Finding("heavy_page", url, (url,), f"{item['bytes'] // 1024} Ko")
    if (item.get("response_ms") or 0) > settings["slow_ms"]:
        yield Finding("slow_page", url, (url,), f"{item['response_ms'] / 1000:.1f} s".replace(".", ","))
    if facts["broken_jsonld"]:
        yield Finding("jsonld_invalid", url, (url,))
    if is_noindex(facts):
        yield Finding("noindex", url, (url,), facts["robots"])


def sharing_findings(item: dict[str, Any], is_home: bool) -> Iterator[Finding]:
    """Sharing tags on the home page and on articles; the Collectif's description on the home page."""
    url, facts = item["final_url"] or item["url"], item["facts"]
    if is_home or facts["is_article"]:
        missing = [tag for tag in SHARING_NEEDED if not facts["sharing"].get(tag)]
        if missing:
            yield Finding("open_graph_missing", url, (url,), "manque " + ", ".join(missing))
    if not is_home:
        return
    if not facts["twitter_card"]:
        yield Finding("twitter_card_missing", url, (url,))
    organisation = facts["organisation"]
    if organisation is None:
        yield Finding("organization_missing", url, (url,))
        return
    missing = [label for field, label in ORGANISATION_FIELDS if not organisation.get(field)]
    if missing:
        yield Finding("organization_incomplete", url, (url,), "manque " + ", ".join(missing))


def duplicate_findings(items: list[dict[str, Any]]) -> Iterator[Finding]:
    """Titles and descriptions shared by several indexable pages (a page another names as its
    canonical is not a duplicate of it)."""
    for code, field in (("title_duplicate", "titles"), ("description_duplicate", "descriptions")):
        pages: dict[str, list[str]] = defaultdict(list)
        spelling: dict[str, str] = {}
        for item in items:
            facts = item["facts"]
            url = item["final_url"] or item["url"]
            canonical = facts["canonical"]
            if is_noindex(facts) or (canonical and url_key(canonical) != url_key(url)):
                continue
            text = next((t for t in facts[field] if t), "")
            if text:
                same = " ".join(text.lower().split())
                pages[same].append(url)
                spelling.setdefault(same, text)
        for same, urls in pages.items():
            if len(urls) > 1:
                yield Finding(code, same[:200], tuple(urls), f"« {spelling[same][:120]} »")


def stale_findings(item: dict[str, Any], today: date, stale_days: int) -> Iterator[Finding]:
    url, dates = item["final_url"] or item["url"], item["facts"]["dates"]
    known = dates["modified"] or dates["published"]
    if known and known < (today - timedelta(days=stale_days)).isoformat():
        yield Finding("stale_page", url, (url,), f"dernière date connue : {known_day(known)}")


def known_day(known: str) -> str:
    """A page's own date as a French day (« 1 mars 2019 »); kept as written if it is not ISO."""
    try:
        return day_fr(known)
    except ValueError:
        return known
