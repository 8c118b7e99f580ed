"""Crawl member sites breadth-first and report every link to the Collectif, judged for visibility.

Run alone: `scrapy crawl backlinks -a site=https://example.org/ -o out.jsonl`, or with
`-a job=sites.json` (`{"sites": [{"id", "url", "known_pages": [...]}]}`) as `monitor` does.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from crawler.failures import describe_failure
from crawler.items import FeedItem, LinkItem, MentionItem, PageItem
from crawler.judge.decoding import decode_html
from crawler.judge.page import ParsedPage
from crawler.judge.targets import host_of, registrable_domain
from crawler.middlewares.address_guard import DOMAIN_META

# Links to these are not pages: never followed.
SKIPPED_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx odt ods zip gz rar 7z jpg jpeg png gif webp svg ico mp3 mp4"
    " avi mov webm ogg wav css js json xml rss atom ics".split()
)


@dataclass
class SiteState:
    """What the spider knows of one member site while crawling it."""

    id: str
    start_url: str
    known_pages: list[str]
    domain: str
    hosts: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)
    stylesheets: dict[str, asyncio.Future[str]] = field(default_factory=dict)


def _is_page_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.rsplit(".", 1)[-1] not in SKIPPED_EXTENSIONS if "." in path[-6:] else True


class BacklinksSpider(Spider):
    name = "backlinks"

    def __init__(self, site: str = "", job: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if job:
            entries = json.loads(Path(job).read_text(encoding="utf-8"))["sites"]
        elif site:
            entries = [{"id": host_of(url) or url, "url": url} for url in site.split(",")]
        else:
            raise ValueError("give -a site=URL[,URL…] or -a job=FILE")
        self.sites: dict[str, SiteState] = {}
        # Hosts the configuration names: AddressGuardMiddleware lets these be on any network.
        self.origin_hosts: set[str] = set()
        for entry in entries:
            host = host_of(entry["url"])
            self.sites[entry["id"]] = SiteState(
                id=entry["id"],
                start_url=entry["url"],
                known_pages=list(entry.get("known_pages") or []),
                domain=registrable_domain(host),
                hosts={host},
            )
            self.origin_hosts.add(host)

    def _setting(self, name: str) -> Any:
        return self.crawler.settings[name]

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(d.lower() for d in self.crawler.settings.getlist("VEILLE_COLLECTIF_DOMAINS"))

    async def start(self) -> AsyncIterator[Request]:
        for site in self.sites.values():
            site.started = time.monotonic()
            yield self._request(site, site.start_url, depth=0, home=True)
            for page in site.known_pages:
                if host_of(page) in site.hosts:
                    yield self._request(site, page, depth=None, known=True)

    def _request(
        self, site: SiteState, url: str, depth: int | None, home: bool = False, known: bool = False
    ) -> Request:
        site.seen.add(canonicalize_url(url))
        return Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            dont_filter=home or known,
            meta={
                "site": site.id,
                "veille_depth": depth,
                "veille_home": home,
                "veille_known": known,
                DOMAIN_META: site.domain,
                "allow_offsite": True,
            },
        )

    def _may_follow(self, site: SiteState, url: str) -> bool:
        elapsed = time.monotonic() - site.started
        return (
            host_of(url) in site.hosts
            and _is_page_url(url)
            and canonicalize_url(url) not in site.seen
            and len(site.seen) < int(self._setting("VEILLE_PAGE_BUDGET"))
            and elapsed < float(self._setting("VEILLE_TIME_BUDGET_S"))
        )

    def page_failed(self, failure: Failure) -> PageItem | None:
        request = failure.request  # type: ignore[attr-defined]
        kind, message, status = describe_failure(failure)
        return PageItem(
            site=request.meta["site"],
            url=request.url,
            requested_url=(request.meta.get("redirect_urls") or [request.url])[0],
            depth=request.meta.get("veille_depth"),
            ok=False,
            status=status,
            error_kind=kind,
            error=message,
            is_home=request.meta.get("veille_home", False),
            known=request.meta.get("veille_known", False),
        )

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        site = self.sites[meta["site"]]
        depth: int | None = meta.get("veille_depth")
        if meta.get("veille_home"):
            # The home page may redirect within the member's domain (http→https, bare→www).
            site.hosts.add(host_of(response.url))
        page = PageItem(
            site=site.id,
            url=response.url,
            requested_url=(meta.get("redirect_urls") or [response.url])[0],
            depth=depth,
            ok=True,
            status=response.status,
            is_home=meta.get("veille_home", False),
            known=meta.get("veille_known", False),
        )
        yield page
        if not isinstance(response, TextResponse) or b"html" not in (
            response.headers.get("Content-Type") or b"text/html"
        ):
            return
        robots_header = (response.headers.get("X-Robots-Tag") or b"").decode("latin-1").lower()
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        html = decode_html(response.body, content_type)
        parsed = ParsedPage(html, response.url, nofollow_header="nofollow" in robots_header)

        if parsed.has_links_to(self.domains):
            sheets = await self._stylesheets(site, parsed.stylesheet_urls())
            judgement = parsed.judge(self.domains, sheets)
            for finding in judgement.links:
                yield LinkItem(site=site.id, depth=depth, **vars(finding))
        else:
            judgement = parsed.judge(self.domains, {})
        for mention in judgement.mentions:
            yield MentionItem(site=site.id, page=response.url, text=mention)
        if meta.get("veille_home"):
            for feed in parsed.feed_links():
                yield FeedItem(site=site.id, page=response.url, url=feed.url, title=feed.title)

        if depth is not None and depth < int(self._setting("VEILLE_MAX_DEPTH")):
            for url in parsed.outlinks():
                if self._may_follow(site, url):
                    yield self._request(site, url, depth=depth + 1)

    async def _stylesheets(self, site: SiteState, urls: list[str]) -> dict[str, str]:
        """Same-site stylesheets of a page, each downloaded once per crawl."""
        wanted = [u for u in urls if host_of(u) in site.hosts]
        for url in wanted:
            if url not in site.stylesheets:
                site.stylesheets[url] = asyncio.ensure_future(self._download_text(site, url))
        texts = await asyncio.gather(*(site.stylesheets[u] for u in wanted))
        return {u: t for u, t in zip(wanted, texts, strict=True) if t}

    async def _download_text(self, site: SiteState, url: str) -> str:
        request = Request(url, meta={"site": site.id, DOMAIN_META: site.domain}, dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # an unreadable stylesheet only weakens the judgement
            self.logger.info("stylesheet %s unreadable: %s", url, exc)
            return ""
        if response.status != 200 or not isinstance(response, TextResponse):
            return ""
        return response.text
