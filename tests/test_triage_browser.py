"""The whole triage workflow in a real browser (Debian's Chromium through Playwright), against a real
`veille serve`: the association on duty picks, alerts, dismisses and undoes, with the mouse and with
the keyboard; an association not on duty only reads; the secretariat publishes and refuses; every
answer is checked, the clicks are counted, axe-core checks both pages; the Atom feed carries the
result. Screenshots and the click counts go to test-artifacts/."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.browser import CHROMIUM_ARGS, find_chromium
from monitor.config import Member, TriageConfig
from monitor.passwords import hash_password
from monitor.serve import Secrets
from monitor.store import Store
from tests.conftest import TESTS
from tests.serving import running_desk

pytestmark = pytest.mark.browser
ARTIFACTS = TESTS.parent / "test-artifacts"
PASSWORD = "mot-de-passe-de-test"
AXE_QUERIES = 2  # a page's sort, facet and filter links share its template: two of each page suffice
XSS_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)> Proxénétisme : un réseau jugé'


@pytest.fixture
def desk_url(tmp_path: Path) -> Iterator[str]:
    yield from serve_desk(tmp_path)


@pytest.fixture
def full_desk_url(tmp_path: Path) -> Iterator[str]:
    """The desk with a row in every table a person reads (tests/test_desk_walk.py `fill_every_table`)."""
    yield from serve_desk(tmp_path, filled=True)


def serve_desk(tmp_path: Path, filled: bool = False) -> Iterator[str]:
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
         "relevant": 1, "score": 8.0, "first_seen": "2026-11-25T08:00:00+00:00", "matched": "[]"},
        *({"id": f"s{n}", "title": title, "summary": "Une histoire de plus dans la file.", "url": f"https://example.org/{n}",
           "relevant": 1, "score": 8.0 - n, "first_seen": "2026-11-26T08:00:00+00:00", "matched": '["proxénétisme"]',
           "topics": '["proxenetisme"]'}
          for n, title in ((3, "Proxénétisme : procès à Lyon"), (4, "Un réseau de proxénétisme démantelé à Nice"),
                           (5, "Proxénétisme aggravé : trois interpellations"), (6, "Un rapport sur le proxénétisme"))),
    ])  # fmt: skip
    store.sync_categories(TriageConfig().categories)
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    for name, role in (
        ("amicale-du-nid", "member"),
        ("fondation-scelles", "member"),
        ("secretariat", "secretariat"),
    ):
        secrets.users[name] = {"password_hash": hash_password(PASSWORD, iterations=1000), "role": role}
    secrets.save()
    if filled:
        from tests.test_desk_walk import fill_every_table

        store.db["picks"].insert({"story_id": "s1", "member_id": "amicale-du-nid", "action": "choisir",
                                  "summary": "Quinze saisonniers.", "status": "publie", "created_by": "amicale-du-nid",
                                  "created_at": "2026-11-25T09:00:00+00:00", "decided_by": "secretariat",
                                  "published_at": "2026-11-25T10:00:00+00:00"})  # fmt: skip
        fill_every_table(store)
    with running_desk(tmp_path / "veille.db", secrets.path) as url:
        yield url


def login(page: Any, url: str, user: str) -> None:
    page.goto(url + "/-/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()


class Clicks:
    """Counts the clicks a person makes (typing and key presses are not clicks)."""

    def __init__(self, page: Any) -> None:
        self.page, self.count = page, 0

    def __call__(self, selector: str) -> None:
        self.count += 1
        self.page.click(selector)
        self.page.wait_for_load_state()


def message(page: Any) -> str:
    return page.inner_text("p.message-info, p.message-warning, p.message-error")


def focused_card(page: Any) -> str:
    return page.evaluate(
        "document.activeElement.closest('article.carte')?.querySelector('h2')?.innerText || ''"
    )


def assert_accessible(page: Any, name: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules (labels, contrast, names, structure) on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options={**options, "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def assert_menu_on_one_line(page: Any) -> None:
    """The breadcrumb, then the menu's items side by side on one line, none glued to the other."""
    crumbs = page.locator("header .crumbs").bounding_box()
    items = [item.bounding_box() for item in page.locator("header ul.veille-menu li").all()]
    assert len(items) >= 3 and len({round(box["y"]) for box in items}) == 1, items
    assert crumbs["x"] + crumbs["width"] + 8 <= items[0]["x"], (crumbs, items[0])
    bar = page.evaluate(
        "getComputedStyle(document.querySelector('.page-header') || document.body).borderLeftStyle"
    )
    assert bar == "none"


def test_the_desk_in_a_real_browser_clicks_keyboard_and_truthful_answers(desk_url: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    counts: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            login(page, desk_url, "amicale-du-nid")
            assert "De veille : Amicale du Nid" in page.inner_text("body")
            assert_menu_on_one_line(page)
            page.goto(desk_url + "/veille/stories")
            assert page.locator(".page-header").count() == 1
            assert_menu_on_one_line(page)
            page.locator("th .dropdown-menu-icon").nth(1).click()  # the column menu, in French
            menu = page.inner_text(".dropdown-menu")
            # In French, and without the column's storage type (the secretariat's technical work).
            assert "Trier (croissant)" in menu and "Titre" in menu, menu
            assert not any(word in menu for word in ("Sort", "Facet", "Hide", "Show", "Type")), menu
            page.keyboard.press("Escape")
            page.screenshot(path=str(ARTIFACTS / "1-accueil-association.png"))
            page.goto(desk_url + "/tri")
            assert XSS_TITLE in page.inner_text("body")  # markup shown as text, never run
            assert_accessible(page, "À trier")
            page.screenshot(path=str(ARTIFACTS / "2-a-trier.png"), full_page=True)

            stale = context.new_page()  # a second tab, opened before the pick: its form goes stale
            stale.goto(desk_url + "/tri")
            # Pick with a summary: typing, then one click; the page comes back at the next story.
            click = Clicks(page)
            page.fill("#carte-0 textarea", "Quinze saisonniers libérés dans l'Hérault.")
            page.select_option("#carte-0 select", "Affaire et enquête")
            click("#carte-0 button[value=choisir]")
            counts["choisir (plus la saisie)"] = click.count
            assert message(page) == ("Choix enregistré : « Vendanges : des saisonniers soumis au travail forcé »"
                                     " attend l'avis du secrétariat.")  # fmt: skip
            assert focused_card(page) == XSS_TITLE  # the next story, in view
            page.screenshot(path=str(ARTIFACTS / "3-choix-enregistre.png"))
            # The same story from the stale tab: nothing new, and said so.
            stale.fill("#carte-0 textarea", "Encore.")
            stale.click("#carte-0 button[value=choisir]")
            stale.wait_for_load_state()
            assert message(stale).startswith("« Vendanges : des saisonniers soumis au travail forcé » a déjà été"
                                            " choisie par Amicale du Nid le ")  # fmt: skip
            # Alert and dismissal: one click each; then undo the dismissal.
            click = Clicks(page)
            click("#carte-0 button[value=signaler]")
            counts["signaler"] = click.count
            assert message(page).startswith("Alerte transmise au secrétariat :")
            click = Clicks(page)
            click("#carte-0 button[value=ecarter]")
            counts["écarter"] = click.count
            assert message(page).startswith("Histoire écartée :")
            page.click("button[value=annuler]")
            page.wait_for_load_state()
            assert message(page).startswith("Décision annulée :")
            # A link from a digest opens the desk at that story's card.
            page.goto(desk_url + "/tri?histoire=s5")
            assert focused_card(page) == "Proxénétisme aggravé : trois interpellations"
            # Keyboard only: on a fresh page the first j shows the first card, r writes the summary,
            # Ctrl+Enter chooses, e dismisses, u undoes the dismissal.
            page.goto(desk_url + "/tri")
            page.keyboard.press("j")
            first = focused_card(page)
            assert first == page.inner_text("#carte-0 h2")
            page.keyboard.press("r")
            page.keyboard.type("Un résumé tapé au clavier.")
            with page.expect_navigation():
                page.keyboard.press("Control+Enter")
            assert message(page) == f"Choix enregistré : « {first} » attend l'avis du secrétariat."
            dismissed = focused_card(page)
            with page.expect_navigation():
                page.keyboard.press("e")
            assert message(page) == f"Histoire écartée : « {dismissed} »."
            with page.expect_navigation():
                page.keyboard.press("u")
            assert message(page) == f"Décision annulée : « {dismissed} » revient dans « À trier »."
            with page.expect_navigation():
                page.keyboard.press("e")
            context.close()

            # An association not on duty reads the queue and is shown no decision.
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page = context.new_page()
            login(page, desk_url, "fondation-scelles")
            page.goto(desk_url + "/tri")
            assert page.locator("button[value=choisir]").count() == 0
            assert "seule l'association de veille" in page.inner_text("body")
            context.close()

            # The secretariat: publish a pick in one click, two when it edits the summary.
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            login(page, desk_url, "secretariat")
            page.goto(desk_url + "/revue")
            assert_accessible(page, "Revue")
            page.screenshot(path=str(ARTIFACTS / "4-revue.png"), full_page=True)
            click = Clicks(page)
            click("#carte-0 button[value=accepter_publier]")
            counts["publier un choix"] = click.count
            assert message(page).startswith(
                "Publié : « Vendanges : des saisonniers soumis au travail forcé »"
            )
            # The alert has no summary: publishing it is refused, truthfully, until one is written.
            page.click("#carte-0 button[value=accepter_publier]")
            page.wait_for_load_state()
            assert message(page).startswith("Écrivez un résumé pour publier")
            click = Clicks(page)
            click("#carte-0 textarea")
            page.keyboard.type("Le secrétariat résume l'alerte.")
            click("#carte-0 button[value=accepter_publier]")
            counts["publier en modifiant le résumé"] = click.count
            assert message(page).startswith("Publié :")
            # Refuse with a reason; the keyboard's p publishes.
            page.fill("#carte-0 input[name=reason]", "Déjà publié ailleurs.")
            page.click("#carte-0 button[value=refuser]")
            page.wait_for_load_state()
            assert message(page).startswith("Refusé :")
            page.screenshot(path=str(ARTIFACTS / "5-revue-apres.png"), full_page=True)
            page.goto(desk_url + "/actualites")
            assert "Le secrétariat résume l'alerte." in page.inner_text("main, body")
            assert_accessible(page, "Actualités publiées")
            page.screenshot(path=str(ARTIFACTS / "6-publies.png"), full_page=True)
            # The guides show the screenshots this very test just made.
            for guide in ("association", "secretariat"):
                page.goto(desk_url + "/aide/" + guide)
                assert page.evaluate("[...document.images].every((i) => i.complete && i.naturalWidth > 0)")
                assert page.locator(".veille-guide img").count() >= 1
                assert_accessible(page, "Aide : " + guide)
            context.close()
        finally:
            browser.close()
    assert counts == {"choisir (plus la saisie)": 1, "signaler": 1, "écarter": 1, "publier un choix": 1,
                      "publier en modifiant le résumé": 2}  # fmt: skip
    (ARTIFACTS / "clics.txt").write_text("".join(f"{k}: {v}\n" for k, v in counts.items()), encoding="utf-8")
    feed = urllib.request.urlopen(desk_url + "/actualites.atom", timeout=5).read().decode()
    assert "Vendanges : des saisonniers soumis au travail forcé" in feed
    assert "Le secrétariat résume l" in feed
    assert dialogs == []


@pytest.mark.parametrize("user", [None, "amicale-du-nid", "fondation-scelles", "secretariat"])
def test_axe_core_finds_nothing_on_any_page_a_role_reaches(full_desk_url: str, user: str | None) -> None:
    """The walk of tests/test_desk_walk.py, in Chromium: axe-core on every page reached by links,
    and on AXE_QUERIES of each page's links with a query string (sort, facet, filter)."""
    from playwright.sync_api import sync_playwright

    from tests.test_desk_walk import MAX_PAGES, SKIPPED

    desk_url, variants = full_desk_url, {}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR").new_page()
            if user:
                login(page, desk_url, user)
            seen: set[str] = set()
            todo = ["/"]
            while todo and len(seen) < MAX_PAGES + AXE_QUERIES * 20:
                path = todo.pop(0)
                base = path.split("?")[0]
                if path in seen or ("?" in path and variants.get(base, 0) >= AXE_QUERIES):
                    continue
                seen.add(path)
                variants[base] = variants.get(base, 0) + ("?" in path)
                page.goto(desk_url + path)
                assert_accessible(page, f"{user or 'anonyme'} {path}")
                hrefs = page.eval_on_selector_all(
                    "a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
                )
                todo += [h.split("#")[0] for h in hrefs if not any(s in h.split("?")[0] for s in SKIPPED)]
        finally:
            browser.close()
    assert len(seen) >= (5 if user is None else 15), seen
    assert user is None or sum("?" in path for path in seen) >= 10, seen
