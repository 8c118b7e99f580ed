"""Server-side request forgery, on loopback: an "intranet" service that no configuration names must
never be reached, whatever a member page announces, a feed links to or redirects to, a name resolves
to the second time, or Chromium is told to follow."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.config import Config, Member
from monitor.demo.web import FixtureWeb
from monitor.links.run import SiteTarget, check_sites, run_links
from monitor.news.run import run_news
from monitor.news.sources import Source
from monitor.relevance import load_lexicon
from monitor.store import Store
from tests.conftest import TESTS
from tests.private_network import in_private_network, recorder

LEXICON = load_lexicon(TESTS.parent / "data" / "topics.yml")
RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>
{items}</channel></rss>"""
ITEM = "<item><title>{title}</title><link>{link}</link><description>{title}</description></item>"
COLLECTIF = '<a href="https://www.contrelatraite.org/">Collectif Ensemble contre la traite</a>'


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def intranet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureWeb]:
    root = tmp_path_factory.mktemp("intranet")
    item = ITEM.format(title="Traite des êtres humains : secret interne", link="/page.html")
    write(root / "intranet", {"secret.xml": RSS.format(title="Interne", items=item),
                              "page.html": "<html><body><p>secret</p></body></html>"})  # fmt: skip
    with FixtureWeb(root, first_address=240) as web:
        yield web


@pytest.fixture(scope="module")
def hostile(intranet: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureWeb]:
    root = tmp_path_factory.mktemp("hostile")
    secret, page = intranet.url("intranet", "secret.xml"), intranet.url("intranet", "page.html")
    alternate = '<link rel="alternate" type="application/rss+xml" href="{}">'
    links = "".join(
        alternate.format(u) for u in ("http://169.254.169.254/latest/meta-data/", secret, "/flux.xml")
    )
    items = ITEM.format(title="Procès pour traite des êtres humains à Lyon", link=page) + ITEM.format(
        title="Proxénétisme : un réseau démantelé", link="/article.html"
    )
    write(root / "membre", {
        "index.html": f"<html><head>{links}</head><body>{COLLECTIF} <a href='/page.html'>Page</a></body></html>",
        "page.html": f"<html><body><p>Partenaires : {COLLECTIF}</p></body></html>",
        "flux.xml": RSS.format(title="Flux du membre", items=items),
        "article.html": "<html><body><article><p>Un réseau de proxénétisme démantelé.</p></article></body></html>",
        "_site.yml": f"routes:\n  /page.html: {{browser_redirect: '{page}'}}\n",
    })  # fmt: skip
    write(root / "presse", {"_site.yml": f"routes:\n  /redirige.xml: {{redirect: '{secret}'}}\n"})
    with FixtureWeb(root, first_address=242) as web:
        yield web


def test_nothing_a_member_page_or_a_feed_points_to_reaches_the_intranet(
    hostile: FixtureWeb, intranet: FixtureWeb, config: Config, tmp_path: Path
) -> None:
    member_config = replace(config, members=(Member("membre", "Membre", site=hostile.url("membre")),))
    store = Store.open(tmp_path / "veille.db")
    run_links(store, member_config, browser=False)
    discovered = [r["url"] for r in store.db.query("SELECT url FROM sources WHERE origin = 'discovered'")]
    assert discovered == [hostile.url("membre", "flux.xml")]  # not the metadata address, not the intranet
    # A source discovered before that rule (an older database), and a configured feed redirecting inside.
    store.add_discovered_feeds("membre", [{"url": intranet.url("intranet", "secret.xml")}])
    store.sync_sources([Source(id="presse", name="Presse", url=hostile.url("presse", "redirige.xml"),
                               kind="feed", language="fr")])  # fmt: skip
    summary = run_news(store, member_config, LEXICON)[1]
    assert intranet.sites["intranet"].hits == []
    errors = {r["id"]: r["last_error"] or "" for r in store.db.query("SELECT id, last_error FROM sources")}
    assert "127.0.1.240 is loopback: refused" in errors["presse"]
    [old] = [e for source, e in errors.items() if source.startswith("membre-") and e]
    assert "127.0.1.240 is loopback: refused" in old
    # The member's own feed is read; its article linking inside is refused, its own article is read.
    texts = {r["link"]: r["text_status"] for r in store.db.query("SELECT link, text_status FROM articles")}
    assert "refused" in texts[intranet.url("intranet", "page.html")]
    assert texts[hostile.url("membre", "article.html")] == "ok"
    assert summary.new_articles == 2


PUBLIC = "93.184.216.34"  # a global address, held by the namespace's own loopback
METADATA = "169.254.169.254"
REBINDING = """
import socket
_getaddrinfo, _gethostbyname = socket.getaddrinfo, socket.gethostbyname
_asked = []
def getaddrinfo(host, *args, **kwargs):
    if host == "rebind.veille.test":  # a public answer the first time, an internal one after
        _asked.append(host)
        address = "{public}" if len(_asked) == 1 else "{internal}"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]
    return _getaddrinfo(host, *args, **kwargs)
def gethostbyname(host):
    if host == "rebind.veille.test":
        return "{internal}"
    return _gethostbyname(host)
socket.getaddrinfo, socket.gethostbyname = getaddrinfo, gethostbyname
"""


def test_a_name_rebinding_to_an_internal_address_never_gets_the_request_delivered(
    hostile: FixtureWeb, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    """The crawl connects to the address its guard checked: the public one, never the second answer."""
    if not in_private_network(request.node.nodeid, [PUBLIC], {}):
        return
    site = hostile.sites["membre"]
    port = int(hostile.url("membre").split(":")[2].rstrip("/"))
    _rebinding_child(tmp_path, site.address, monkeypatch)
    before = list(site.hits)
    with recorder(PUBLIC, port) as (_, public_hits):
        result = check_sites(
            [SiteTarget("rebind", f"http://rebind.veille.test:{port}/")], config, browser=False
        )
    assert site.hits[len(before) :] == []  # nothing delivered inside
    assert "/" in public_hits  # the checked address got the requests
    assert result.outcomes["rebind"].status != "unreachable"


def _rebinding_child(tmp_path: Path, internal: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawl child resolves `rebind.veille.test` through a sitecustomize that answers a public
    address the first time and `internal` after."""
    (tmp_path / "sitecustomize.py").write_text(
        REBINDING.format(public=PUBLIC, internal=internal), encoding="utf-8"
    )
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    )


def test_the_news_harvest_and_the_site_audit_connect_to_the_address_checked(
    hostile: FixtureWeb, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    """The same rebinding against a configured feed and the Collectif's own site (the audit)."""
    from monitor.site.audit import run_audit

    if not in_private_network(request.node.nodeid, [PUBLIC], {}):
        return
    site = hostile.sites["membre"]
    port = int(hostile.url("membre").split(":")[2].rstrip("/"))
    _rebinding_child(tmp_path, site.address, monkeypatch)
    before = list(site.hits)
    feed = f"http://rebind.veille.test:{port}/flux.xml"
    home = f"http://rebind.veille.test:{port}/"
    audited = replace(config, site={**config.site, "start_url": home, "delay_s": 0, "link_delay_s": 0})
    store = Store.open(tmp_path / "veille.db")
    with recorder(PUBLIC, port) as (_, public_hits):
        store.sync_sources([Source(id="flux", name="Flux", url=feed, kind="feed", language="fr")])
        run_news(store, config, LEXICON)
        run_audit(store, audited)
    assert site.hits[len(before) :] == []  # nothing delivered inside, by either crawl
    assert "/flux.xml" in public_hits and "/" in public_hits  # both asked the checked address


def test_a_configured_name_reaches_public_addresses_only(
    hostile: FixtureWeb, config: Config, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A member's domain that now resolves inside (expired, hijacked) is refused by the links crawl and
    the news harvest; the metadata address is refused even when the configuration writes it."""
    site = hostile.sites["membre"]
    hosts = {"membre.veille.test": site.address, "metadonnees.veille.test": METADATA}
    if not in_private_network(request.node.nodeid, [METADATA], hosts):
        return
    port = int(hostile.url("membre").split(":")[2].rstrip("/"))
    before = list(site.hits)
    with recorder(METADATA) as (meta_port, meta_hits):
        members = (
            Member("nom", "Nom", site=f"http://membre.veille.test:{port}/"),
            Member("meta", "Meta", site=f"http://metadonnees.veille.test:{meta_port}/"),
            Member("litteral", "Littéral", site=f"http://{METADATA}:{meta_port}/"),
        )
        store = Store.open(tmp_path / "veille.db")
        run_links(store, replace(config, members=members), browser=False)
        store.sync_sources([Source(id="flux", name="Flux", url=f"http://membre.veille.test:{port}/flux.xml",
                                   kind="feed", language="fr")])  # fmt: skip
        run_news(store, replace(config, members=members), LEXICON)
    assert site.hits[len(before) :] == [] and meta_hits == []
    errors = {r["id"]: r["last_error"] or "" for r in store.db.query("SELECT id, last_error FROM sources")}
    assert f"{site.address} is loopback: refused" in errors["flux"]


@pytest.mark.browser
def test_the_browser_never_follows_a_redirect_inside(
    hostile: FixtureWeb, intranet: FixtureWeb, config: Config
) -> None:
    before = list(hostile.sites["membre"].hits)
    browser_config = replace(config, crawl={**config.crawl, "browser": "auto"})
    result = check_sites([SiteTarget("membre", hostile.url("membre"))], browser_config, browser=True)
    assert result.mode == "browser"
    assert hostile.sites["membre"].hits[len(before) :].count("/page.html") >= 2  # Scrapy, then Chromium
    assert intranet.sites["intranet"].hits == []


def test_a_crawl_child_opens_no_remote_control_endpoint(
    hostile: FixtureWeb, config: Config, tmp_path: Path
) -> None:
    """Scrapy 2.19 would start an HTTP endpoint running Python code in every crawl; not in Veille's."""
    from monitor.crawl import run_spider

    output = run_spider("backlinks", {"site": hostile.url("membre")}, {**config.scrapy_settings(), "LOG_LEVEL": "INFO"},
                        60, workdir=tmp_path)  # fmt: skip
    assert "Spider closed" in output.log_tail
    assert "Remote control" not in output.log_tail
    assert output.stats.get("finish_reason") == "finished"


def test_without_veilles_setting_scrapy_would_open_it(
    hostile: FixtureWeb, config: Config, tmp_path: Path
) -> None:
    """The same crawl with Scrapy's default: the endpoint starts (so the test above can fail)."""
    from monitor.crawl import run_spider

    settings = {**config.scrapy_settings(), "LOG_LEVEL": "INFO", "REMOTE_CONTROL_ENABLED": "True",
                "EXTENSIONS_BASE": '{"scrapy.extensions.remote_control.RemoteControl": 0}'}  # fmt: skip
    output = run_spider("backlinks", {"site": hostile.url("membre")}, settings, 60, workdir=tmp_path)
    assert "Remote control HTTP server listening on" in output.log_tail
