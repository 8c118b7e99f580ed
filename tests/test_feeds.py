"""Feed parsing (crawler/judge/feeds.py): entries out of bytes and headers, links made absolute."""

from __future__ import annotations

from crawler.judge.feeds import parse_feed
from monitor.news.entries import plain_text

FEED_URL = "http://news.example/rubriques/societe/feed.xml"


def rss(link: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Journal</title>'
        f"<item><title>Un réseau démantelé</title><link>{link}</link></item></channel></rss>"
    ).encode()


def test_relative_links_are_resolved_against_the_feed_address() -> None:
    assert parse_feed(rss("/a/1.html"), {}, FEED_URL).entries[0]["link"] == "http://news.example/a/1.html"
    assert parse_feed(rss("b/2.html"), {}, FEED_URL).entries[0]["link"] == (
        "http://news.example/rubriques/societe/b/2.html"
    )


def test_absolute_links_are_kept() -> None:
    entry = parse_feed(rss("https://other.example/x?id=3"), {}, FEED_URL).entries[0]
    assert entry["link"] == "https://other.example/x?id=3"


def test_xml_base_is_honoured() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:base="/blog/"><title>Blog</title><entry><title>Procès à Lyon</title>'
        '<link rel="alternate" href="proces-lyon.html"/><id>urn:1</id></entry>'
        '<entry xml:base="https://cdn.example/"><title>Rapport</title><link href="r.html"/><id>urn:2</id></entry>'
        "</feed>"
    ).encode()
    links = [entry["link"] for entry in parse_feed(atom, {}, FEED_URL).entries]
    assert links == ["http://news.example/blog/proces-lyon.html", "https://cdn.example/r.html"]


def test_headers_give_the_encoding() -> None:
    body = rss("/a.html").replace(b' encoding="utf-8"', b"").replace("é".encode(), "é".encode("latin-1"))
    parsed = parse_feed(body, {"Content-Type": "application/rss+xml; charset=iso-8859-1"}, FEED_URL)
    assert parsed.entries[0]["title"] == "Un réseau démantelé"


# What feedparser's sanitiser let through as text (its own test corpus, `item_description_crazy.xml`):
# a script whose end tag is written over two lines.
CRAZY = (
    "&lt;b>Procès à Lyon&lt;/b> : &lt;script\n>\nfunction executeMe()\n{\n/* &lt;script>\n"
    'var str = "commented";\n&lt; /script>\n*/\nalert("Executed");\n}\n&lt;/script\n\n>'
    '&lt;style>p { color: red }&lt;/style> &lt;span onmouseover="executeMe();">un réseau démantelé&lt;/span>'
)


def test_scripts_and_styles_never_become_text() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Journal</title>'
        f"<item><title>Procès &lt;script>alert(1)&lt;/script>à Lyon</title><link>/a.html</link>"
        f"<description>{CRAZY}</description></item></channel></rss>"
    ).encode()
    entry = parse_feed(body, {}, FEED_URL).entries[0]
    assert plain_text(entry["title"]) == "Procès à Lyon"
    assert plain_text(entry["summary"]) == "Procès à Lyon : un réseau démantelé"
