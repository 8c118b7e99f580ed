"""What a page of the Collectif's own site says about itself, read once for the site audit: title,
description, headings, language, robots directives, canonical, sharing tags, structured data, dates,
images, resources and links. Facts only; `monitor/site/checks.py` judges them."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from lxml import etree

from crawler.judge.page import ParsedPage
from crawler.judge.targets import resolve_href

if TYPE_CHECKING:
    from extruct.jsonld import JsonLdExtractor
    from extruct.opengraph import OpenGraphExtractor

SHARING_TAGS = ("og:title", "og:description", "og:image", "og:type")
# Resources a browser loads with the page: over http on an https page, they are mixed content.
_RESOURCES = (("img", "src"), ("script", "src"), ("iframe", "src"), ("audio", "src"), ("video", "src"),
              ("source", "src"), ("embed", "src"), ("object", "data"))  # fmt: skip
# An href written as a web address (http:, https:, //) that names no host and port one can reach.
_WEB_HREF = re.compile(r"^\s*(?:https?:)?//", re.I)
_WORDS = re.compile(r"\w+")
_TEXT_XPATH = etree.XPath(
    "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
    " and not(ancestor::template)]"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@cache
def _extractors() -> tuple[JsonLdExtractor, OpenGraphExtractor]:
    """extruct's extractors, imported on first use: Scrapy loads every spider module at each crawl's
    start, and extruct (with its RDFa and microformat parsers) costs ~0.2 s of CPU that a news or
    articles crawl does not need."""
    from extruct.jsonld import JsonLdExtractor
    from extruct.opengraph import OpenGraphExtractor

    return JsonLdExtractor(), OpenGraphExtractor()


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


def _meta(page: ParsedPage, name: str) -> list[str]:
    return [
        (m.get("content") or "").strip()
        for m in page.root.iter("meta")
        if (m.get("name") or m.get("property") or "").strip().lower() == name
    ]


def _structured_data(page: ParsedPage) -> tuple[list[dict[str, Any]], bool]:
    """JSON-LD objects (with `@graph` unfolded), and whether a JSON-LD block could not be read."""
    items: list[dict[str, Any]] = []
    broken = False
    for script in page.root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            found = _extractors()[0].extract_items(script)
        except ValueError:
            broken = True
            continue
        for item in found:
            if not isinstance(item, dict):
                continue
            items.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                items.extend(g for g in graph if isinstance(g, dict))
    return items, broken


def _types(item: dict[str, Any]) -> list[str]:
    kind = item.get("@type") or []
    return [str(k) for k in (kind if isinstance(kind, list) else [kind])]


def _organisation(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The organisation the page describes (NGO, Organization and its kinds), reduced to what counts."""
    for item in items:
        if any(t in ("NGO", "Organization", "NonprofitOrganization", "Corporation") for t in _types(item)):
            logo = item.get("logo")
            same_as = item.get("sameAs") or []
            return {
                "types": _types(item),
                "name": str(item.get("name") or ""),
                "logo": str(logo.get("url", "") if isinstance(logo, dict) else logo or ""),
                "same_as": [str(s) for s in (same_as if isinstance(same_as, list) else [same_as])],
            }
    return None


def _dates(page: ParsedPage, items: list[dict[str, Any]]) -> dict[str, Any]:
    modified = [*_meta(page, "article:modified_time"), *_meta(page, "og:updated_time")]
    published = _meta(page, "article:published_time")
    for item in items:
        modified += [str(item["dateModified"])] if item.get("dateModified") else []
        published += [str(item["datePublished"])] if item.get("datePublished") else []
    on_page = [t.get("datetime", "") for t in page.root.iter("time")]
    # ISO dates (YYYY-MM-DD) sort as text.
    return {
        "modified": max((d[:10] for d in modified if _DATE.match(d)), default=None),
        "published": max((d[:10] for d in published if _DATE.match(d)), default=None),
        "times": sorted({d[:10] for d in on_page if _DATE.match(d)}),
    }


def page_facts(page: ParsedPage, headers: dict[str, str]) -> dict[str, Any]:
    """Everything the audit judges about one HTML page (`headers`: lower-case response headers)."""
    root = page.root
    https = page.url.startswith("https:")
    html = root if root.tag == "html" else root.find(".//html")
    titles = [_text(t) for t in root.iter("title")]
    robots = [*_meta(page, "robots"), headers.get("x-robots-tag", "")]
    canonical = next(
        (resolve_href(link.get("href", ""), page.base_url) for link in root.iter("link")
         if "canonical" in (link.get("rel") or "").lower().split()),
        None,
    )  # fmt: skip
    images = [img for img in root.iter("img") if img.get("alt") is None]
    mixed = [
        element.get(attribute, "")
        for tag, attribute in _RESOURCES
        for element in root.iter(tag)
        if https and (element.get(attribute) or "").strip().lower().startswith("http:")
    ]
    if https:
        mixed += [
            link.get("href", "")
            for link in root.iter("link")
            if "stylesheet" in (link.get("rel") or "").lower()
            and (link.get("href") or "").strip().lower().startswith("http:")
        ]
    sharing: dict[str, str] = {}
    for block in _extractors()[1].extract_items(root) if root.find("head") is not None else []:
        for name, value in block["properties"]:
            sharing.setdefault(name, value)
    items, broken_jsonld = _structured_data(page)
    links, malformed = [], []
    for element, url in page.anchors:
        if url is None and _WEB_HREF.match(element.get("href") or ""):
            malformed.append((element.get("href") or "")[:300])
        if url:
            rel = (element.get("rel") or "").lower().split()
            links.append({"url": url, "text": _text(element)[:120], "nofollow": "nofollow" in rel})
    words = sum(len(_WORDS.findall(t)) for t in _TEXT_XPATH(root))
    return {
        "titles": titles,
        "descriptions": _meta(page, "description"),
        "h1": [_text(h) for h in root.iter("h1")],
        "lang": (html.get("lang") or "").strip() if html is not None else "",
        "viewport": bool(_meta(page, "viewport")),
        "robots": ", ".join(r for r in robots if r).lower(),
        "canonical": canonical,
        "images_without_alt": [img.get("src", "") for img in images][:20],
        "image_count_without_alt": len(images),
        "mixed_content": mixed[:20],
        "words": words,
        "sharing": sharing,
        "twitter_card": next(iter(_meta(page, "twitter:card")), ""),
        "structured_types": sorted({t for item in items for t in _types(item)}),
        "organisation": _organisation(items),
        "broken_jsonld": broken_jsonld,
        "is_article": root.find(".//article") is not None
        or sharing.get("og:type") == "article"
        or any(t in ("Article", "NewsArticle", "BlogPosting") for item in items for t in _types(item)),
        "dates": _dates(page, items),
        "links": links,
        "malformed_links": malformed[:20],
    }
