"""Where the crawler may go: http(s) only, and no private, loopback, link-local or otherwise
non-global address unless the Collectif's own configuration writes that host as a loopback or private
address literally (a member site or a source served on loopback in tests and the demo). A configured
name is public only, whatever it resolves to; link-local (cloud metadata) is never reachable."""

from __future__ import annotations

import ipaddress
from enum import StrEnum

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Network(StrEnum):
    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link_local"
    RESERVED = "reserved"


# The IANA special-purpose registries (IPv4 and IPv6) entries that are not globally reachable,
# whatever the running Python's `is_global` knows (3.11 counts 100.64.0.0/10 out of `is_private`,
# and some blocks were added to the registries after it). Addresses that embed an IPv4 address
# (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the address they embed.
SPECIAL_PURPOSE: dict[str, Network] = {
    "0.0.0.0/8": Network.RESERVED,  # "this network"
    "10.0.0.0/8": Network.PRIVATE,
    "100.64.0.0/10": Network.PRIVATE,  # shared address space (carrier NAT, some cloud metadata)
    "127.0.0.0/8": Network.LOOPBACK,
    "169.254.0.0/16": Network.LINK_LOCAL,  # cloud metadata at 169.254.169.254
    "172.16.0.0/12": Network.PRIVATE,
    "192.0.0.0/24": Network.RESERVED,  # IETF protocol assignments
    "192.0.2.0/24": Network.RESERVED,  # TEST-NET-1
    "192.88.99.0/24": Network.RESERVED,  # deprecated 6to4 relay anycast
    "192.168.0.0/16": Network.PRIVATE,
    "198.18.0.0/15": Network.RESERVED,  # benchmarking
    "198.51.100.0/24": Network.RESERVED,  # TEST-NET-2
    "203.0.113.0/24": Network.RESERVED,  # TEST-NET-3
    "224.0.0.0/4": Network.RESERVED,  # multicast
    "240.0.0.0/4": Network.RESERVED,  # reserved, and 255.255.255.255 (limited broadcast)
    "::/128": Network.RESERVED,
    "::1/128": Network.LOOPBACK,
    "64:ff9b:1::/48": Network.PRIVATE,  # local-use NAT64
    "100::/64": Network.RESERVED,  # discard-only
    "100:0:0:1::/64": Network.RESERVED,  # dummy prefix
    "2001::/23": Network.RESERVED,  # IETF protocol assignments (Teredo, benchmarking, ORCHID…)
    "2001:db8::/32": Network.RESERVED,  # documentation
    "3fff::/20": Network.RESERVED,  # documentation
    "5f00::/16": Network.RESERVED,  # segment routing
    "fc00::/7": Network.PRIVATE,  # unique local
    "fe80::/10": Network.LINK_LOCAL,
    "fec0::/10": Network.PRIVATE,  # deprecated site-local
    "ff00::/8": Network.RESERVED,  # multicast
}
_BLOCKS = [(ipaddress.ip_network(block), network) for block, network in SPECIAL_PURPOSE.items()]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify_address(address: str | IPAddress) -> Network:
    """The kind of network an IP address belongs to; anything not globally reachable is not PUBLIC."""
    ip = ipaddress.ip_address(address)
    ip = _embedded_ipv4(ip) or ip
    for block, network in _BLOCKS:
        if ip.version == block.version and ip in block:
            return network
    if ip.is_loopback:
        return Network.LOOPBACK
    if ip.is_link_local:
        return Network.LINK_LOCAL
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return Network.RESERVED
    if ip.is_private or not ip.is_global:
        return Network.PRIVATE
    return Network.PUBLIC


def configured_network(host: str) -> Network:
    """The network a host the configuration names may be on, from what the configuration literally
    says: a loopback or private address written as such may stay there; a name may only lead to
    public addresses (a member's domain that expires or is hijacked must not reach inside), and
    link-local or reserved addresses are never allowed."""
    try:
        network = classify_address(host.strip("[]"))
    except ValueError:
        return Network.PUBLIC
    return network if network in (Network.LOOPBACK, Network.PRIVATE) else Network.PUBLIC


def refusal_reason(scheme: str, addresses: list[str], allowed: Network) -> str | None:
    """Why a request to a host resolving to `addresses` must not be made, or None when it may.

    `allowed` is the class of network of the host's configured address: a public host may only
    lead to public addresses; a host configured on loopback (tests, demo) may also reach loopback.
    """
    if scheme not in ("http", "https"):
        return f"scheme {scheme!r} refused (http and https only)"
    for address in addresses:
        network = classify_address(address)
        if network not in (Network.PUBLIC, allowed):
            return f"address {address} is {network.value}: refused"
    return None
