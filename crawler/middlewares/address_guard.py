"""Refuse requests Veille must not make: non-http(s) schemes; hosts on private, loopback, link-local
or otherwise non-global networks unless the configuration itself names that host (a member site or a
source served on loopback in tests and the demo: the spider's `origin_hosts`); and, for requests marked
with `veille_domain`, redirects that leave that registrable domain.

The name is checked before the request, and the address actually connected to is checked again on
the response (`PeerAddressMiddleware`, first in the response chain): a name that resolves to a
public address for the check and to an internal one for the connection (DNS rebinding) is refused
before its answer is decompressed, followed or parsed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from functools import lru_cache
from typing import NoReturn, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

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


def allowed_network(host: str, origin_hosts: Iterable[str]) -> Network:
    """The network a host may be on: its own when the configuration names it, else public only."""
    return network_of(host) if host in origin_hosts else Network.PUBLIC


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
