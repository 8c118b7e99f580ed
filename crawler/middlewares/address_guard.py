"""Refuse requests Veille must not make: non-http(s) schemes; hosts on private, loopback or link-local
networks unless the configuration itself names that host (a member site or a source served on
loopback in tests and the demo); and, for requests marked with `veille_domain`, redirects that leave
that registrable domain."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.judge.safety import Network, classify_address, refusal_reason
from crawler.judge.targets import registrable_domain

DOMAIN_META = "veille_domain"


class UnsafeRequest(IgnoreRequest):
    """A request refused for safety; the message says why."""


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


def network_of(host: str) -> Network:
    addresses = resolve(host)
    return classify_address(addresses[0]) if addresses else Network.PUBLIC


class AddressGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        configured = host in getattr(self.crawler.spider, "origin_hosts", ())
        allowed = network_of(host) if configured else Network.PUBLIC
        reason = refusal_reason(parts.scheme, list(resolve(host)), allowed)
        domain = request.meta.get(DOMAIN_META)
        redirected = bool(request.meta.get("redirect_urls"))
        if reason is None and domain and redirected and registrable_domain(host) != domain:
            reason = f"redirect off the member's site to {host}"
        if reason:
            self.crawler.stats.inc_value("veille/refused_unsafe")
            raise UnsafeRequest(f"{reason} ({request.url})")
