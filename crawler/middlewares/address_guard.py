"""Refuse requests Veille must not make: non-http(s) schemes; hosts on private, loopback, link-local
or otherwise non-global networks unless the configuration itself names that host (a member site or a
source served on loopback in tests and the demo: the spider's `origin_hosts`); and, for requests marked
with `veille_domain`, redirects that leave that registrable domain.

The name is checked before the request, and the download connects only to the address checked
(`crawler/resolver.py` answers from the same cache): a name answering a public address to the check
and an internal one later (DNS rebinding) never gets the request delivered. The address actually
connected to is checked again on the response (`PeerAddressMiddleware`, first in the response chain).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from functools import cache
from typing import NoReturn, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.judge.safety import Network, configured_network, refusal_reason
from crawler.judge.targets import registrable_domain

DOMAIN_META = "veille_domain"


class UnsafeRequest(IgnoreRequest):
    """A request refused for safety; the message says why."""


@cache
def resolve(host: str) -> tuple[str, ...]:
    """The IP addresses of a host (itself when it is an address); empty when it does not resolve.

    Resolved once per crawl and never forgotten: the download connects through `PinnedResolver`
    (crawler/resolver.py), which answers from this same cache, so it reaches the address checked here.
    """
    try:
        return (str(ipaddress.ip_address(host.strip("[]"))),)
    except ValueError:
        pass
    try:
        return tuple(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(host, None)))
    except OSError:
        return ()  # let the download fail with Scrapy's own DNS error


def allowed_network(host: str, origin_hosts: Iterable[str]) -> Network:
    """The network a host may be on: what the configuration literally writes for it, else public."""
    return configured_network(host) if host in origin_hosts else Network.PUBLIC


class _Guard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def refuse(self, reason: str, url: str) -> NoReturn:
        self.crawler.stats.inc_value("veille/refused_unsafe")
        raise UnsafeRequest(f"{reason} ({url})")

    def allowed(self, host: str) -> Network:
        return allowed_network(host, getattr(self.crawler.spider, "origin_hosts", ()))


class AddressGuardMiddleware(_Guard):
    def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        reason = refusal_reason(parts.scheme, list(resolve(host)), self.allowed(host))
        domain = request.meta.get(DOMAIN_META)
        redirected = bool(request.meta.get("redirect_urls"))
        if reason is None and domain and redirected and registrable_domain(host) != domain:
            reason = f"redirect off the member's site to {host}"
        if reason:
            self.refuse(reason, request.url)


class PeerAddressMiddleware(_Guard):
    def process_response(self, request: Request, response: Response) -> Response:
        peer = getattr(response, "ip_address", None)
        if peer is not None:
            parts = urlsplit(response.url)
            host = (parts.hostname or "").lower()
            reason = refusal_reason(parts.scheme, [str(peer)], self.allowed(host))
            if reason:
                self.refuse(f"connected to {peer}: {reason}", response.url)
        return response
