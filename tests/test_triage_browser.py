"""The whole triage workflow in a real browser (Debian's Chromium through Playwright), against a real
`veille serve`: the association on duty logs in, searches, picks a story with a summary; the
secretariat accepts and publishes; the Atom feed carries it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.browser import CHROMIUM_ARGS, find_chromium
from monitor.config import Member
from monitor.passwords import hash_password
from monitor.serve import Secrets
from monitor.store import Store
from tests.conftest import TESTS
from tests.serving import running_desk

pytestmark = pytest.mark.browser
ARTIFACTS = TESTS.parent / "test-artifacts"
PASSWORD = "mot-de-passe-de-test"
XSS_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)> Proxénétisme : un réseau jugé'


@pytest.fixture
def desk_url(tmp_path: Path) -> Iterator[str]:
    store = Store.open(tmp_path / "veille.db")
    store.sync_members(
        [Member("amicale-du-nid", "Amicale du Nid"), Member("fondation-scelles", "Fondation Scelles")]
    )
    today = date.today()
    store.db["duty"].insert({"start": (today - timedelta(days=2)).isoformat(),
                             "end": (today + timedelta(days=2)).isoformat(), "member_id": "amicale-du-nid", "note": ""})  # fmt: skip
    store.db["stories"].insert_all([
        {"id": "s1", "title": "Vendanges : des saisonniers soumis au travail forcé", "summary": "Quinze ouvriers privés de salaire.",
         "url": "https://example.org/vendanges", "relevant": 1, "score": 9.0, "first_seen": "2026-11-25T08:00:00+00:00",
         "matched": '["travail forcé"]', "topics": '["travail_force"]', "kind": "justice"},
        {"id": "s2", "title": XSS_TITLE, "summary": '<img src=x onerror=alert(2)>', "url": "javascript:alert(3)",
         "relevant": 1, "score": 5.0, "first_seen": "2026-11-25T08:00:00+00:00", "matched": "[]"},
    ])  # fmt: skip
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    for name, role in (("amicale-du-nid", "member"), ("secretariat", "secretariat")):
        secrets.users[name] = {"password_hash": hash_password(PASSWORD, iterations=1000), "role": role}
    secrets.save()
    with running_desk(tmp_path / "veille.db", secrets.path) as url:
        yield url


def login(page: Any, url: str, user: str) -> None:
    page.goto(url + "/-/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()


def test_pick_review_publish_in_a_real_browser(desk_url: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            member = browser.new_context(viewport={"width": 1280, "height": 900})
            page = member.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            login(page, desk_url, "amicale-du-nid")
            assert "De veille cette semaine : Amicale du Nid" in page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "1-accueil-association.png"))

            page.goto(desk_url + "/veille/stories?_search=saisonniers")  # accent- and case-insensitive FTS
            assert "Vendanges : des saisonniers soumis au travail forcé" in page.inner_text("body")

            page.goto(desk_url + "/veille/a_trier")
            body = page.inner_text("body")
            assert XSS_TITLE in body  # markup shown as text, never run
            page.screenshot(path=str(ARTIFACTS / "2-a-trier.png"), full_page=True)
            page.click("a[href$='choisir?story_id=s1']")
            assert "Vendanges : des saisonniers soumis au travail forcé" in page.inner_text("main, body")
            page.fill("textarea[name=summary]", "Quinze saisonniers libérés dans l'Hérault.")
            page.select_option("select[name=category]", "Affaire et enquête")
            page.screenshot(path=str(ARTIFACTS / "3-formulaire-choisir.png"))
            page.click("input[type=submit]")
            page.wait_for_load_state()
            assert "Choix enregistré" in page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "4-choix-enregistre.png"))
            member.close()

            secretariat = browser.new_context(viewport={"width": 1280, "height": 900})
            page = secretariat.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            login(page, desk_url, "secretariat")
            page.goto(desk_url + "/veille/choix_en_attente")
            assert "Quinze saisonniers libérés dans l'Hérault." in page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "5-choix-en-attente.png"), full_page=True)
            page.click("a[href$='accepter?pick_id=1']")
            page.click("input[type=submit]")
            page.wait_for_load_state()
            assert "Choix accepté" in page.inner_text("body")
            page.goto(desk_url + "/veille/choix_en_attente")
            page.click("a[href$='publier?pick_id=1']")
            page.click("input[type=submit]")
            page.wait_for_load_state()
            assert "Publié" in page.inner_text("body")
            page.goto(desk_url + "/veille/publies")
            page.screenshot(path=str(ARTIFACTS / "6-publies.png"), full_page=True)
            secretariat.close()
        finally:
            browser.close()
    feed = urllib.request.urlopen(desk_url + "/actualites.atom", timeout=5).read().decode()
    assert "Vendanges : des saisonniers soumis au travail forcé" in feed
    assert (
        "Quinze saisonniers libérés dans l&apos;Hérault." in feed
        or "Quinze saisonniers libérés dans l'Hérault." in feed
    )
    assert dialogs == []
