"""Audit the Collectif's own site: robots.txt, sitemaps, every internal page up to a page budget (any
depth, redirects followed by hand so chains and loops are seen), and every outgoing link checked once.

Run alone: `scrapy crawl site -a site=https://www.contrelatraite.org/ -o out.jsonl`, or with
`-a job=FILE` as `monitor` does: `{"start_url", "hosts": [...], "page_budget", "origin_hosts": [...],
"skip_links": [urls checked recently]}`; the pace of each host (`DOWNLOAD_SLOTS`) comes with the settings.

External links are checked one at a time per host (HEAD, then GET when HEAD is refused), in the
order found; a host that does not answer at all is not asked again in this run: its other links are
reported as skipped, so a host that is down makes one finding, not one per link.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url as _canonicalize_url

from crawler.failures import describe_failure
from crawler.items import AuditPageItem, LinkCheckItem, RobotsItem, SitemapItem
from crawler.judge.decoding import decode_html
from crawler.judge.page import ParsedPage
from crawler.judge.page_facts import page_facts
from crawler.judge.targets import host_of, origin_of, site_origins
from crawler.spiders.backlinks import _is_page_url

MAX_REDIRECTS = 10
# Failures that say the host itself does not answer (not: this one page is missing).
HOST_DOWN_KINDS = frozenset({"dns", "refused", "timeout"})
# Answers to HEAD after which the link is asked again with GET: servers that refuse HEAD.
RETRY_WITH_GET = frozenset({400, 403, 405, 501})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Per audit: sitemap indexes of 20,000 children each once drove a crawl to 2.5 GB.
MAX_SITEMAPS = 50
MAX_SITEMAP_ENTRIES = 50_000


@lru_cache(maxsize=65536)
def canonicalize_url(url: str) -> str:
    """w3lib's canonical form, remembered: a navigation bar repeats the same links on every page."""
    return _canonicalize_url(url)


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1").lower(): values[-1].decode("latin-1")
        for key, values in response.headers.items()
        if values
    }


class SiteSpider(Spider):
    name = "site"

    def __init__(self, site: str = "", job: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        data: dict[str, Any] = json.loads(Path(job).read_text(encoding="utf-8")) if job else {}
        if not data and not site:
            raise ValueError("give -a site=URL or -a job=FILE")
        self.start_url: str = data.get("start_url") or site
        self.hosts: set[str] = set(data.get("hosts") or []) | {host_of(self.start_url)}
        self.page_budget = int(data.get("page_budget") or 2000)
        self.origin_hosts: set[str] = set(data.get("origin_hosts") or []) | self.hosts
        self.origins = site_origins(self.start_url, self.hosts)
        self.seen_pages: set[str] = set()
        self.done_pages: set[str] = set()
        self.checked_links: set[str] = set(data.get("skip_links") or [])
        self.waiting: dict[str, deque[tuple[str, bool]]] = {}
        self.busy_hosts: set[str] = set()
        self.down_hosts: dict[str, str] = {}
        self.sitemap_limit = int(data.get("sitemap_limit") or MAX_SITEMAPS)
        self.entry_limit = int(data.get("sitemap_entry_limit") or MAX_SITEMAP_ENTRIES)
        self.sitemaps_asked = 0
        self.entries_read = 0

    def _internal(self, url: str) -> bool:
        return origin_of(url) in self.origins

    async def start(self) -> Any:
        robots = urljoin(self.start_url, "/robots.txt")
        yield Request(robots, callback=self.parse_robots, errback=self.robots_failed,
                      meta={"dont_obey_robotstxt": True, "handle_httpstatus_all": True,
                            "allow_offsite": True}, dont_filter=True)  # fmt: skip
        yield self._page_request(self.start_url)

    # --- robots.txt and sitemaps ---------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        ok = isinstance(response, TextResponse) and response.status == 200
        text = response.text if ok else ""
        sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url)) if text else []
        yield RobotsItem(url=response.url, status=response.status, text=text[:20_000], sitemaps=sitemaps)
        # The sitemap protocol wants a site's sitemaps on the site: another host is never fetched.
        own = [url for url in sitemaps if self._internal(url)]
        for url in own or [urljoin(self.start_url, "/sitemap.xml")]:
            yield from self._sitemap_request(url)

    def robots_failed(self, failure: Failure) -> Iterator[Any]:
        _, message, status = describe_failure(failure)
        yield RobotsItem(url=failure.request.url, status=status, error=message)  # type: ignore[attr-defined]
        yield from self._sitemap_request(urljoin(self.start_url, "/sitemap.xml"))

    def _capped(self) -> None:
        """A cap was reached: the audit did not read everything (monitor/site/model.py `complete`)."""
        self.crawler.stats.set_value("veille/sitemap_cap_reached", True)

    def _sitemap_request(self, url: str) -> Iterator[Request]:
        if self.sitemaps_asked >= self.sitemap_limit:
            self._capped()
            return
        self.sitemaps_asked += 1
        yield Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed,
                      meta={"handle_httpstatus_all": True, "allow_offsite": True})  # fmt: skip

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if response.status != 200:
            status = response.status
            yield SitemapItem(url=response.url, ok=False, status=status, error=f"HTTP {status}")
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            limit = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            try:
                body = gunzip(body, max_size=limit)
            except Exception as exc:  # past the size limit (a « gzip bomb »), or not gzip after all
                error = f"sitemap compressé illisible, ou de plus de {limit // 1_048_576} Mo décompressé"
                name = type(exc).__name__
                yield SitemapItem(url=response.url, ok=False, status=200, error=f"{error} ({name})")
                return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml gives up on what is not XML at all
            yield SitemapItem(url=response.url, ok=False, status=200, error=f"XML illisible ({exc})"[:300])
            return
        if sitemap.type not in ("urlset", "sitemapindex"):
            yield SitemapItem(url=response.url, ok=False, status=200, error="ce n'est pas un sitemap")
            return
        room, entries, cut = self.entry_limit - self.entries_read, [], ""
        for entry in sitemap:
            if not entry.get("loc"):
                continue
            if len(entries) >= room:
                cut = f"plafond de {self.entry_limit} entrées de sitemap par audit : la suite n'est pas lue"
                self._capped()
                break
            entries.append({"loc": str(entry["loc"]).strip(), "lastmod": str(entry.get("lastmod") or "")})
        self.entries_read += len(entries)
        requests: list[Request] = []
        for entry in entries:
            url = urljoin(response.url, entry["loc"])
            if sitemap.type == "sitemapindex":
                if self._internal(url):
                    asked = list(self._sitemap_request(url))
                    requests.extend(asked)
                    if not asked:
                        cut = f"plafond de {self.sitemap_limit} sitemaps par audit : d'autres ne sont pas lus"
            elif self.crawler.stats.get_value("veille/page_budget_reached"):
                break  # past the page budget: nothing more is queued
            elif self._internal(url) and self._may_fetch(url):
                requests.append(self._page_request(url))
        yield SitemapItem(url=response.url, ok=True, status=200, kind=sitemap.type, entries=entries, cut=cut)
        yield from requests

    def sitemap_failed(self, failure: Failure) -> SitemapItem:
        _, message, status = describe_failure(failure)
        return SitemapItem(url=failure.request.url, ok=False, status=status, error=message)  # type: ignore[attr-defined]

    # --- internal pages ------------------------------------------------------------------------

    def _may_fetch(self, url: str) -> bool:
        if canonicalize_url(url) in self.seen_pages:
            return False
        if len(self.seen_pages) >= self.page_budget:
            # Pages were left unread: what no page links to cannot be judged (monitor/site/checks.py).
            self.crawler.stats.set_value("veille/page_budget_reached", True)
            return False
        return True

    def _page_request(self, url: str, chain: list[list[Any]] | None = None) -> Request:
        if not chain:
            self.seen_pages.add(canonicalize_url(url))
        return Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            dont_filter=True,
            meta={"dont_redirect": True, "handle_httpstatus_all": True, "allow_offsite": True,
                  "veille_chain": chain or [], "veille_started": time.monotonic()},
        )  # fmt: skip

    def page_failed(self, failure: Failure) -> AuditPageItem:
        request = failure.request  # type: ignore[attr-defined]
        kind, message, status = describe_failure(failure)
        chain = request.meta.get("veille_chain") or []
        return AuditPageItem(
            url=chain[0][0] if chain else request.url, ok=False, status=status, final_url=request.url,
            chain=chain, error_kind=kind, error=message,
        )  # fmt: skip

    def parse_page(self, response: Response) -> Iterator[Any]:
        chain: list[list[Any]] = response.meta["veille_chain"]
        origin = chain[0][0] if chain else response.url
        location = (response.headers.get("Location") or b"").decode("latin-1").strip()
        if response.status in REDIRECT_STATUSES and location:
            target = urljoin(response.url, location)
            hops = [*chain, [response.url, response.status]]
            looped = canonicalize_url(target) in {canonicalize_url(u) for u, _ in hops}
            if looped or len(hops) > MAX_REDIRECTS or not self._internal(target):
                ok = not looped and len(hops) <= MAX_REDIRECTS
                yield AuditPageItem(
                    url=origin, ok=ok, status=response.status, final_url=target, chain=hops, loop=looped
                )
                if not self._internal(target) and not looped:
                    yield from self._check_link(target)
                return
            yield self._page_request(target, hops)
            return
        headers = _headers(response)
        started = response.meta.get("veille_started")
        latency = response.meta.get("download_latency")
        item = AuditPageItem(
            url=response.url,
            ok=response.status < 400,
            status=response.status,
            final_url=response.url,
            content_type=headers.get("content-type", ""),
            bytes=len(response.body),
            response_ms=round(1000 * (latency if latency is not None else time.monotonic() - started)),
            last_modified=headers.get("last-modified"),
        )
        final = canonicalize_url(response.url)
        if chain:
            # The redirected address, then the end of the chain as a page of its own, read once.
            yield AuditPageItem(url=origin, ok=item.ok, status=response.status, final_url=response.url,
                                chain=[*chain, [response.url, response.status]])  # fmt: skip
            if final in self.done_pages:
                return
            self.seen_pages.add(final)
        self.done_pages.add(final)
        if response.status >= 400 or "html" not in item.content_type.lower():
            yield item
            return
        page = ParsedPage(decode_html(response.body, item.content_type), response.url)
        item.facts = page_facts(page, headers)
        yield item
        canonical = item.facts["canonical"]
        if canonical and self._internal(canonical) and self._may_fetch(canonical):
            yield self._page_request(canonical)  # where it leads is judged too
        follow = "nofollow" not in item.facts["robots"]
        for link in item.facts["links"]:
            url = link["url"]
            if not self._internal(url):
                yield from self._check_link(url)
            elif not _is_page_url(url):
                yield from self._check_link(url, internal=True)
            elif follow and self._may_fetch(url):
                yield self._page_request(url)

    # --- links checked once --------------------------------------------------------------------

    def _check_link(self, url: str, internal: bool = False) -> Iterator[Any]:
        url = url.split("#", 1)[0]
        if url in self.checked_links:
            return
        self.checked_links.add(url)
        host = host_of(url)
        if host in self.down_hosts:
            yield self._skipped(url, host, internal)
            return
        self.waiting.setdefault(host, deque()).append((url, internal))
        yield from self._next_check(host)

    def _skipped(self, url: str, host: str, internal: bool) -> LinkCheckItem:
        return LinkCheckItem(url=url, host=host, ok=False, error_kind="host_down",
                             error=self.down_hosts[host], internal=internal)  # fmt: skip

    def _next_check(self, host: str) -> Iterator[Any]:
        """The next waiting link of a host, once its previous check has ended: one at a time per host."""
        queue = self.waiting.get(host)
        if host in self.busy_hosts or not queue:
            return
        url, internal = queue.popleft()
        self.busy_hosts.add(host)
        yield self._link_request(url, "HEAD", internal)

    def _link_request(self, url: str, method: str, internal: bool) -> Request:
        return Request(url, method=method, callback=self.link_answered, errback=self.link_failed,
                       dont_filter=True, meta={"handle_httpstatus_all": True, "allow_offsite": True,
                                               "veille_internal": internal, "veille_url": url})  # fmt: skip

    def link_answered(self, response: Response) -> Iterator[Any]:
        request = response.request
        assert request is not None
        url, internal = request.meta["veille_url"], request.meta["veille_internal"]
        if request.method == "HEAD" and response.status in RETRY_WITH_GET:
            yield self._link_request(url, "GET", internal)
            return
        yield LinkCheckItem(url=url, host=host_of(url), ok=response.status < 400, status=response.status,
                            final_url=response.url, method=request.method, internal=internal)  # fmt: skip
        yield from self._check_ended(host_of(url))

    def link_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        url, internal = request.meta["veille_url"], request.meta["veille_internal"]
        host = host_of(url)
        kind, message, status = describe_failure(failure)
        yield LinkCheckItem(url=url, host=host, ok=False, status=status, method=request.method,
                            error_kind=kind, error=message, internal=internal)  # fmt: skip
        if kind in HOST_DOWN_KINDS:
            self.down_hosts[host] = message
            for waiting_url, waiting_internal in self.waiting.pop(host, deque()):
                yield self._skipped(waiting_url, host, waiting_internal)
        yield from self._check_ended(host)

    def _check_ended(self, host: str) -> Iterator[Any]:
        self.busy_hosts.discard(host)
        yield from self._next_check(host)
