"""Refuse requests Veille must not make: non-http(s) schemes, private/loopback/link-local addresses
(unless the site was configured on such a network), and redirects that leave the member's domain."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.judge.safety import Network, refusal_reason
from crawler.judge.targets import registrable_domain


class UnsafeRequest(IgnoreRequest):
    """A request refused for safety; the message says why."""


class ScopedSpider(Protocol):
    def scope_of(self, request: Request) -> tuple[Network, str | None]:
        """The network class allowed for this request, and the registrable domain it must stay in."""
        ...


@lru_cache(maxsize=1024)
def resolve(host: str) -> tuple[str, ...]:
    """The IP addresses of a host (itself when it is an address); empty when it does not resolve."""
    try:
        return (str(ipaddress.ip_address(host)),)
    except ValueError:
        pass
    try:
        return tuple({info[4][0] for info in socket.getaddrinfo(host, None)})
    except OSError:
        return ()  # let the download fail with Scrapy's own DNS error


class AddressGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        spider = self.crawler.spider
        network, domain = spider.scope_of(request) if hasattr(spider, "scope_of") else (Network.PUBLIC, None)
        reason = refusal_reason(parts.scheme, list(resolve(host)), network)
        redirected = bool(request.meta.get("redirect_urls"))
        if reason is None and domain and redirected and registrable_domain(host) != domain:
            reason = f"redirect off the member's site to {host}"
        if reason:
            self.crawler.stats.inc_value("veille/refused_unsafe")
            raise UnsafeRequest(f"{reason} ({request.url})")
