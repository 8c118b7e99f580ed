"""The name resolver every download of a crawl connects through (`DNS_RESOLVER`): it answers from the
cache the address guard filled when it checked the request (`address_guard.resolve`), and only with
addresses the address rule allows for that host. A name is resolved once per crawl, so a second
answer (DNS rebinding: public for the check, internal for the connection) never reaches a socket."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Self

from scrapy.crawler import Crawler
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from crawler.judge.safety import refusal_reason
from crawler.middlewares.address_guard import allowed_network, resolve


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:  # answered at once: nothing to cancel
        pass


def pinned_addresses(host: str, origin_hosts: Sequence[str] | set[str]) -> list[str]:
    """The addresses a download to `host` may connect to: the checked answer, less what is refused."""
    host = host.strip("[]").lower()
    allowed = allowed_network(host, origin_hosts)
    return [a for a in resolve(host) if refusal_reason("http", [a], allowed) is None]


@implementer(IHostnameResolver)
class PinnedResolver:
    def __init__(self, reactor: Any, crawler: Crawler | Any) -> None:
        self.reactor = reactor
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        return cls(reactor, crawler)

    def origin_hosts(self) -> set[str]:
        """The configured hosts of the running spider(s). Scrapy builds the resolver with the
        CrawlerProcess (which holds the crawlers), not with a Crawler."""
        crawlers = getattr(self.crawler, "crawlers", None) or [self.crawler]
        return {host for c in crawlers for host in getattr(getattr(c, "spider", None), "origin_hosts", ())}

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        origin_hosts = self.origin_hosts()
        for address in pinned_addresses(hostName, origin_hosts):
            kind = IPv6Address if ipaddress.ip_address(address).version == 6 else IPv4Address
            if addressTypes is None or kind in addressTypes:
                resolutionReceiver.addressResolved(kind("TCP", address, portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution
