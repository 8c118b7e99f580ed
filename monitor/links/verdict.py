"""A member site's verdict from what its crawl found: linked, hidden, missing, unreachable…

Pure: takes the crawl's items for one site (dicts as written by the `backlinks` spider) and
returns a `SiteOutcome`. A site whose home page could not be read is never `missing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# In the order of the report: the best first.
STATUSES = ("linked", "linked_nofollow", "hidden", "missing", "unreachable", "blocked", "no_site")
READ_STATUSES = frozenset({"linked", "linked_nofollow", "hidden", "missing"})
BLOCKING_ERRORS = frozenset({"robots", "forbidden"})
# A page answering these is gone: a link that was on it is absent, not unknown.
GONE_STATUSES = frozenset({404, 410})


@dataclass
class SiteOutcome:
    """What one night's check of one member site established."""

    site: str
    status: str
    mode: str = "static"
    pages_crawled: int = 0
    error: str | None = None
    final_url: str | None = None
    links: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)
    pages_read: set[str] = field(default_factory=set)
    pages_gone: set[str] = field(default_factory=set)

    @property
    def was_read(self) -> bool:
        return self.status in READ_STATUSES

    def to_json(self, url: str | None) -> dict[str, Any]:
        """The object `veille links check --json` prints for one site."""
        return {
            "url": url,
            "status": self.status,
            "pages_crawled": self.pages_crawled,
            "mode": self.mode,
            "error": self.error,
            "findings": [
                {
                    key: link.get(key)
                    for key in (
                        "page",
                        "depth",
                        "href",
                        "text",
                        "rel",
                        "location",
                        "visible",
                        "hidden_reason",
                    )
                }
                for link in self.links
            ],
            "mentions": sorted({m["text"] for m in self.mentions}),
        }


def is_followed(link: dict[str, Any]) -> bool:
    return not set(link.get("rel") or ()) & {"nofollow", "sponsored", "ugc"}


def links_status(links: list[dict[str, Any]]) -> str:
    """The verdict of a site that was read, from its links."""
    visible = [link for link in links if link.get("visible")]
    if any(is_followed(link) for link in visible):
        return "linked"
    if visible:
        return "linked_nofollow"
    if links:
        return "hidden"
    return "missing"


def site_outcome(site: str, items: list[dict[str, Any]], mode: str = "static") -> SiteOutcome:
    """Judge one site from its crawl items."""
    pages = [i for i in items if i.get("type") == "page"]
    home = next((p for p in pages if p.get("is_home")), None)
    outcome = SiteOutcome(site=site, status="unreachable", mode=mode)
    outcome.pages_crawled = sum(1 for p in pages if p.get("ok"))
    outcome.pages_read = {p["url"] for p in pages if p.get("ok")}
    outcome.pages_gone = {p["url"] for p in pages if p.get("status") in GONE_STATUSES}
    outcome.pages_gone |= {p["requested_url"] for p in pages if p.get("status") in GONE_STATUSES}
    if home is None:
        outcome.error = "la page d'accueil n'a pas pu être demandée (exploration interrompue)"
        return outcome
    outcome.final_url = home.get("url")
    if not home.get("ok"):
        outcome.status = "blocked" if home.get("error_kind") in BLOCKING_ERRORS else "unreachable"
        outcome.error = home.get("error")
        return outcome
    outcome.links = [i for i in items if i.get("type") == "link"]
    outcome.mentions = [i for i in items if i.get("type") == "mention"]
    outcome.feeds = [i for i in items if i.get("type") == "feed"]
    outcome.status = links_status(outcome.links)
    unread_known = [
        p for p in pages if p.get("known") and not p.get("ok") and p.get("status") not in GONE_STATUSES
    ]
    if outcome.status == "missing" and unread_known:
        # The page where the link stood could not be read tonight: we do not know it is missing.
        outcome.status = "unreachable"
        outcome.error = f"page du lien illisible: {unread_known[0]['url']} ({unread_known[0].get('error')})"
    return outcome


def no_site_outcome(site: str) -> SiteOutcome:
    return SiteOutcome(site=site, status="no_site", error="site non renseigné")
