"""Where the crawler may go: http(s) only, and no private, loopback or link-local address
unless the member's own configured address is itself in that class of network."""

from __future__ import annotations

import ipaddress
from enum import StrEnum


class Network(StrEnum):
    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link_local"
    RESERVED = "reserved"


def classify_address(address: str) -> Network:
    """The kind of network an IP address belongs to."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return Network.LOOPBACK
    if ip.is_link_local:
        return Network.LINK_LOCAL
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return Network.RESERVED
    if ip.is_private:
        return Network.PRIVATE
    return Network.PUBLIC


def refusal_reason(scheme: str, addresses: list[str], allowed: Network) -> str | None:
    """Why a request to a host resolving to `addresses` must not be made, or None when it may.

    `allowed` is the class of network of the member's configured address: a public site may only
    lead to public addresses; a site configured on loopback (tests, demo) may also reach loopback.
    """
    if scheme not in ("http", "https"):
        return f"scheme {scheme!r} refused (http and https only)"
    for address in addresses:
        network = classify_address(address)
        if network not in (Network.PUBLIC, allowed):
            return f"address {address} is {network.value}: refused"
    return None
