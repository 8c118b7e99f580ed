"""What one audit crawl brought back, indexed for the checks: pages by address, who links where, the
sitemap's entries, the link checks; and the `Finding` the checks make. No I/O."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from crawler.judge.targets import origin_of, site_origins


@lru_cache(maxsize=65536)
def url_key(url: str) -> str:
    """One spelling per address (query sorted, fragment dropped), to match links with pages; a
    navigation bar repeats the same addresses on every page, hence the cache."""
    # Imported here: 40 ms of start-up (urllib.request, http.client) that a news night does not need.
    from w3lib.url import canonicalize_url

    return canonicalize_url(url.strip())


_origin = lru_cache(maxsize=65536)(origin_of)


@dataclass(frozen=True)
class Finding:
    """One problem (or remark) of the audit: what (`code`, see catalogue.py), about what (`subject`:
    a page, a host, a member, a title…), on which pages, and a short detail in French."""

    code: str
    subject: str
    pages: tuple[str, ...] = ()
    detail: str = ""


@dataclass
class SiteCrawl:
    """The items of one audit crawl (see crawler/items.py), grouped by kind."""

    start_url: str
    hosts: frozenset[str]
    pages: list[dict[str, Any]] = field(default_factory=list)
    robots: dict[str, Any] | None = None
    sitemaps: list[dict[str, Any]] = field(default_factory=list)
    link_checks: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_items(cls, start_url: str, hosts: frozenset[str], items: list[dict[str, Any]]) -> SiteCrawl:
        crawl = cls(start_url, hosts)
        for item in items:
            kind = item.get("type")
            if kind == "audit_page":
                crawl.pages.append(item)
            elif kind == "robots":
                crawl.robots = item
            elif kind == "sitemap":
                crawl.sitemaps.append(item)
            elif kind == "link_check":
                crawl.link_checks.append(item)
        return crawl

    @property
    def complete(self) -> bool:
        """Whether every page the site links to was read: the crawl child exited 0 with Scrapy's finish
        reason `finished` (not `closespider_timeout`, not killed), no page budget or sitemap cap reached."""
        stats = self.stats
        return (
            stats.get("returncode") == 0
            and stats.get("finish_reason") == "finished"
            and not stats.get("timed_out")
            and not stats.get("veille/page_budget_reached")
            and not stats.get("veille/sitemap_cap_reached")
        )

    @cached_property
    def origins(self) -> frozenset[tuple[str, str, int]]:
        return site_origins(self.start_url, self.hosts)

    def is_internal(self, url: str) -> bool:
        return _origin(url) in self.origins

    @cached_property
    def page(self) -> dict[str, dict[str, Any]]:
        """Each internal address requested, by key; the first answer wins."""
        found: dict[str, dict[str, Any]] = {}
        for item in self.pages:
            found.setdefault(url_key(item["url"]), item)
        return found

    @cached_property
    def check(self) -> dict[str, dict[str, Any]]:
        return {url_key(item["url"]): item for item in self.link_checks}

    @cached_property
    def html_pages(self) -> list[dict[str, Any]]:
        """Pages read as HTML (status below 400, facts extracted), each once."""
        seen: set[str] = set()
        pages = []
        for item in self.pages:
            key = url_key(item.get("final_url") or item["url"])
            if item.get("facts") is not None and key not in seen:
                seen.add(key)
                pages.append(item)
        return pages

    @cached_property
    def home(self) -> dict[str, Any] | None:
        return self.page.get(url_key(self.start_url))

    @cached_property
    def home_page(self) -> dict[str, Any] | None:
        """The home page as read (after its redirects), when it could be read."""
        home = self.home
        if home is None or not home.get("ok"):
            return None
        if home.get("facts") is not None:
            return home
        return self.page.get(url_key(home.get("final_url") or ""))

    @cached_property
    def links_to(self) -> dict[str, list[str]]:
        """For each address linked from the site (key), the pages holding a link to it."""
        holders: dict[str, dict[str, None]] = defaultdict(dict)  # an ordered set per address
        for item in self.html_pages:
            page_url = item.get("final_url") or item["url"]
            for link in item["facts"]["links"]:
                holders[url_key(link["url"])][page_url] = None
        return {key: list(pages) for key, pages in holders.items()}

    @cached_property
    def sitemap_entries(self) -> list[str]:
        return [
            entry["loc"]
            for sitemap in self.sitemaps
            if sitemap.get("ok") and sitemap.get("kind") == "urlset"
            for entry in sitemap.get("entries", [])
        ]

    def holders(self, url: str) -> tuple[str, ...]:
        return tuple(self.links_to.get(url_key(url), ()))
