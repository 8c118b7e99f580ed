"""The real crawl against fixture sites on loopback: every verdict and edge case of the backlink check."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.config import Config
from monitor.links.run import CheckResult, SiteTarget, check_sites


def links_of(crawl: CheckResult, site: str) -> list[dict[str, Any]]:
    return crawl.outcomes[site].links


def pages_of(crawl: CheckResult, site: str) -> list[dict[str, Any]]:
    return [i for i in crawl.items[site] if i["type"] == "page"]


@pytest.mark.parametrize(
    ("site", "status"),
    [
        ("base-href", "linked"),
        ("whitespace", "linked"),
        ("cp1252", "linked"),
        ("redirect", "linked"),
        ("partners", "linked"),
        ("image-link", "linked"),
        ("metadata", "linked"),
        ("nofollow-meta", "linked_nofollow"),
        ("comment", "hidden"),
        ("noscript", "hidden"),
        ("template", "hidden"),
        ("external-css", "hidden"),
        ("hidden-styles", "hidden"),
        ("lookalike", "missing"),
        ("deep", "missing"),
        ("calendar", "missing"),
        ("js-injected", "missing"),
        ("robots", "blocked"),
        ("forbidden", "blocked"),
        ("too-many", "blocked"),
        ("unavailable", "unreachable"),
        ("refused", "unreachable"),
        ("huge", "unreachable"),
        ("slow", "unreachable"),
        ("metadata-home", "unreachable"),
    ],
)
def test_verdict_of_each_fixture_site(session_crawl: CheckResult, site: str, status: str) -> None:
    outcome = session_crawl.outcomes[site]
    assert outcome.status == status, (outcome.error, outcome.links)
    assert outcome.mode == "static"


def test_unreadable_sites_say_why(session_crawl: CheckResult) -> None:
    errors = {
        site: session_crawl.outcomes[site].error
        for site in ("unavailable", "refused", "huge", "slow", "robots")
    }
    assert errors == {
        "unavailable": "HTTP 503",
        "refused": "connexion refusée",
        "huge": "page trop lourde (taille maximale dépassée)",
        "slow": "délai d'attente dépassé",
        "robots": "interdit par robots.txt",
    }
    assert session_crawl.outcomes["forbidden"].error == "HTTP 403"


def test_transient_failures_are_retried_but_4xx_are_not(session_crawl: CheckResult, web: Any) -> None:
    assert web.sites["unavailable"].hits.count("/") == 2  # first try + 1 retry (config: retries 1)
    assert web.sites["forbidden"].hits.count("/") == 1
    assert web.sites["too-many"].hits.count("/") == 1


def test_hidden_links_carry_their_reason(session_crawl: CheckResult) -> None:
    reasons = {
        link["url"].rsplit("/", 1)[-1]: link["hidden_reason"]
        for link in links_of(session_crawl, "hidden-styles")
    }
    assert reasons == {
        "sr": "sr-only",
        "off": "off-screen",
        "tiny": "font-size:0",
        "ghost": "opacity:0",
        "gone": "display:none",
        "indent": "off-screen",
        "box": "zero-size",
        "attr": "hidden-attribute",
        "vis": "visibility:hidden",
    }
    assert [link["hidden_reason"] for link in links_of(session_crawl, "comment")] == ["comment"]
    assert [link["hidden_reason"] for link in links_of(session_crawl, "noscript")] == ["noscript"]
    assert [link["hidden_reason"] for link in links_of(session_crawl, "template")] == ["template"]


def test_external_stylesheet_hides_a_class_and_print_or_narrow_media_do_not_count(
    session_crawl: CheckResult,
) -> None:
    [link] = links_of(session_crawl, "external-css")
    assert (link["visible"], link["hidden_reason"], link["hidden_by"]) == (
        False,
        "visibility:hidden",
        "p.partner-link",
    )
    assert link["location"] == "footer"


def test_lookalikes_share_links_and_mailto_are_not_links(session_crawl: CheckResult) -> None:
    assert links_of(session_crawl, "lookalike") == []


def test_hrefs_are_resolved_trimmed_case_folded_and_idn_traps_ignored(session_crawl: CheckResult) -> None:
    found = {link["url"]: link for link in links_of(session_crawl, "whitespace")}
    assert set(found) == {"https://www.contrelatraite.org/", "http://blog.contrelatraite.net/"}
    assert found["https://www.contrelatraite.org/"]["href"].strip() == "HTTPS://WWW.CONTRELATRAITE.ORG/"
    [via_base] = links_of(session_crawl, "base-href")
    assert (via_base["href"], via_base["url"]) == ("/", "https://www.contrelatraite.org/")


def test_windows_1252_page_without_charset_is_decoded(session_crawl: CheckResult) -> None:
    [link] = links_of(session_crawl, "cp1252")
    assert link["text"] == "Collectif « Ensemble contre la traite des êtres humains »"


def test_redirected_home_page_is_followed_within_the_site(session_crawl: CheckResult) -> None:
    outcome = session_crawl.outcomes["redirect"]
    assert outcome.final_url is not None and outcome.final_url.endswith("/fr/")
    [link] = outcome.links
    assert link["page"].endswith("/fr/") and link["location"] == "footer"


def test_link_on_a_partners_page_is_found_one_click_deep(session_crawl: CheckResult) -> None:
    [link] = links_of(session_crawl, "partners")
    assert link["page"].endswith("/partenaires.html")
    assert (link["depth"], link["location"], link["visible"]) == (1, "main", True)


def test_depth_limit_and_crawl_trap_are_respected(session_crawl: CheckResult, config: Config) -> None:
    deep_pages = {p["url"].rsplit("/", 1)[-1] for p in pages_of(session_crawl, "deep")}
    assert deep_pages == {"", "n1.html", "n2.html"}
    calendar = pages_of(session_crawl, "calendar")
    assert len(calendar) <= config.crawl["page_budget"]
    assert max(p["depth"] for p in calendar) <= config.crawl["max_depth"]


def test_known_link_page_is_rechecked_beyond_the_depth_limit(web: Any, config: Config) -> None:
    deep = web.url("deep", "n3.html")
    ticks: list[int] = []
    result = check_sites(
        [SiteTarget("deep", web.url("deep"), (deep,))], config, browser=False, on_progress=ticks.append
    )
    outcome = result.outcomes["deep"]
    assert ticks and ticks == sorted(ticks) and ticks[-1] == outcome.pages_crawled  # the progress bar's count
    assert outcome.status == "linked"
    assert [(link["page"], link["depth"], link["location"]) for link in outcome.links] == [
        (deep, None, "aside")
    ]


def test_redirects_to_link_local_or_other_sites_are_refused_and_reported(session_crawl: CheckResult) -> None:
    pages = pages_of(session_crawl, "metadata")
    refused = {p["requested_url"].rsplit("/", 1)[-1]: p for p in pages if not p["ok"]}
    assert refused["meta"]["error_kind"] == "unsafe"
    assert "169.254.169.254 is link_local" in refused["meta"]["error"]
    assert refused["ailleurs"]["error_kind"] == "unsafe"
    assert "redirect off the member's site to example.com" in refused["ailleurs"]["error"]
    assert "169.254.169.254" in (session_crawl.outcomes["metadata-home"].error or "")
    assert session_crawl.crawl_stats["veille/refused_unsafe"] >= 3


def test_meta_robots_nofollow_applies_to_every_link(session_crawl: CheckResult) -> None:
    [link] = links_of(session_crawl, "nofollow-meta")
    assert link["rel"] == ["nofollow"] and link["visible"]


def test_image_links_take_their_alt_text(session_crawl: CheckResult) -> None:
    texts = sorted(link["text"] for link in links_of(session_crawl, "image-link"))
    assert texts == ["Carte", "Logo du Collectif"]


def test_robots_txt_and_user_agent_are_honoured(session_crawl: CheckResult, web: Any, config: Config) -> None:
    assert set(web.sites["robots"].hits) == {"/robots.txt"}
    assert web.sites["robots"].user_agents == {config.crawl["user_agent"]}
    assert session_crawl.crawl_stats["robotstxt/forbidden"] >= 1


def test_feed_autodiscovery_and_plain_text_mentions(demo_web: Any, config: Config) -> None:
    targets = [SiteTarget(n, demo_web.url(n)) for n in ("les-lucioles", "l-escale")]
    result = check_sites(targets, config, browser=False)
    [feed] = result.outcomes["les-lucioles"].feeds
    assert feed["url"].endswith("/feed.xml") and feed["title"] == "Actualités"
    assert [m["text"] for m in result.outcomes["l-escale"].mentions] == ["www.contrelatraite.org"]
    assert result.outcomes["l-escale"].status == "missing"


@pytest.mark.browser
def test_browser_finds_links_injected_by_javascript(browser_crawl: CheckResult) -> None:
    outcome = browser_crawl.outcomes["js-injected"]
    assert (outcome.status, outcome.mode) == ("linked", "browser")
    [link] = outcome.links
    assert (link["text"], link["judged_by"], link["location"], link.get("injected")) == (
        "Collectif (injecté)",
        "browser",
        "footer",
        True,
    )


@pytest.mark.browser
def test_browser_confirms_the_static_judgement(browser_crawl: CheckResult) -> None:
    hidden = {link["url"].rsplit("/", 1)[-1]: link for link in links_of(browser_crawl, "hidden-styles")}
    assert len(hidden) == 9
    assert not any(link["visible"] for link in hidden.values())
    assert all(link["judged_by"] == "browser" for link in hidden.values())
    assert browser_crawl.outcomes["external-css"].status == "hidden"
    assert browser_crawl.outcomes["partners"].status == "linked"
    # A commented-out link is no element in a browser: the static verdict stands.
    [comment] = links_of(browser_crawl, "comment")
    assert (comment["hidden_reason"], comment["judged_by"]) == ("comment", "static")


def test_the_crawl_child_imports_the_crawler_of_this_checkout(tmp_path: Any, monkeypatch: Any) -> None:
    """Another checkout sharing the virtual environment (its editable install, or a path set before)
    must not lend the child its `crawler`: benchmarks comparing two checkouts ran one crawler for both."""
    import subprocess
    import sys
    from pathlib import Path

    from monitor.crawl_child import PROJECT_ROOT, child_environment

    other = tmp_path / "other-checkout"
    (other / "crawler").mkdir(parents=True)
    (other / "crawler" / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(other))
    found = subprocess.run(
        [sys.executable, "-c", "import crawler; print(crawler.__file__)"],
        cwd=tmp_path, env=child_environment(), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(found) == Path(PROJECT_ROOT) / "crawler" / "__init__.py"
    assert child_environment()["SCRAPY_SETTINGS_MODULE"] == "crawler.settings"


def test_an_installed_veille_leaves_the_childs_path_alone(tmp_path: Any, monkeypatch: Any) -> None:
    """Installed (no checkout around `monitor`), the child's path is the parent's: site-packages first
    on PYTHONPATH would come before the standard library."""
    import monitor.crawl_child

    site_packages = tmp_path / "site-packages"
    (site_packages / "crawler").mkdir(parents=True)
    monkeypatch.setattr(monitor.crawl_child, "PROJECT_ROOT", str(site_packages))
    monkeypatch.setenv("PYTHONPATH", "/opt/elsewhere")
    assert monitor.crawl_child.child_environment()["PYTHONPATH"] == "/opt/elsewhere"
    monkeypatch.delenv("PYTHONPATH")
    assert "PYTHONPATH" not in monitor.crawl_child.child_environment()
    (site_packages / "pyproject.toml").write_text("")  # a checkout: its own crawler first
    assert monitor.crawl_child.child_environment()["PYTHONPATH"] == str(site_packages)
