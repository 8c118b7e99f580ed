"""One fetched HTML page, parsed once: its links out, its stylesheets, its feeds, and its links to the
Collectif with where they stand and whether a visitor sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import lxml.html
from lxml import etree

from crawler.judge.css import Cascade, Stylesheet, parse_stylesheet
from crawler.judge.targets import is_on_domains, mention_pattern, resolve_href
from crawler.judge.visibility import hidden_reason

REL_TOKENS_OF_INTEREST = ("nofollow", "sponsored", "ugc")
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
LANDMARK_TAGS = {"header": "header", "nav": "nav", "main": "main", "aside": "aside", "footer": "footer"}
LANDMARK_ROLES = {
    "banner": "header",
    "navigation": "nav",
    "main": "main",
    "complementary": "aside",
    "contentinfo": "footer",
}
_TEXT_XPATH = (
    "//body//text()[not(ancestor::a) and not(ancestor::script) and not(ancestor::style)"
    " and not(ancestor::noscript) and not(ancestor::template)]"
)


@dataclass
class LinkFinding:
    """A link to the Collectif found on a page, as judged without a browser."""

    page: str
    href: str
    url: str
    text: str
    rel: list[str]
    location: str
    visible: bool
    hidden_reason: str | None = None
    hidden_by: str | None = None


@dataclass
class FeedLink:
    url: str
    title: str


@dataclass
class PageJudgement:
    links: list[LinkFinding] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


def _parse(html: str | bytes) -> etree._Element:
    data = html.encode("utf-8") if isinstance(html, str) else html
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False)
    root = lxml.html.document_fromstring(data or b"<html></html>", parser=parser)
    return root


def _anchor_text(element: etree._Element) -> str:
    text = " ".join(element.text_content().split())
    if text:
        return text
    for candidate in (
        *(img.get("alt") for img in element.iter("img")),
        element.get("alt"),
        element.get("aria-label"),
        element.get("title"),
    ):
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    return ""


def _location(element: etree._Element) -> str:
    for ancestor in element.iterancestors():
        tag = str(ancestor.tag).lower()
        if tag in LANDMARK_TAGS:
            return LANDMARK_TAGS[tag]
        role = (ancestor.get("role") or "").strip().lower()
        if role in LANDMARK_ROLES:
            return LANDMARK_ROLES[role]
    return "other"


def _rel_tokens(element: etree._Element, page_nofollow: bool) -> list[str]:
    tokens = set((element.get("rel") or "").lower().split())
    if page_nofollow:
        tokens.add("nofollow")
    return [t for t in REL_TOKENS_OF_INTEREST if t in tokens]


class ParsedPage:
    """An HTML document at a URL, parsed once."""

    def __init__(self, html: str | bytes, url: str, nofollow_header: bool = False) -> None:
        self.url = url
        self.root = _parse(html)
        base = self.root.find(".//base[@href]")
        resolved_base = resolve_href(base.get("href", ""), url) if base is not None else None
        self.base_url = resolved_base or url
        robots = " ".join(
            m.get("content", "").lower()
            for m in self.root.iter("meta")
            if (m.get("name") or "").lower() in ("robots", "googlebot")
        )
        self.nofollow = nofollow_header or "nofollow" in robots or "none" in robots.split(",")

    @cached_property
    def anchors(self) -> list[tuple[etree._Element, str | None]]:
        """Every `<a href>` and `<area href>` with the absolute URL it leads to, resolved once."""
        resolved: dict[str, str | None] = {}
        anchors = []
        for element in self.root.iter("a", "area"):
            href = element.get("href")
            if href is None:
                continue
            if href not in resolved:
                resolved[href] = resolve_href(href, self.base_url)
            anchors.append((element, resolved[href]))
        return anchors

    def anchors_by_element(self) -> dict[etree._Element, str | None]:
        return dict(self.anchors)

    def outlinks(self) -> list[str]:
        """Absolute http(s) URLs of every link on the page, in document order, without duplicates."""
        return list(dict.fromkeys(url for _, url in self.anchors if url))

    def stylesheet_urls(self) -> list[str]:
        urls = []
        for link in self.root.iter("link"):
            rel = (link.get("rel") or "").lower().split()
            media = (link.get("media") or "all").lower()
            if "stylesheet" in rel and "alternate" not in rel and ("screen" in media or "all" in media):
                url = resolve_href(link.get("href", ""), self.base_url)
                if url:
                    urls.append(url)
        return urls

    def feed_links(self) -> list[FeedLink]:
        """Feeds the page announces with `<link rel="alternate" type="…rss+xml|atom+xml…">`."""
        feeds = []
        for link in self.root.iter("link"):
            rel = (link.get("rel") or "").lower().split()
            kind = (link.get("type") or "").lower().split(";")[0].strip()
            if "alternate" in rel and kind in FEED_TYPES:
                url = resolve_href(link.get("href", ""), self.base_url)
                if url:
                    feeds.append(FeedLink(url, " ".join((link.get("title") or "").split())))
        return feeds

    def has_links_to(self, domains: tuple[str, ...]) -> bool:
        """Cheap test, before fetching stylesheets: does any link or comment mention the domains?"""
        if any(url and is_on_domains(url, domains) for _, url in self.anchors):
            return True
        return bool(self._comment_links(domains))

    def _comment_links(self, domains: tuple[str, ...]) -> list[LinkFinding]:
        findings = []
        for comment in self.root.iter(etree.Comment):
            text = comment.text or ""
            if "href" not in text.lower():
                continue
            fragment = lxml.html.fragment_fromstring(text, create_parent="div")
            parent = comment.getparent()
            location = _location(comment) if parent is not None else "other"
            for element in fragment.iter("a", "area"):
                url = resolve_href(element.get("href", ""), self.base_url)
                if url and is_on_domains(url, domains):
                    findings.append(self._finding(element, url, location, ("comment", None)))
        return findings

    def _finding(
        self, element: etree._Element, url: str, location: str, hidden: tuple[str, str | None] | None
    ) -> LinkFinding:
        return LinkFinding(
            page=self.url,
            href=element.get("href", ""),
            url=url,
            text=_anchor_text(element),
            rel=_rel_tokens(element, self.nofollow),
            location=location,
            visible=hidden is None,
            hidden_reason=hidden[0] if hidden else None,
            hidden_by=hidden[1] if hidden else None,
        )

    def judge(self, domains: tuple[str, ...], stylesheets: dict[str, str]) -> PageJudgement:
        """Every link to `domains` on the page, judged for visibility, and plain-text mentions.

        `stylesheets` maps the URLs from `stylesheet_urls()` to their text; a missing one is skipped.
        """
        sheets: list[Stylesheet] = []
        for element in self.root.iter("style", "link"):
            if element.tag == "style":
                media = (element.get("media") or "all").lower()
                if "screen" in media or "all" in media:
                    sheets.append(parse_stylesheet(element.text or "", "<style>"))
            else:
                url = resolve_href(element.get("href", ""), self.base_url)
                if url in stylesheets:
                    sheets.append(parse_stylesheet(stylesheets[url], url.rsplit("/", 1)[-1]))
        cascade = Cascade(self.root, sheets)

        judgement = PageJudgement()
        for element, url in self.anchors:
            if not url or not is_on_domains(url, domains):
                continue
            has_image = element.find(".//img") is not None or element.tag == "area"
            reason = hidden_reason(element, cascade, contains_image=has_image)
            judgement.links.append(self._finding(element, url, _location(element), reason))
        judgement.links.extend(self._comment_links(domains))
        judgement.mentions = self._mentions(domains)
        return judgement

    def _mentions(self, domains: tuple[str, ...]) -> list[str]:
        """The Collectif's address written as text outside any link, e.g. « voir contrelatraite.org »."""
        body = self.root.find("body")
        if body is None or not any(d in body.text_content().lower() for d in domains):
            return []  # the precise search below costs ten times more than this test
        pattern = mention_pattern(domains)
        seen: dict[str, None] = {}
        for text in self.root.xpath(_TEXT_XPATH):
            for match in pattern.finditer(str(text)):
                seen.setdefault(match.group(0), None)
        return list(seen)
