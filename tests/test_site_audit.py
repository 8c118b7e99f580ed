"""The audit of the Collectif's own site, end to end: a real crawl of a fixture site (https, on its own
loopback address) with every finding planted once and clean pages that must raise nothing; a second
audit after « fixes »; politeness of the link checks; the report in three formats."""

from __future__ import annotations

import csv
import io
import itertools
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_config
from monitor.demo.web import FixtureWeb
from monitor.night.notices import site_audit_line
from monitor.site.audit import Audit, run_audit
from monitor.site.catalogue import KINDS
from monitor.site.model import Finding
from monitor.site.report import compare, render, site_report
from monitor.store import Store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LINK_DELAY_S = 0.2
DEAD = "http://127.0.1.250:9/"
# (code, subject) of every finding the fixture site holds, its address written « / ».
PLANTED = {
    ("broken_external_link", "{ext}introuvable.html"),
    ("broken_internal_link", "/lien-casse.html"),
    ("canonical_broken", "/actualites/rapport-2026.html"),
    ("canonical_elsewhere", "/evenements.html"),
    ("deep_page", "/profond/4.html"),
    ("description_duplicate", "les actions du collectif."),
    ("description_long", "/ressources.html"),
    ("description_missing", "/contact.html"),
    ("desk_news_not_shown", "/"),
    ("external_host_down", "127.0.1.250"),
    ("external_link_unchecked", "http://10.1.2.3/intranet"),
    ("h1_multiple", "/a-propos.html"),
    ("heavy_page", "/lourde.html"),
    ("home_news_stale", "/"),
    ("images_without_alt", "/ressources.html"),
    ("lang_missing", "/contact.html"),
    ("member_link_dead", "fermee"),
    ("member_not_linked", "partenaire"),
    ("mixed_content", "/ressources.html"),
    ("noindex", "/actualites/rapport-2026.html"),
    ("noindex", "/interne.html"),
    ("not_in_sitemap", "/merci.html"),
    *(("not_in_sitemap", f"/profond/{n}.html") for n in range(1, 5)),
    ("open_graph_missing", "/actualites/rapport-2026.html"),
    ("organization_incomplete", "/"),
    ("orphan_page", "/agenda.html"),
    ("orphan_page", "/orphelin.html"),
    ("redirect_chain", "/ancien.html"),
    ("redirect_loop", "/boucle-a.html"),
    ("robots_blocked", "/prive/dossier.html"),
    ("sitemap_entry_fails", "/supprime.html"),
    ("sitemap_entry_redirects", "/ancien.html"),
    ("slow_page", "/evenements.html"),
    ("stale_page", "/archives.html"),
    ("thin_page", "/merci.html"),
    ("title_duplicate", "nos actions contre la traite"),
    ("title_long", "/ressources.html"),
    ("title_missing", "/a-propos.html"),
    ("title_short", "/contact.html"),
    ("twitter_card_missing", "/"),
    ("viewport_missing", "/contact.html"),
}
FIXED = {
    ("broken_external_link", "{ext}introuvable.html"),
    ("broken_internal_link", "/lien-casse.html"),
    ("description_duplicate", "les actions du collectif."),
    ("description_missing", "/contact.html"),
    ("desk_news_not_shown", "/"),
    ("h1_multiple", "/a-propos.html"),
    ("home_news_stale", "/"),
    ("lang_missing", "/contact.html"),
    ("member_not_linked", "partenaire"),
    ("organization_incomplete", "/"),
    ("title_duplicate", "nos actions contre la traite"),
    ("title_missing", "/a-propos.html"),
    ("title_short", "/contact.html"),
    ("twitter_card_missing", "/"),
    ("viewport_missing", "/contact.html"),
}
CLEAN_PAGES = ("/equipe.html", "/mentions-legales.html")


def write_config(folder: Path, web: FixtureWeb) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yml").write_text(
        "collectif: {name: Collectif de test, site: 'https://www.contrelatraite.org/', domains: [contrelatraite.org]}\n"
        "crawl: {timeout_s: 3, retries: 0, delay_s: 0}\n"
        f"site: {{start_url: '{web.url('collectif')}', delay_s: 0.01, concurrency: 2, link_delay_s: {LINK_DELAY_S},"
        " thin_words: 30, heavy_kb: 500, slow_ms: 1000}\n",
        encoding="utf-8",
    )  # fmt: skip
    (folder / "members.yml").write_text(
        "members:\n"
        f"  - {{id: horizon, name: Association Horizon, site: '{web.url('collectif-ext')}'}}\n"
        f"  - {{id: partenaire, name: Association Partenaire, site: '{web.url('partners')}'}}\n"
        f"  - {{id: fermee, name: Association Fermée, site: '{DEAD}'}}\n",
        encoding="utf-8",
    )
    return folder


def publish_a_story(store: Store, url: str) -> None:
    store.db["stories"].insert({"id": "s1", "title": "Procès d'un réseau de traite à Lyon", "url": url,
                                "relevant": 1, "first_seen": "2026-11-18T08:00:00+00:00"})  # fmt: skip
    store.db["picks"].insert({"story_id": "s1", "member_id": "secretariat", "action": "choisir",
                              "summary": "Résumé.", "status": "publie", "created_at": "2026-11-18T10:00:00",
                              "published_at": "2026-11-18T11:00:00+00:00"})  # fmt: skip
    store.db.conn.commit()


def subjects(audit: Audit, web: FixtureWeb) -> set[tuple[str, str]]:
    home, ext = web.url("collectif"), web.url("collectif-ext")
    return {(f.code, f.subject.replace(home, "/").replace(ext, "{ext}")) for f in audit.findings}


@pytest.fixture(scope="module")
def audits(web: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two audits of the fixture site: as planted, then after the « fixes » (state `fixed`)."""
    folder = tmp_path_factory.mktemp("site-audit")
    config = load_config(write_config(folder / "config", web))
    store = Store.open(folder / "veille.db")
    publish_a_story(store, web.url("collectif-ext", "actualites/proces-lyon.html"))
    site, ext = web.sites["collectif"], web.sites["collectif-ext"]
    ext.requests.clear()
    ext.most_in_flight = site.most_in_flight = 0
    first = run_audit(store, config, now=NOW)
    first_requests = list(ext.requests)
    most = {"site": site.most_in_flight, "ext": ext.most_in_flight}
    site.state = "fixed"
    try:
        ext.requests.clear()
        second = run_audit(store, config, now=NOW)
    finally:
        site.state = None
    yield {"store": store, "config": config, "first": first, "second": second,
           "first_requests": first_requests, "second_requests": list(ext.requests), "most": most}  # fmt: skip


def test_every_planted_problem_is_found_and_nothing_else(audits: dict[str, Any], web: FixtureWeb) -> None:
    found = subjects(audits["first"], web)
    assert found - PLANTED == set(), "false alarms"
    assert PLANTED - found == set(), "missed"


def test_the_sitemap_index_robots_txt_names_is_read(audits: dict[str, Any]) -> None:
    kinds = [(s["kind"], s["url"].rsplit("/", 1)[1]) for s in audits["first"].crawl.sitemaps]
    assert kinds == [("sitemapindex", "sitemap-index.xml"), ("urlset", "sitemap.xml")]


def test_clean_pages_raise_nothing(audits: dict[str, Any], web: FixtureWeb) -> None:
    home = web.url("collectif")
    clean = {home + page.lstrip("/") for page in CLEAN_PAGES}
    for finding in audits["first"].findings:
        assert finding.subject not in clean and not clean & set(finding.pages), finding
    read = {page["url"] for page in audits["first"].crawl.pages}
    assert clean <= read  # they were read, not skipped


def test_the_second_audit_after_fixes_says_what_was_fixed(audits: dict[str, Any], web: FixtureWeb) -> None:
    found = subjects(audits["second"], web)
    assert found == PLANTED - FIXED
    report = site_report(audits["store"])
    home, ext = web.url("collectif"), web.url("collectif-ext")
    fixed = {(f.code, f.subject.replace(home, "/").replace(ext, "{ext}")) for f in report.fixed}
    assert fixed == FIXED and report.new == [] and report.still_open == len(PLANTED - FIXED)


def test_link_checks_are_polite_and_remembered(audits: dict[str, Any]) -> None:
    assert audits["most"]["ext"] == 1  # one request at a time to another site
    assert 1 <= audits["most"]["site"] <= 2  # the site's own concurrency
    starts = sorted(moment for moment, _, _ in audits["first_requests"])
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(starts) >= 6 and min(gaps) >= LINK_DELAY_S * 0.5 * 0.9  # Scrapy's jitter: 0.5–1.5 × delay
    methods = {(method, path) for _, method, path in audits["first_requests"]}
    assert ("HEAD", "/introuvable.html") in methods
    assert ("GET", "/sitemap.xml") not in methods  # a sitemap robots.txt names on another host
    assert {("HEAD", "/head-refuse.html"), ("GET", "/head-refuse.html")} <= methods  # HEAD refused: GET
    # A link found working is not asked again within link_cache_days; a broken one is.
    asked_again = {path for _, method, path in audits["second_requests"] if path != "/robots.txt"}
    assert "/ressources/guide.html" not in asked_again and "/" not in asked_again
    assert audits["second"].stats["links_from_cache"] >= 4


def test_a_host_that_is_down_is_one_finding(audits: dict[str, Any]) -> None:
    dead = [f for f in audits["first"].findings if "127.0.1.250" in f.subject]
    assert [f.code for f in dead] == ["external_host_down"]
    checks = [c for c in audits["first"].crawl.link_checks if c["host"] == "127.0.1.250"]
    assert len(checks) == 2 and {c["error_kind"] for c in checks} == {"refused", "host_down"}


def test_the_report_is_french_and_says_what_to_fix_first(audits: dict[str, Any]) -> None:
    report = site_report(audits["store"])
    name = audits["config"].collectif.name
    markdown = render(report, name, "md")
    assert "choses à corriger d'abord" in markdown and "Corrigé depuis l'audit précédent" in markdown
    first_five = markdown.split("d'abord", 1)[1].split("\n## ", 1)[0]
    assert first_five.count("à corriger") == 5  # the five most severe come first
    page = render(report, name, "html")
    assert '<html lang="fr">' in page and KINDS["redirect_loop"].label in page
    # The summary line reads as a sentence; each technical word shown gets one plain line.
    assert re.search(r"\d+ à corriger</span>,\s*<span[^>]*>\d+ à améliorer</span> et", page)
    assert "<dt>robots.txt</dt><dd>petit fichier" in page and "- **sitemap** : liste des pages" in markdown
    rows = list(csv.reader(io.StringIO(render(report, name, "csv"))))
    assert rows[0][:3] == ["gravité", "thème", "constat"] and len(rows) == len(PLANTED - FIXED) + 1


def test_the_desk_shows_the_audit_to_the_secretariat_only(audits: dict[str, Any], tmp_path: Path) -> None:
    from monitor.passwords import hash_password
    from monitor.serve import Secrets, build_datasette
    from tests.test_desk_walk import visible
    from tests.test_triage import PASSWORD, login, run

    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    for name, role in (("horizon", "member"), ("secretariat", "secretariat")):
        secrets.users[name] = {"password_hash": hash_password(PASSWORD, iterations=1000), "role": role}
    secrets.save()
    datasette = build_datasette(audits["store"].path, secrets, {"horizon": "Association Horizon"})
    anonymous = run(datasette.client.get("/audit"))
    assert anonymous.status_code == 302 and anonymous.headers["location"].endswith("/-/login?next=%2Faudit")
    member = run(login(datasette, "horizon"))
    refused = run(datasette.client.get("/audit", cookies=member))
    assert refused.status_code == 403 and "<title>Accès refusé</title>" in refused.text
    assert "/audit" not in run(datasette.client.get("/", cookies=member)).text
    assert run(datasette.client.get("/veille/site_findings", cookies=member)).status_code == 403
    secretariat = run(login(datasette, "secretariat"))
    assert 'href="/audit"' in run(datasette.client.get("/", cookies=secretariat)).text
    page = run(datasette.client.get("/audit", cookies=secretariat))
    assert page.status_code == 200 and "choses à corriger d'abord" in page.text
    assert KINDS["member_not_linked"].label not in page.text.split("Corrigé depuis")[0]  # fixed by now
    assert "Association Partenaire" in page.text.split("Corrigé depuis")[1]
    # « Objet » names the member, never its id (members.yml's `partenaire`).
    shown = visible(page.text)
    assert not re.search(r"\bpartenaire\b", shown), shown


def test_an_audit_cut_short_judges_no_orphan_and_no_missing_member(
    audits: dict[str, Any], web: FixtureWeb, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "veille.db") as copy:  # after the two complete audits
        audits["store"].db.conn.backup(copy)
    store = Store.open(tmp_path / "veille.db")
    config = replace(audits["config"], site={**audits["config"].site, "page_budget": 4})
    audit = run_audit(store, config, now=NOW)
    codes = {f.code for f in audit.findings}
    assert not audit.crawl.complete and audit.stats["complete"] is False
    assert "twitter_card_missing" in codes  # the pages read are judged
    assert not codes & {"member_not_linked", "member_link_dead", "orphan_page"}
    # What it did not read is not « fixed »; a plain comparison would have said so.
    previous = store.audit_findings(audits["second"].run_id)
    assert compare(audit.findings, previous)[1] and compare(audit.findings, previous, False)[1] == []
    report = site_report(store)
    assert not report.complete and report.fixed == []
    text = render(report, "C", "md")
    assert "Exploration incomplète" in text and "les corrections ne sont pas comptées" in text
    assert "Rien de corrigé" not in text and "corrigé" not in text.split("Depuis l'audit")[1].split(";")[0]
    assert not re.search(r"\((s|x)\)", text)  # French plurals written out (labels.plural)
    line = site_audit_line(report)
    assert "exploration incomplète" in line and "corrigé" not in line


def test_a_comparison_claims_nothing_an_audit_cut_short_could_not_see() -> None:
    before = [Finding("orphan_page", "/a"), Finding("title_missing", "/b")]
    after = [Finding("title_missing", "/b"), Finding("title_missing", "/c")]
    assert compare(after, before) == ([after[1]], [before[0]], 1)
    assert compare(after, before, latest_complete=False) == ([after[1]], [], 1)
    assert compare(after, before, previous_complete=False) == ([], [before[0]], 1)


def test_an_audit_stopped_by_its_time_limit_is_not_complete(audits: dict[str, Any], tmp_path: Path) -> None:
    """Scrapy's soft close (CLOSESPIDER_TIMEOUT) ends the crawl cleanly, exit code 0: still cut short."""
    store = Store.open(tmp_path / "veille.db")
    site = {**audits["config"].site, "timeout_min": 2 / 60, "delay_s": 0.5, "concurrency": 1}
    audit = run_audit(store, replace(audits["config"], site=site), now=NOW)
    assert (
        audit.crawl.stats["finish_reason"] == "closespider_timeout" and audit.crawl.stats["returncode"] == 0
    )
    assert audit.stats["complete"] is False and not audit.crawl.complete
    assert "Exploration incomplète" in render(site_report(store), "C", "md")


def test_the_glossary_keeps_the_words_a_report_shows_in_its_own_order() -> None:
    from monitor.site.glossary import used

    assert [w for w, _ in used(["Pas de SITEMAP", "Page bloquée par robots.txt"])] == [
        "robots.txt",
        "sitemap",
    ]
    assert used(["Titre trop court"]) == []


def test_a_stale_page_is_dated_in_french() -> None:
    from datetime import date

    from monitor.site.page_checks import stale_findings

    item = {
        "url": "https://x.test/a",
        "final_url": None,
        "facts": {"dates": {"modified": "2019-03-01", "published": None}},
    }
    [finding] = stale_findings(item, date(2026, 12, 3), 365)
    assert finding.detail == "dernière date connue : 1 mars 2019"
    item["facts"]["dates"]["modified"] = "2019-03-01T23:30:00+00:00"  # Paris: the next day
    assert next(stale_findings(item, date(2026, 12, 3), 365)).detail == "dernière date connue : 2 mars 2019"
    item["facts"]["dates"]["modified"] = "2019-03"  # not a day: kept as the page wrote it
    assert next(stale_findings(item, date(2026, 12, 3), 365)).detail == "dernière date connue : 2019-03"
