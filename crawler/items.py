"""What the crawl found. Each item carries `type` so a JSON Lines file of mixed items reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """One page requested on a member's site, fetched or not."""

    site: str
    url: str
    depth: int | None
    ok: bool
    status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    is_home: bool = False
    known: bool = False
    requested_url: str = ""
    type: str = "page"


@dataclass
class LinkItem:
    """A link to the Collectif on a member's page."""

    site: str
    page: str
    depth: int | None
    href: str
    url: str
    text: str
    rel: list[str] = field(default_factory=list)
    location: str = "other"
    visible: bool = True
    hidden_reason: str | None = None
    hidden_by: str | None = None
    judged_by: str = "static"
    type: str = "link"


@dataclass
class MentionItem:
    """The Collectif's address written as plain text, not as a link."""

    site: str
    page: str
    text: str
    type: str = "mention"


@dataclass
class FeedItem:
    """A news feed a member's page announces (autodiscovery)."""

    site: str
    page: str
    url: str
    title: str = ""
    type: str = "feed"


@dataclass
class FetchItem:
    """The outcome of fetching one news source."""

    source: str
    url: str
    status: int | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    entries: int = 0
    language: str | None = None
    warning: str | None = None
    error_kind: str | None = None
    error: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    type: str = "fetch"


@dataclass
class EntryItem:
    """One entry of a feed, or one article link of a listing page (inside a FetchItem's `items`).
    `title`, `summary`, `author` and `source_title` are as the feed wrote them, HTML included and not
    sanitised: text to be read as text (crawler/judge/feeds.py)."""

    source: str
    index: int
    title: str = ""
    link: str = ""
    guid: str = ""
    summary: str = ""
    published: str | None = None
    raw_date: str = ""
    author: str = ""
    language: str | None = None
    source_url: str = ""
    source_title: str = ""
    type: str = "entry"


@dataclass
class ArticleItem:
    """An article page, fetched and reduced to its main text and metadata."""

    url: str
    ok: bool
    final_url: str = ""
    status: int | None = None
    title: str = ""
    text: str = ""
    published: str | None = None
    author: str = ""
    language: str | None = None
    image: str = ""
    description: str = ""
    error: str | None = None
    type: str = "article"


@dataclass
class AuditPageItem:
    """A URL of the Collectif's own site, as the site audit reached it.

    `chain` lists the redirects followed from `url` as `[url, status]` hops; `facts` (HTML pages
    only) is what `crawler/judge/page_facts.py` read.
    """

    url: str
    ok: bool
    status: int | None = None
    final_url: str = ""
    chain: list[list[Any]] = field(default_factory=list)
    loop: bool = False
    content_type: str = ""
    bytes: int = 0
    response_ms: int | None = None
    last_modified: str | None = None
    error_kind: str | None = None
    error: str | None = None
    facts: dict[str, Any] | None = None
    type: str = "audit_page"


@dataclass
class RobotsItem:
    """The site's robots.txt: whether it exists, what it says."""

    url: str
    status: int | None
    text: str = ""
    sitemaps: list[str] = field(default_factory=list)
    error: str | None = None
    type: str = "robots"


@dataclass
class SitemapItem:
    """One sitemap (or sitemap index) read, with its entries."""

    url: str
    ok: bool
    status: int | None = None
    kind: str = ""
    entries: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    # Why entries or child sitemaps were left unread (the audit's caps), in French; "" when none were.
    cut: str = ""
    type: str = "sitemap"


@dataclass
class LinkCheckItem:
    """One link checked once in a run (external, or an internal file): does it answer?"""

    url: str
    host: str
    ok: bool
    status: int | None = None
    final_url: str = ""
    method: str = "HEAD"
    error_kind: str | None = None
    error: str | None = None
    internal: bool = False
    type: str = "link_check"
