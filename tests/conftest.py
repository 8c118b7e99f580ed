"""Shared fixtures: the fixture web (started once per session) and the crawls run against it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.browser import find_chromium
from monitor.config import Config, load_config
from monitor.demo.web import FixtureWeb
from monitor.links.run import CheckResult, SiteTarget, check_sites

TESTS = Path(__file__).parent
SHARED = TESTS.parent.parent / "shared"
# Sites every crawl test can look at; the sites whose state tests change are crawled apart.
SESSION_SITES = (
    "base-href calendar comment cp1252 deep external-css forbidden hidden-styles huge image-link "
    "js-injected lookalike metadata metadata-home nofollow-meta noscript partners redirect robots slow "
    "template too-many unavailable whitespace"
).split()
REFUSED_URL = "http://127.0.1.250:9/"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests skip without Chromium, except in CI, where a missing browser is a failure."""
    if find_chromium() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb(TESTS / "sites", first_address=20) as running:
        yield running


@pytest.fixture(scope="session")
def demo_web() -> Iterator[FixtureWeb]:
    """The demo's fictional web (member sites and a newspaper), on its own addresses."""
    from monitor.demo.web import SITES_DIR

    with FixtureWeb(SITES_DIR, first_address=120) as running:
        yield running


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(TESTS / "config")


@pytest.fixture(scope="session")
def session_crawl(web: FixtureWeb, config: Config) -> CheckResult:
    """One static crawl of all the stable fixture sites, plus a server that refuses connections."""
    targets = [SiteTarget(name, web.url(name)) for name in SESSION_SITES]
    targets.append(SiteTarget("refused", REFUSED_URL))
    return check_sites(targets, config, browser=False)


@pytest.fixture(scope="session")
def browser_crawl(web: FixtureWeb, config: Config) -> CheckResult:
    names = ["js-injected", "external-css", "hidden-styles", "partners", "comment", "image-link"]
    targets = [SiteTarget(name, web.url(name)) for name in names]
    browser_config = replace(config, crawl={**config.crawl, "browser": "auto"})
    return check_sites(targets, browser_config, browser=True)


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    return tmp_path / "veille.db"


@pytest.fixture
def chromium() -> str:
    path = find_chromium()
    if not path:
        pytest.fail("Chromium is required here (apt-get install chromium)")
    return path


def shared_corpus(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
