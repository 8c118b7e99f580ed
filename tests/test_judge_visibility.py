"""Is a link visible? The static judgement on literal HTML and CSS."""

from __future__ import annotations

import pytest

from crawler.judge.page import ParsedPage

DOMAINS = ("contrelatraite.org",)
LINK = '<a href="https://contrelatraite.org/">Collectif</a>'


def judge(body: str, head: str = "", sheets: dict[str, str] | None = None) -> list[tuple[bool, str | None]]:
    page = ParsedPage(f"<html><head>{head}</head><body>{body}</body></html>", "https://m.org/")
    return [(link.visible, link.hidden_reason) for link in page.judge(DOMAINS, sheets or {}).links]


@pytest.mark.parametrize(
    ("body", "head", "expected"),
    [
        (LINK, "", (True, None)),
        (f"<div hidden>{LINK}</div>", "", (False, "hidden-attribute")),
        (f"<div hidden style='display:block'>{LINK}</div>", "", (True, None)),
        (f"<div style='display:none'>{LINK}</div>", "", (False, "display:none")),
        (f"<div style='visibility:hidden'>{LINK}</div>", "", (False, "visibility:hidden")),
        (
            f"<div style='visibility:hidden'><span style='visibility:visible'>{LINK}</span></div>",
            "",
            (True, None),
        ),
        (f"<div style='opacity:.5'><p style='opacity:0.02'>{LINK}</p></div>", "", (False, "opacity:0")),
        (f"<div style='opacity:0.5'>{LINK}</div>", "", (True, None)),
        (f"<p style='font-size:0'>{LINK}</p>", "", (False, "font-size:0")),
        (f"<p style='font: 0/0 a'>{LINK}</p>", "", (False, "font-size:0")),
        (f"<p style='font-size:0'><span style='font-size:14px'>{LINK}</span></p>", "", (True, None)),
        (f"<div style='width:0;overflow:hidden'>{LINK}</div>", "", (False, "zero-size")),
        (f"<div style='height:0'>{LINK}</div>", "", (True, None)),
        (f"<div style='position:absolute;left:-10000px'>{LINK}</div>", "", (False, "off-screen")),
        (f"<div style='position:absolute;left:-20px'>{LINK}</div>", "", (True, None)),
        (f"<div style='text-indent:-999em'>{LINK}</div>", "", (False, "off-screen")),
        (f"<div class='x'>{LINK}</div>", "<style>.x{display:none}</style>", (False, "display:none")),
        (
            f"<div class='x' id='y'>{LINK}</div>",
            "<style>#y{display:block} .x{display:none}</style>",
            (True, None),
        ),
        (
            f"<div class='x'>{LINK}</div>",
            "<style>.x{display:none!important}</style><style>.x{display:block}</style>",
            (False, "display:none"),
        ),
        (
            f"<div class='x'>{LINK}</div>",
            "<style>.x{display:none}</style><style>div.x{display:block}</style>",
            (True, None),
        ),
        (f"<div class='x'>{LINK}</div>", "<style>@media print{.x{display:none}}</style>", (True, None)),
        (
            f"<div class='x'>{LINK}</div>",
            "<style>@media screen and (min-width: 800px){.x{display:none}}</style>",
            (False, "display:none"),
        ),
        (f"<div class='x'>{LINK}</div>", "<style>.x:hover{display:none}</style>", (True, None)),
        (f"<div class='x'>{LINK}</div>", "<style media='print'>.x{display:none}</style>", (True, None)),
        (f"<!-- {LINK} -->", "", (False, "comment")),
        (f"<noscript>{LINK}</noscript>", "", (False, "noscript")),
        (f"<template>{LINK}</template>", "", (False, "template")),
    ],
)
def test_visibility(body: str, head: str, expected: tuple[bool, str | None]) -> None:
    assert judge(body, head) == [expected]


def test_sr_only_clip_pattern() -> None:
    css = (
        ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;"
        "overflow:hidden;clip:rect(0,0,0,0)}"
    )
    assert judge(f"<span class='sr-only'>{LINK}</span>", f"<style>{css}</style>") == [(False, "sr-only")]


def test_linked_stylesheet_is_used_when_given() -> None:
    head = '<link rel="stylesheet" href="/s.css">'
    body = f"<footer class='f'>{LINK}</footer>"
    assert judge(body, head) == [(True, None)]
    assert judge(body, head, {"https://m.org/s.css": "footer.f a { visibility: hidden }"}) == [
        (False, "visibility:hidden")
    ]


def test_invalid_css_is_survived() -> None:
    assert len(judge(LINK, "<style>}}} .x{ display: ; } @media {{ a{display:none</style>")) == 1
    assert judge(LINK, "<style>a[unclosed {display:none} div{color:red}</style>") == [(True, None)]
    assert judge(LINK, "<style>a{opacity:banana;font:bold;left:-99999px}</style>") == [(True, None)]


def test_link_details() -> None:
    page = ParsedPage(
        "<html><body><nav>"
        "<a rel='Sponsored nofollow' href='https://contrelatraite.org/'>  Le\n Collectif </a></nav>"
        "<div role='contentinfo'><a aria-label='Collectif' href='https://contrelatraite.org/'></a></div>"
        "<a href='https://contrelatraite.org/'><img alt='Logo'></a></body></html>",
        "https://m.org/",
    )
    links = page.judge(DOMAINS, {}).links
    assert [(x.text, x.rel, x.location) for x in links] == [
        ("Le Collectif", ["nofollow", "sponsored"], "nav"),
        ("Collectif", [], "footer"),
        ("Logo", [], "other"),
    ]


def test_outlinks_stylesheets_and_feeds() -> None:
    page = ParsedPage(
        '<html><head><link rel="stylesheet" href="/a.css"><link rel="stylesheet" media="print" href="/p.css">'
        '<link rel="alternate" type="application/rss+xml" title="Actus" href="/feed"></head>'
        '<body><a href="/x#top">x</a><a href="/x">x again</a><a href="mailto:a@b.c">m</a></body></html>',
        "https://m.org/",
    )
    assert page.outlinks() == ["https://m.org/x"]
    assert page.stylesheet_urls() == ["https://m.org/a.css"]
    assert [(f.url, f.title) for f in page.feed_links()] == [("https://m.org/feed", "Actus")]


def test_xhtml_with_encoding_declaration_parses() -> None:
    page = ParsedPage(
        '<?xml version="1.0" encoding="iso-8859-1"?><html><body>' + LINK + "</body></html>", "https://m.org/"
    )
    assert len(page.judge(DOMAINS, {}).links) == 1


def test_real_pages_from_the_corpus_parse_without_error() -> None:
    from tests.conftest import shared_corpus

    folder = shared_corpus("corpora", "realpages")
    pages = sorted(folder.glob("*.html"))
    assert len(pages) >= 10
    outlinks: list[int] = []
    for path in pages:
        page = ParsedPage(path.read_bytes(), f"https://{path.stem}/")
        judgement = page.judge(DOMAINS, {})
        assert judgement.links == []
        outlinks.append(len(page.outlinks()))
    assert sum(1 for count in outlinks if count) >= len(pages) - 2  # an AngularJS page has no plain hrefs
