"""The site audit's judgements as pure functions, on small literal pages and crawls: the cases one
fixture site cannot hold at once (no robots.txt, robots.txt blocking all, no sitemap, a site that
cannot be read), and what a page says about itself."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scrapy import Request

from crawler.judge.page import ParsedPage
from crawler.judge.page_facts import page_facts
from crawler.judge.targets import host_of, resolve_href
from monitor.settings import SITE_SETTINGS
from monitor.site.catalogue import KINDS, SEVERITIES, THEMES
from monitor.site.checks import MemberSite, audit_findings
from monitor.site.model import SiteCrawl
from monitor.site.report import compare

SITE = "https://collectif.example/"
SETTINGS = {s.name: s.default for s in SITE_SETTINGS} | {"thin_words": 3}
GOOD_HEAD = (
    '<title>Le Collectif contre la traite</title><meta name="description" content="Le Collectif.">'
    '<meta name="viewport" content="width=device-width"><link rel="canonical" href="https://collectif.example/">'
    '<meta property="og:title" content="C"><meta property="og:description" content="D">'
    '<meta property="og:image" content="https://collectif.example/logo.png"><meta name="twitter:card" content="summary">'
    '<script type="application/ld+json">{"@type": "NGO", "name": "Collectif", "logo": "https://collectif.example/l.png",'
    ' "sameAs": ["https://social.example/collectif"]}</script>'
)  # fmt: skip
GOOD_HOME = (
    f'<html lang="fr"><head>{GOOD_HEAD}</head><body><h1>Collectif</h1><p>Des associations unies.</p>'
    '<p><a href="https://membre.example/">Membre</a> <time datetime="2026-11-28">28 nov.</time></p></body></html>'
)


def facts(html: str, url: str = SITE, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return page_facts(ParsedPage(html, url), headers or {})


def home_item(html: str = GOOD_HOME, **extra: Any) -> dict[str, Any]:
    return {"type": "audit_page", "url": SITE, "final_url": SITE, "ok": True, "status": 200, "chain": [],
            "bytes": len(html), "response_ms": 50, "facts": facts(html), **extra}  # fmt: skip


def judge(*items: dict[str, Any], members: tuple[MemberSite, ...] = ()) -> set[tuple[str, str]]:
    crawl = SiteCrawl.from_items(SITE, frozenset({"collectif.example"}), list(items))
    crawl.stats = FINISHED
    return {(f.code, f.subject) for f in audit_findings(crawl, SETTINGS, members, [], date(2026, 12, 1))}


FINISHED = {"returncode": 0, "finish_reason": "finished"}
MEMBER = MemberSite("membre", "Association Membre", "https://membre.example/")
WORKING_MEMBER_LINK = {"type": "link_check", "url": "https://membre.example/", "host": "membre.example",
                       "ok": True, "status": 200}  # fmt: skip
ROBOTS_OK = {"type": "robots", "url": SITE + "robots.txt", "status": 200, "text": "User-agent: *\nDisallow:\n",
             "sitemaps": [SITE + "sitemap.xml"]}  # fmt: skip
SITEMAP_OK = {"type": "sitemap", "url": SITE + "sitemap.xml", "ok": True, "status": 200, "kind": "urlset",
              "entries": [{"loc": SITE, "lastmod": ""}]}  # fmt: skip


def test_a_clean_home_page_raises_nothing() -> None:
    assert judge(home_item(), WORKING_MEMBER_LINK, ROBOTS_OK, SITEMAP_OK, members=(MEMBER,)) == set()


def test_robots_txt_absent_blocking_all_or_without_sitemap() -> None:
    missing = {**ROBOTS_OK, "status": 404, "text": "", "sitemaps": []}
    assert ("robots_missing", SITE + "robots.txt") in judge(home_item(), missing)
    blocking = {**ROBOTS_OK, "text": "User-agent: *\nDisallow: /\n"}
    assert ("robots_blocks_all", SITE + "robots.txt") in judge(home_item(), blocking, SITEMAP_OK)
    quiet = {**ROBOTS_OK, "sitemaps": []}
    assert ("robots_no_sitemap", SITE + "robots.txt") in judge(home_item(), quiet, SITEMAP_OK)
    unreadable = {"type": "robots", "url": SITE + "robots.txt", "status": None, "error": "délai dépassé"}
    assert not {code for code, _ in judge(home_item(), unreadable)} & {"robots_missing", "robots_blocks_all"}


def test_sitemap_absent_or_unreadable() -> None:
    absent = {"type": "sitemap", "url": SITE + "sitemap.xml", "ok": False, "status": 404}
    assert ("sitemap_missing", SITE + "sitemap.xml") in judge(home_item(), ROBOTS_OK, absent)
    broken = {**absent, "status": 200, "error": "XML illisible"}
    assert ("sitemap_error", SITE + "sitemap.xml") in judge(home_item(), ROBOTS_OK, broken)


def test_a_site_that_cannot_be_read_is_never_said_to_miss_a_link() -> None:
    down = {"type": "audit_page", "url": SITE, "final_url": SITE, "ok": False, "status": None,
            "error_kind": "refused", "error": "connexion refusée"}  # fmt: skip
    assert judge(down, members=(MEMBER,)) == {("page_error", SITE)}


def test_organisation_data_and_sharing_tags_on_the_home_page() -> None:
    bare = GOOD_HOME.replace('<meta name="twitter:card" content="summary">', "").split("<script")[0]
    bare += "</head><body><h1>C</h1><p>Des associations unies ici.</p></body></html>"
    found = judge(home_item(bare), ROBOTS_OK, SITEMAP_OK)
    assert {("organization_missing", SITE), ("twitter_card_missing", SITE)} <= found
    graph = GOOD_HOME.replace('{"@type": "NGO",', '{"@graph": [{"@type": "NGO",').replace(
        '"]}</script>', '"]}]}</script>'
    )
    assert judge(home_item(graph), WORKING_MEMBER_LINK, ROBOTS_OK, SITEMAP_OK, members=(MEMBER,)) == set()


def test_page_facts_read_what_a_hand_edited_page_says() -> None:
    page = facts(
        "<HTML LANG=fr><head><TITLE> Accueil </TITLE><meta name=ROBOTS content='NoIndex, follow'>"
        "<script type='application/ld+json'>{oops</script></head>"
        "<body><h1>A</h1><H1>B</H1><img src=a.png><img src=b.png alt=''>"
        "<p>Trois mots ici <time datetime='2026-01-05T10:00'>5 janv.</time></p></body></HTML>",
        url="https://collectif.example/p",
        headers={"x-robots-tag": "noarchive"},
    )
    assert page["titles"] == ["Accueil"] and page["lang"] == "fr" and len(page["h1"]) == 2
    assert page["robots"] == "noindex, follow, noarchive" and page["broken_jsonld"]
    assert page["image_count_without_alt"] == 1  # alt="" is a decorative image, not a missing alt
    assert page["dates"]["times"] == ["2026-01-05"] and not page["viewport"]


def test_mixed_content_only_on_https_pages() -> None:
    html = '<html><body><img src="http://cdn.example/a.png" alt="a"><script src="http://cdn.example/s.js"></script></body></html>'
    assert facts(html, "https://collectif.example/")["mixed_content"] == [
        "http://cdn.example/a.png", "http://cdn.example/s.js"
    ]  # fmt: skip
    assert facts(html, "http://collectif.example/")["mixed_content"] == []


def test_the_catalogue_is_complete_and_french() -> None:
    for kind in KINDS.values():
        assert kind.severity in SEVERITIES and kind.theme in THEMES
        assert kind.label and kind.why.endswith(".") and kind.fix.endswith(".")


def test_comparing_two_audits() -> None:
    from monitor.site.model import Finding

    before = [Finding("title_missing", "a"), Finding("noindex", "b")]
    after = [Finding("noindex", "b"), Finding("thin_page", "c")]
    new, fixed, still = compare(after, before)
    assert (
        [f.code for f in new] == ["thin_page"] and [f.code for f in fixed] == ["title_missing"] and still == 1
    )
    assert compare(after, None) == ([], [], 2)


def test_a_malformed_link_is_a_finding_and_an_ipv6_link_keeps_its_brackets() -> None:
    html = GOOD_HOME.replace("</body>", '<a href="http://[2001:db8::1]/">v6</a> <a href="http://a.example:99999/">x</a>'
                             ' <a href="http://[::1/">y</a></body>')  # fmt: skip
    links = {link["url"] for link in facts(html)["links"]}
    assert "http://[2001:db8::1]/" in links
    found = judge(home_item(html), WORKING_MEMBER_LINK, ROBOTS_OK, SITEMAP_OK, members=(MEMBER,))
    assert found == {("malformed_link", SITE)}


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="[]:/@%?#.-_ \t\x00aé1:9", max_size=40),
    st.sampled_from(["http://", "https://", "//", ""]),
)
@example(tail=". .", head="http://")  # found by CI: a host of dots and a space
def test_any_href_resolves_to_a_parseable_address_or_to_nothing(tail: str, head: str) -> None:
    url = resolve_href(head + tail, SITE)
    if url is not None:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.hostname
        assert parts.port is None or 0 < parts.port < 65536
        assert Request(url).url and host_of(url)  # what the audit does next with it


def test_the_site_is_its_scheme_host_and_port() -> None:
    crawl = SiteCrawl(SITE, frozenset({"collectif.example", "www.collectif.example"}))
    assert crawl.is_internal("https://collectif.example:443/a") and crawl.is_internal(
        "http://collectif.example/b"
    )
    assert crawl.is_internal("https://www.collectif.example/")
    assert not crawl.is_internal("https://collectif.example:8080/") and not crawl.is_internal(
        "http://www.collectif.example:8443/"
    )
    on_a_port = SiteCrawl("http://127.0.1.9:8001/", frozenset({"127.0.1.9", "collectif.example"}))
    assert on_a_port.is_internal("http://127.0.1.9:8001/x") and not on_a_port.is_internal(
        "http://127.0.1.9/x"
    )
    assert not on_a_port.is_internal("http://127.0.1.9:8002/x") and on_a_port.is_internal(
        "https://collectif.example/"
    )


@pytest.mark.parametrize(
    "stats",
    [{}, {"returncode": 0, "finish_reason": "closespider_timeout"}, {"returncode": -9, "finish_reason": "finished"},
     {**FINISHED, "timed_out": True}, {**FINISHED, "veille/page_budget_reached": True},
     {**FINISHED, "veille/sitemap_cap_reached": True}],
)  # fmt: skip
def test_a_crawl_is_complete_only_when_the_child_finished(stats: dict[str, Any]) -> None:
    assert not SiteCrawl(SITE, frozenset(), stats=stats).complete
    assert SiteCrawl(SITE, frozenset(), stats=FINISHED).complete
