"""Find the article links of a news listing page ("Actualités") that has no feed. Pure.

An article link is a link on the same site, inside the page's main content when it has one, whose
text reads like a headline and whose address looks like an article (a slug or an id), not like a
section, a tag page, a pagination link or a file.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.judge.page import ParsedPage
from crawler.judge.targets import host_of

NOT_ARTICLES = re.compile(
    r"/(tag|tags|categorie|category|rubrique|auteur|author|page|search|recherche|contact|login|mentions"
    r"|legal|feed|rss)(/|$)|\.(pdf|jpe?g|png|gif|zip|docx?|xlsx?|mp3|mp4)$",
    re.I,
)
MIN_HEADLINE_CHARS = 15


def looks_like_article(url: str) -> bool:
    path = urlsplit(url).path.rstrip("/")
    if not path or NOT_ARTICLES.search(path):
        return False
    last = path.rsplit("/", 1)[-1]
    return last.count("-") >= 2 or bool(re.search(r"\d{3,}", path))


def listing_links(html: str | bytes, url: str, limit: int = 100) -> list[tuple[str, str]]:
    """(article URL, headline) pairs of a listing page, in page order, without duplicates."""
    page = ParsedPage(html, url)
    # An lxml element without children is falsy: test against None, never with `or`.
    scope = next(
        (e for e in (page.root.find(".//main"), page.root.find(".//*[@role='main']")) if e is not None),
        page.root,
    )
    host = host_of(url)
    targets = page.anchors_by_element()
    found: dict[str, str] = {}
    for element in scope.iter("a"):
        target = targets.get(element)
        text = " ".join(element.text_content().split())
        if (
            target
            and host_of(target) == host
            and len(text) >= MIN_HEADLINE_CHARS
            and looks_like_article(target)
            and target.split("#")[0] != url.split("#")[0]
        ):
            found.setdefault(target, text)
        if len(found) >= limit:
            break
    return list(found.items())
