"""What the crawl found. Each item carries `type` so a JSON Lines file of mixed items reads back."""

from __future__ import annotations

from dataclasses import dataclass, field


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
