"""Which URLs are links to the Collectif, and where the crawler may go: literal inputs only."""

from __future__ import annotations

import pytest

from crawler.judge.decoding import decode_html
from crawler.judge.safety import Network, classify_address, refusal_reason
from crawler.judge.targets import is_on_domains, mention_pattern, registrable_domain, resolve_href

DOMAINS = ("contrelatraite.org", "contrelatraite.net", "contrelatraite.com")


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("  https://www.contrelatraite.org  ", "https://m.org/", "https://www.contrelatraite.org/"),
        ("HTTPS://WWW.CONTRELATRAITE.ORG/Page", "https://m.org/", "https://www.contrelatraite.org/Page"),
        ("\thttps://contrelatraite.org/\n", "https://m.org/", "https://contrelatraite.org/"),
        ("/a#frag", "https://www.contrelatraite.org/x/", "https://www.contrelatraite.org/a"),
        ("page.html", "https://m.org/dir/", "https://m.org/dir/page.html"),
        ("https://bücher.example/", "https://m.org/", "https://xn--bcher-kva.example/"),
        ("mailto:contact@contrelatraite.org", "https://m.org/", None),
        ("javascript:void(0)", "https://m.org/", None),
        ("", "https://m.org/", None),
    ],
)
def test_resolve_href(href: str, base: str, expected: str | None) -> None:
    assert resolve_href(href, base) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.contrelatraite.org/", True),
        ("http://contrelatraite.net/x", True),
        ("https://blog.contrelatraite.com/", True),
        ("https://notcontrelatraite.org/", False),
        ("https://contrelatraite.org.example.net/", False),
        ("https://www.facebook.com/sharer.php?u=https://www.contrelatraite.org/", False),
        ("https://example.org/contrelatraite.org", False),
    ],
)
def test_links_to_the_collectif_are_matched_by_host(url: str, expected: bool) -> None:
    assert is_on_domains(url, DOMAINS) is expected


def test_plain_text_mentions() -> None:
    pattern = mention_pattern(DOMAINS)
    text = "Voir www.contrelatraite.org, ou notcontrelatraite.org, ou contrelatraite.org.example.net."
    assert [m.group(0) for m in pattern.finditer(text)] == ["www.contrelatraite.org"]


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.example.co.uk", "example.co.uk"),
        ("fr.amicaledunid.org", "amicaledunid.org"),
        ("127.0.1.3", "127.0.1.3"),
    ],
)
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("8.8.8.8", Network.PUBLIC),
        ("127.0.1.5", Network.LOOPBACK),
        ("::1", Network.LOOPBACK),
        ("10.1.2.3", Network.PRIVATE),
        ("192.168.0.1", Network.PRIVATE),
        ("169.254.169.254", Network.LINK_LOCAL),
        ("::ffff:169.254.169.254", Network.LINK_LOCAL),
        ("0.0.0.0", Network.RESERVED),
    ],
)
def test_classify_address(address: str, network: Network) -> None:
    assert classify_address(address) == network


def test_refusal_reason() -> None:
    assert refusal_reason("https", ["93.184.216.34"], Network.PUBLIC) is None
    assert refusal_reason("http", ["127.0.1.3"], Network.LOOPBACK) is None
    assert refusal_reason("http", ["127.0.0.1"], Network.PUBLIC) == "address 127.0.0.1 is loopback: refused"
    assert "link_local" in (refusal_reason("http", ["169.254.169.254"], Network.LOOPBACK) or "")
    assert (
        refusal_reason("ftp", ["93.184.216.34"], Network.PUBLIC)
        == "scheme 'ftp' refused (http and https only)"
    )


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        ("Êtres « humains »".encode("cp1252"), "text/html", "Êtres « humains »"),
        ("Êtres « humains »".encode(), "text/html", "Êtres « humains »"),
        ("Êtres".encode("latin-1"), "text/html; charset=iso-8859-1", "Êtres"),
        (b'<meta charset="utf-8">\xc3\x8atres', None, '<meta charset="utf-8">Êtres'),
    ],
)
def test_decode_html(body: bytes, content_type: str | None, text: str) -> None:
    assert decode_html(body, content_type) == text
