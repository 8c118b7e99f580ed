"""Which addresses Veille may fetch: every special-purpose block of the IANA registries is refused
unless configured; discovered feeds stay on the member's domain. Literal inputs, no I/O."""

from __future__ import annotations

import ipaddress

import pytest

from crawler.judge.safety import (
    SPECIAL_PURPOSE,
    Network,
    classify_address,
    configured_network,
    refusal_reason,
)

# One address inside each block of the IANA IPv4 and IPv6 special-purpose registries that is not
# globally reachable, and the embedding forms of private IPv4 addresses.
NOT_GLOBAL = [
    "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.100.100.200", "100.127.255.254", "127.0.0.1",
    "169.254.169.254", "172.16.0.1", "172.31.255.254", "192.0.0.8", "192.0.0.170", "192.0.2.1",
    "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.19.255.254", "198.51.100.7", "203.0.113.9",
    "224.0.0.251", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::", "::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1", "100::1", "100:0:0:1::1", "2001::1", "2001:2::1", "2001:10::1", "2001:db8::1",
    "2002:a00:1::1", "2002:7f00:1::1", "3fff::1", "5f00::1", "fc00::1", "fd12:3456::1", "fe80::1",
    "fec0::1", "ff02::1",
]  # fmt: skip
GLOBAL = ["8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.1", "2606:4700::1111",
          "64:ff9b::808:808", "2002:808:808::1"]  # fmt: skip


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_every_special_purpose_block_is_refused(address: str) -> None:
    assert classify_address(address) != Network.PUBLIC
    assert refusal_reason("https", [address], Network.PUBLIC) is not None


def test_every_registry_block_has_a_case() -> None:
    for block in SPECIAL_PURPOSE:
        network = ipaddress.ip_network(block)
        assert any(
            ipaddress.ip_address(a).version == network.version and ipaddress.ip_address(a) in network
            for a in NOT_GLOBAL
        ), block


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_are_public(address: str) -> None:
    assert classify_address(address) == Network.PUBLIC


def test_shared_address_space_is_not_public() -> None:
    # 100.64.0.0/10 is neither private nor global for the standard library of Python 3.11.
    assert classify_address("100.100.100.200") == Network.PRIVATE


@pytest.mark.parametrize(
    ("host", "network"),
    [("127.0.1.3", Network.LOOPBACK), ("10.1.2.3", Network.PRIVATE), ("[::1]", Network.LOOPBACK),
     ("169.254.169.254", Network.PUBLIC), ("fe80::1", Network.PUBLIC), ("192.0.2.1", Network.PUBLIC),
     ("membre.example", Network.PUBLIC), ("localhost", Network.PUBLIC)],
)  # fmt: skip
def test_a_configured_host_may_stay_where_its_literal_address_is(host: str, network: Network) -> None:
    """From what the configuration writes, never from what a name resolves to; link-local never."""
    assert configured_network(host) == network
    assert refusal_reason("http", ["169.254.169.254"], configured_network(host)) is not None
