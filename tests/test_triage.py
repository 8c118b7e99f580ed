"""The triage desk through Datasette's test client: who may read, pick, review and publish."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from monitor.config import ConfigError, Member, TriageConfig
from monitor.passwords import hash_password
from monitor.rota import Turn
from monitor.serve import Secrets, build_datasette
from monitor.store import Store

PASSWORD = "mot-de-passe-de-test"
XSS_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)> Proxénétisme : réseau démantelé'


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    return make_desk(tmp_path)


def make_desk(tmp_path: Path) -> tuple[Any, Store]:
    """A desk on a fresh database: two associations (Amicale du Nid on duty), two stories (one hostile),
    three accounts with the password PASSWORD."""
    store = Store.open(tmp_path / "veille.db")
    store.sync_members(
        [Member("amicale-du-nid", "Amicale du Nid"), Member("fondation-scelles", "Fondation Scelles")]
    )
    store.sync_categories(TriageConfig().categories)
    today = date.today()
    store.db["duty"].insert({"start": (today - timedelta(days=3)).isoformat(), "end": (today + timedelta(days=3)).isoformat(),
                             "member_id": "amicale-du-nid", "note": ""})  # fmt: skip
    store.db["stories"].insert_all([
        {"id": "s1", "title": "Travail forcé : des saisonniers libérés", "summary": "Quinze ouvriers.", "url": "https://example.org/s1",
         "relevant": 1, "score": 9.0, "first_seen": "2026-11-25T08:00:00+00:00", "matched": '["Travail forcé"]'},
        {"id": "s2", "title": XSS_TITLE, "summary": "javascript:alert(1)", "url": "javascript:alert(1)",
         "relevant": 1, "score": 8.0, "first_seen": "2026-11-25T08:00:00+00:00", "matched": "[]"},
    ])  # fmt: skip
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    for name, role in (
        ("amicale-du-nid", "member"),
        ("fondation-scelles", "member"),
        ("secretariat", "secretariat"),
    ):
        secrets.users[name] = {"password_hash": hash_password(PASSWORD, iterations=1000), "role": role}
    secrets.save()
    datasette = build_datasette(tmp_path / "veille.db", secrets, {"secretariat": "Secrétariat"})
    return datasette, store


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def login(datasette: Any, user: str) -> dict[str, str]:
    form = await datasette.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
    cookies = {"ds_csrftoken": form.cookies["ds_csrftoken"]}
    response = await datasette.client.post(
        "/-/login", data={"username": user, "password": PASSWORD, "csrftoken": token}, cookies=cookies
    )
    assert response.status_code == 302, response.text
    return {**cookies, "veille_session": response.cookies["veille_session"]}


async def token(datasette: Any, cookies: dict[str, str]) -> str:
    page = await datasette.client.get("/-/login", cookies=cookies)
    return re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)


async def decide(
    datasette: Any, cookies: dict[str, str] | None, path: str, data: dict[str, str], as_json: bool = False
) -> Any:
    """POST a decision the way the desk's forms do (with the CSRF token), or as the JSON API."""
    if cookies:
        data = {"csrftoken": await token(datasette, cookies), **data}
    headers = {"accept": "application/json"} if as_json else {}
    return await datasette.client.post(path, data=data, cookies=cookies or {}, headers=headers)


async def said(datasette: Any, cookies: dict[str, str], response: Any) -> str:
    """The French message the page shows after a decision's redirect (POST, redirect, GET)."""
    assert response.status_code == 302, response.text
    page = await datasette.client.get(response.headers["location"], cookies={**cookies, **response.cookies})
    messages = re.findall(r'<p class="message-(?:info|warning|error)">(.*?)</p>', page.text, re.S)
    assert len(messages) == 1, page.text[:2000]
    return html.unescape(messages[0])


async def pick_first_story(datasette: Any, category: str = "") -> dict[str, str]:
    """The association on duty picks story s1; returns its cookies."""
    on_duty = await login(datasette, "amicale-du-nid")
    data = {
        "story_id": "s1",
        "action": "choisir",
        "summary": "Quinze saisonniers libérés.",
        "category": category,
    }
    assert (await decide(datasette, on_duty, "/tri/action", data, as_json=True)).json()["ok"]
    return on_duty


def statuses(store: Store) -> list[tuple[str, str, str]]:
    return [
        (p["story_id"], p["member_id"], p["status"])
        for p in store.db.query("select * from picks order by id")
    ]


def test_anonymous_visitors_see_published_news_only(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        assert (await datasette.client.get("/veille/publies")).status_code == 200
        assert (await datasette.client.get("/tri")).headers["location"] == "/-/login?next=%2Ftri"
        for page in ("/veille/stories", "/veille?sql=select+1"):  # log in first, then the page
            assert (await datasette.client.get(page)).headers["location"].startswith("/-/login?next=")
        assert (await datasette.client.get("/veille/stories.json")).status_code == 403
        response = await decide(
            datasette, None, "/tri/action", {"story_id": "s1", "action": "signaler"}, True
        )
        assert (
            response.status_code == 403
            and response.json()["message"] == "Connectez-vous pour trier les histoires."
        )
        home = (await datasette.client.get("/")).text
        assert "Actualités publiées" in home and "Se connecter" in home
        assert "À trier" not in home and "Rapport des liens" not in home and "Revue" not in home

    run(scenario())
    assert statuses(store) == []


def test_only_the_association_on_duty_and_the_secretariat_decide(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        off_duty = await login(datasette, "fondation-scelles")
        data = {"story_id": "s1", "action": "choisir", "summary": "Résumé"}
        response = await decide(datasette, off_duty, "/tri/action", data, as_json=True)
        assert response.status_code == 403
        assert response.json()["message"].startswith("Seule l'association de veille")
        page = (await datasette.client.get("/tri", cookies=off_duty)).text
        assert "Travail forcé : des saisonniers libérés" in page and 'value="choisir"' not in page
        assert "seule l'association de veille (et le secrétariat) peut les trier" in page
        on_duty = await login(datasette, "amicale-du-nid")
        page = (await datasette.client.get("/tri", cookies=on_duty)).text
        assert page.count('value="choisir"') == 2 and "Revue des choix" not in page
        response = await decide(datasette, on_duty, "/tri/action", {**data, "category": "Procès et justice"})
        assert await said(datasette, on_duty, response) == (
            "Choix enregistré : « Travail forcé : des saisonniers libérés » attend l'avis du secrétariat."
        )
        secretariat = await login(datasette, "secretariat")
        response = await decide(
            datasette, secretariat, "/tri/action", {"story_id": "s2", "action": "signaler"}
        )
        assert (await said(datasette, secretariat, response)).startswith("Alerte transmise au secrétariat")
        # Reviewing is the secretariat's: the association is told so, and is shown no button.
        response = await decide(
            datasette, on_duty, "/revue/action", {"pick_id": "1", "action": "accepter"}, True
        )
        assert response.status_code == 403 and "Seul le secrétariat" in response.json()["message"]
        assert 'value="accepter' not in (await datasette.client.get("/revue", cookies=on_duty)).text

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "propose"), ("s2", "secretariat", "signale")]


def test_one_click_to_publish_and_the_atom_feed_carries_it(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        await pick_first_story(datasette)
        secretariat = await login(datasette, "secretariat")
        review = (await datasette.client.get("/revue", cookies=secretariat)).text
        assert re.search(r'<textarea [^>]*name="summary"[^>]*>Quinze saisonniers libérés.</textarea>', review)
        assert "Choix de <strong>Amicale du Nid</strong>" in review
        data = {"pick_id": "1", "action": "accepter_publier", "summary": "Résumé revu.", "position": "0"}
        response = await decide(datasette, secretariat, "/revue/action", data)
        assert response.headers["location"] == "/revue?position=0"
        assert await said(datasette, secretariat, response) == (
            "Publié : « Travail forcé : des saisonniers libérés » apparaît dans le flux des actualités du site."
        )
        atom = await datasette.client.get("/actualites.atom")
        assert atom.status_code == 200 and "application/atom+xml" in atom.headers["content-type"]
        assert "Travail forcé : des saisonniers libérés" in atom.text and "Résumé revu." in atom.text
        published = (await datasette.client.get("/actualites.json")).json()["items"]
        assert [(i["title"], i["url"]) for i in published] == [
            ("Travail forcé : des saisonniers libérés", "https://example.org/s1")
        ]

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "publie")]


def test_the_four_false_successes_now_tell_the_truth(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")
        secretariat = await login(datasette, "secretariat")
        # 1. Publishing an alert (no summary): not published, and said so.
        await decide(datasette, on_duty, "/tri/action", {"story_id": "s2", "action": "signaler"})
        response = await decide(
            datasette, secretariat, "/revue/action", {"pick_id": "1", "action": "accepter_publier"}
        )
        assert (await said(datasette, secretariat, response)).startswith("Écrivez un résumé pour publier")
        assert "<entry>" not in (await datasette.client.get("/actualites.atom")).text
        # 2. A pick for a story that does not exist: nothing inserted, and said so.
        response = await decide(datasette, on_duty, "/tri/action",
                                {"story_id": "inconnue", "action": "choisir", "summary": "x"})  # fmt: skip
        assert await said(datasette, on_duty, response) == "Cette histoire n'existe pas (ou plus)."
        # 3. The same form sent twice: one pick, and the second answer says who did it and when.
        data = {"story_id": "s1", "action": "choisir", "summary": "Quinze saisonniers libérés."}
        first = await decide(datasette, on_duty, "/tri/action", data)
        again = await decide(datasette, on_duty, "/tri/action", data)
        assert (await said(datasette, on_duty, first)).startswith("Choix enregistré")
        assert re.fullmatch(r"« Travail forcé : des saisonniers libérés » a déjà été choisie par Amicale du Nid"
                            r" le \d{1,2} [a-zéû.]+ \d{4}\.", await said(datasette, on_duty, again))  # fmt: skip
        # 4. Publishing what is already published.
        publish = {"pick_id": "2", "action": "accepter_publier"}
        assert (await decide(datasette, secretariat, "/revue/action", publish, True)).json()["ok"]
        response = await decide(
            datasette, secretariat, "/revue/action", {"pick_id": "2", "action": "publier"}, True
        )
        assert response.status_code == 409 and response.json()["outcome"] == "already"
        assert response.json()["message"].startswith(
            "« Travail forcé : des saisonniers libérés » est déjà publiée"
        )

    run(scenario())
    assert statuses(store) == [("s2", "amicale-du-nid", "signale"), ("s1", "amicale-du-nid", "publie")]


def test_the_life_cycle_rules_hold_for_the_json_api_and_in_the_database(desk: Any) -> None:
    import sqlite3

    datasette, store = desk

    async def scenario() -> None:
        on_duty = await pick_first_story(datasette)
        secretariat = await login(datasette, "secretariat")

        async def review(data: dict[str, str]) -> dict[str, Any]:
            return (
                await decide(datasette, secretariat, "/revue/action", {"pick_id": "1", **data}, True)
            ).json()

        # A story has one live pick: an alert on a picked story is "already".
        answer = await decide(
            datasette, on_duty, "/tri/action", {"story_id": "s1", "action": "signaler"}, True
        )
        assert answer.json()["outcome"] == "already"
        assert (await review({"action": "publier"}))["message"].startswith("Acceptez d'abord")
        assert (await review({"action": "refuser"}))[
            "message"
        ] == "Indiquez le motif du refus : l'association le verra."
        assert (await review({"action": "accepter"}))["ok"]
        assert (await review({"action": "accepter"}))["outcome"] == "already"
        assert (await review({"action": "refuser", "reason": "Hors sujet."}))["ok"]
        assert (await review({"action": "publier"}))["outcome"] == "impossible"
        # A category outside triage.categories is refused.
        answer = await decide(datasette, on_duty, "/tri/action",
                              {"story_id": "s2", "action": "choisir", "summary": "x", "category": "Sport"}, True)  # fmt: skip
        assert answer.json()["message"] == "Catégorie inconnue : « Sport »."

    run(scenario())
    # The same rules for any writer of the database: its triggers and its unique index.
    db = store.db
    db["picks"].insert(
        {"story_id": "s2", "member_id": "x", "action": "choisir", "status": "propose", "summary": "y"}
    )
    for statement, message in (
        (
            "UPDATE picks SET status = 'publie' WHERE story_id = 's2'",
            "ce changement d'état n'est pas possible",
        ),
        ("UPDATE picks SET status = 'refuse' WHERE story_id = 's2'", "un refus doit avoir un motif"),
        ("UPDATE picks SET category = 'Sport' WHERE story_id = 's2'", "catégorie inconnue"),
        ("INSERT INTO picks (story_id, status) VALUES ('s2', 'signale')", "UNIQUE constraint failed"),
    ):
        with pytest.raises(sqlite3.IntegrityError, match=message):
            db.execute(statement)
    db.execute("UPDATE picks SET status = 'accepte', summary = '' WHERE story_id = 's2'")
    with pytest.raises(sqlite3.IntegrityError, match="un choix sans résumé ne peut pas être publié"):
        db.execute("UPDATE picks SET status = 'publie' WHERE story_id = 's2'")


def test_a_refused_or_dismissed_story_comes_back_only_with_a_new_article(desk: Any) -> None:
    datasette, store = desk

    async def queue(cookies: dict[str, str]) -> str:
        return (await datasette.client.get("/tri", cookies=cookies)).text

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")
        secretariat = await login(datasette, "secretariat")
        await decide(datasette, on_duty, "/tri/action", {"story_id": "s1", "action": "signaler"})
        await decide(
            datasette,
            secretariat,
            "/revue/action",
            {"pick_id": "1", "action": "refuser", "reason": "Déjà vu."},
        )
        response = await decide(
            datasette, on_duty, "/tri/action", {"story_id": "s2", "action": "ecarter", "position": "0"}
        )
        assert response.headers["location"] == "/tri?position=0&ecartee=s2"
        assert (await said(datasette, on_duty, response)).startswith("Histoire écartée : « <script>")
        page = await queue(on_duty)
        assert "Aucune histoire à trier" in page and "Écartées pendant ce tour" in page
        # Undo within the turn.
        response = await decide(datasette, on_duty, "/tri/action", {"story_id": "s2", "action": "annuler"})
        assert (await said(datasette, on_duty, response)).startswith("Décision annulée :")
        assert "Proxénétisme : réseau démantelé" in await queue(on_duty)
        again = await decide(datasette, on_duty, "/tri/action", {"story_id": "s2", "action": "annuler"}, True)
        assert again.json()["outcome"] == "already" and "déjà annulée" in again.json()["message"]
        # A new article joins the refused story: it comes back, marked as such.
        store.db.execute("UPDATE stories SET last_seen = '2999-01-01T00:00:00+00:00' WHERE id = 's1'")
        store.db.conn.commit()
        page = await queue(on_duty)
        assert (
            "Travail forcé : des saisonniers libérés" in page
            and "De retour : un nouvel article depuis la décision du" in page
        )
        home = (await datasette.client.get("/", cookies=on_duty)).text
        assert "À trier</a> : 2 histoires en attente" in home

    run(scenario())


def test_a_dismissal_from_an_earlier_turn_is_undone_by_the_secretariat_only(desk: Any) -> None:
    datasette, store = desk
    store.db["picks"].insert({"story_id": "s1", "member_id": "amicale-du-nid", "action": "ecarter", "status": "ecarte",
                              "created_at": "2026-01-05T10:00:00+00:00", "turn": "2026-01-05"})  # fmt: skip

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")
        answer = await decide(
            datasette, on_duty, "/tri/action", {"story_id": "s1", "action": "annuler"}, True
        )
        assert "seul le secrétariat peut encore annuler" in answer.json()["message"]
        secretariat = await login(datasette, "secretariat")
        assert (
            await decide(datasette, secretariat, "/tri/action", {"story_id": "s1", "action": "annuler"}, True)
        ).json()["ok"]

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "annule")]


def test_a_pick_keeps_its_turn_when_the_rota_changes(desk: Any) -> None:
    datasette, store = desk
    start = store.db.execute("select start from duty").fetchone()[0]

    async def scenario() -> list[dict[str, Any]]:
        await pick_first_story(datasette)
        store.save_duty([Turn(date.today(), date.today(), "fondation-scelles")])  # the rota is rewritten
        secretariat = await login(datasette, "secretariat")
        response = await datasette.client.get("/veille/historique.json?_shape=objects", cookies=secretariat)
        return response.json()["rows"]

    [row] = run(scenario())
    assert (row["tour_du"], row["de_veille"], row["association"]) == (
        start,
        "Amicale du Nid",
        "Amicale du Nid",
    )
    pick = store.db["picks"].get(1)
    assert (pick["turn"], pick["on_duty"]) == (start, "amicale-du-nid")


def test_decisions_need_the_csrf_token(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")
        data = {"story_id": "s1", "action": "signaler"}
        assert (await datasette.client.post("/tri/action", data=data, cookies=on_duty)).status_code == 403
        forged = {**data, "csrftoken": "faux"}
        assert (await datasette.client.post("/tri/action", data=forged, cookies=on_duty)).status_code == 403

    run(scenario())
    assert statuses(store) == []


def test_harvested_markup_is_shown_as_inert_text(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        cookies = await login(datasette, "amicale-du-nid")
        page = await datasette.client.get("/tri", cookies=cookies)
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert" in page.text
        assert 'href="javascript:' not in page.text

    run(scenario())


def test_each_card_says_why_in_plain_words(desk: Any) -> None:
    datasette, store = desk
    store.db.execute("UPDATE stories SET topics = '[\"travail_force\"]', kind = 'justice',"
                     " published = '2026-11-24T08:00:00+00:00' WHERE id = 's1'")  # fmt: skip
    store.db.conn.commit()

    async def scenario() -> None:
        cookies = await login(datasette, "amicale-du-nid")
        page = (await datasette.client.get("/tri", cookies=cookies)).text
        card = page.split('id="carte-0"', 1)[1].split("</article>", 1)[0]
        assert "24 nov. 2026" in card and "Justice et enquête" in card
        assert "<strong>Pourquoi ?</strong> Travail forcé (Travail forcé)" in card
        shown = card.split("<form", 1)[0]  # the story, before its decision form
        assert "travail_force" not in shown and ">justice" not in shown and " justice<" not in shown
        assert '<label for="resume-0">' in card and "<option>Procès et justice</option>" in card

    run(scenario())


def test_search_ignores_accents_and_survives_any_input(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        cookies = await login(datasette, "amicale-du-nid")

        async def found(query: str) -> list[str]:
            response = await datasette.client.get(
                "/veille/rechercher.json", params={"q": query, "_shape": "objects"}, cookies=cookies
            )
            assert response.status_code == 200, response.text
            return [row["histoire"] for row in response.json()["rows"]]

        assert await found("TRAVAIL force") == ["s1"]
        assert await found("proxenetisme") == ["s2"]
        assert await found("l'ouvriers saisonniers") == []  # every word must be there
        for odd in ("", "  ", '"', "« »", "a OR", "*"):
            assert await found(odd) == []
        page = (await datasette.client.get("/veille/rechercher?q=forc%C3%A9", cookies=cookies)).text
        assert 'name="q" value="forcé"' in page and "Travail forcé : des saisonniers libérés" in page
        stories = await datasette.client.get("/veille/stories?_search=l'exploitation", cookies=cookies)
        assert stories.status_code == 200  # an apostrophe is not a search syntax error
        for odd in ('"', '""', '"travail', "*", "(", "-", "NEAR", "a OR b", "travail*", "x:y"):
            for mode in ("", "&_searchmode=raw"):
                response = await datasette.client.get(
                    f"/veille/stories.json?_search={quote(odd)}{mode}", cookies=cookies
                )
                assert response.status_code == 200, (odd, mode, response.text[:300])
        found = await datasette.client.get(
            '/veille/stories.json?_search="travail&_shape=objects', cookies=cookies
        )
        assert [row["id"] for row in found.json()["rows"]] == ["s1"]

    run(scenario())


def test_stories_have_the_facets_the_desk_needs(desk: Any) -> None:
    datasette, store = desk
    store.db.execute(
        "UPDATE stories SET week = '2026-11-23', topics = '[\"travail_force\"]', kind = 'justice'"
    )
    store.db.conn.commit()

    async def scenario() -> None:
        cookies = await login(datasette, "amicale-du-nid")
        data = (await datasette.client.get("/veille/stories.json", cookies=cookies)).json()
        facets = data["facet_results"]
        assert {"source_id", "topics", "kind", "lang", "week"} <= set(facets)
        assert [(v["value"], v["count"]) for v in facets["week"]["results"]] == [("2026-11-23", 2)]
        assert [(v["value"], v["count"]) for v in facets["topics"]["results"]] == [("travail_force", 2)]

    run(scenario())


def test_pick_categories_come_from_the_configuration(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "veille.db")
    store.sync_categories(["Traite", "Livre"])
    store.db["stories"].insert({"id": "s1", "title": "Procès à Lyon", "relevant": 1, "score": 5.0})
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    secrets.users["secretariat"] = {
        "password_hash": hash_password(PASSWORD, iterations=1000),
        "role": "secretariat",
    }
    secrets.save()
    datasette = build_datasette(tmp_path / "veille.db", secrets, {}, triage=TriageConfig(("Traite", "Livre")))

    async def scenario() -> None:
        cookies = await login(datasette, "secretariat")
        page = (await datasette.client.get("/tri", cookies=cookies)).text
        assert "<option>Traite</option><option>Livre</option>" in page

    run(scenario())


def test_public_pages_are_configurable_but_never_the_decisions(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "veille.db")
    store.db["stories"].insert({"id": "s1", "title": "Procès à Lyon", "relevant": 1, "score": 5.0})
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    triage = TriageConfig(public_pages=("publies", "rapport_liens", "stories"))
    datasette = build_datasette(tmp_path / "veille.db", secrets, {}, triage=triage)
    for path, status in (("/veille/rapport_liens", 200), ("/veille/stories", 200), ("/tri", 302),
                         ("/veille/publies", 200), ("/revue", 302)):  # fmt: skip
        assert run(datasette.client.get(path)).status_code == status, path
    home = run(datasette.client.get("/")).text
    assert "Rapport des liens" in home and "Histoires" in home and "À trier" not in home
    response = run(datasette.client.post("/tri/action", data={"story_id": "s1", "action": "ecarter"}))
    assert response.status_code == 302 and store.db["picks"].count == 0
    for page in ("choisir", "inconnue"):
        with pytest.raises(ConfigError, match=f"config.yml: triage.public_pages: {page} n'est pas une page"):
            build_datasette(tmp_path / "veille.db", secrets, {}, triage=TriageConfig(public_pages=(page,)))


def test_the_cookie_secret_comes_from_the_environment_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="du-fichier")
    assert build_datasette(tmp_path / "veille.db", secrets, {})._secret == "du-fichier"
    monkeypatch.setenv("DATASETTE_SECRET", "de-l-environnement")
    assert build_datasette(tmp_path / "veille.db", secrets, {})._secret == "de-l-environnement"


def test_a_home_page_count_that_times_out_shows_a_question_mark() -> None:
    import importlib.util

    from datasette.database import QueryInterrupted

    path = Path(__file__).parent.parent / "monitor" / "datasette" / "plugins" / "veille_home.py"
    spec = importlib.util.spec_from_file_location("veille_home_under_test", path)
    assert spec and spec.loader
    home = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(home)

    class SlowDatabase:
        async def execute(self, sql: str) -> Any:
            raise QueryInterrupted(Exception("interrupted"), sql, {})

    assert run(home.count(SlowDatabase(), "select count(*) from stories")) == "?"


ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def assert_valid_atom(body: bytes) -> list[Any]:
    """The RFC 4287 rules a consumer relies on; returns the entries."""
    from lxml import etree

    feed = etree.fromstring(body)
    assert feed.tag == f"{ATOM}feed"

    def one(parent: Any, name: str) -> Any:
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, (name, etree.tostring(parent)[:300])
        return found[0]

    for name in ("id", "title", "updated"):
        one(feed, name)
    assert RFC3339.match(one(feed, "updated").text)
    assert any(link.get("rel") == "self" for link in feed.findall(f"{ATOM}link"))
    entries = feed.findall(f"{ATOM}entry")
    feed_has_author = bool(feed.findall(f"{ATOM}author/{ATOM}name"))
    ids = [one(entry, "id").text for entry in entries]
    assert len(set(ids)) == len(ids) and all(":" in i for i in ids)  # unique IRIs
    for entry in entries:
        one(entry, "title")
        assert RFC3339.match(one(entry, "updated").text)
        assert feed_has_author or entry.findall(f"{ATOM}author/{ATOM}name")
        links = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert entry.findall(f"{ATOM}content") or links
        assert all(link.get("href", "").startswith(("http://", "https://")) for link in links)
    return entries


def test_the_atom_feed_follows_rfc_4287(desk: Any) -> None:
    datasette, store = desk
    empty = run(datasette.client.get("/actualites.atom"))
    assert empty.status_code == 200 and assert_valid_atom(empty.content) == []
    # A published pick by the secretariat (no member, so no entry author) and one on the unsafe story.
    store.db["picks"].insert_all([
        {"story_id": "s1", "member_id": "secretariat", "action": "choisir", "summary": "Résumé.",
         "status": "publie", "created_at": "2026-11-25T10:00:00", "published_at": "2026-11-25T11:00:00+00:00"},
        {"story_id": "s2", "member_id": "amicale-du-nid", "action": "choisir", "summary": "<b>gras</b>",
         "status": "publie", "created_at": "2026-11-25T10:00:00", "published_at": "2026-11-25T12:00:00+00:00"},
    ])  # fmt: skip
    store.db.conn.commit()
    feed = run(datasette.client.get("/actualites.atom"))
    entries = assert_valid_atom(feed.content)
    assert (
        len(entries) == 2 and "<b>" not in feed.text and "javascript:" not in feed.text.split("<entry>", 1)[1]
    )


def test_home_page_says_who_is_on_duty_and_what_waits(desk: Any) -> None:
    datasette, _ = desk
    page = run(datasette.client.get("/"))
    assert page.status_code == 200
    assert "Actualités publiées" in page.text and "De veille" not in page.text  # anonymous
    cookies = run(login(datasette, "fondation-scelles"))
    page = run(datasette.client.get("/", cookies=cookies))
    assert re.search(r"De veille :</strong> Amicale du Nid, du \d{1,2} [a-zéû.]+ 20\d\d au ", page.text)
    assert ">accueil</a>" in page.text and "Powered by" not in page.text  # Datasette's own words too
    assert "À trier</a> : 2 histoires en attente" in page.text and "Se déconnecter" in page.text
    assert "Log out" not in page.text


def test_home_page_counts_follow_the_desks_actions_and_check_no_table(desk: Any, monkeypatch: Any) -> None:
    datasette, _ = desk
    checked: list[Any] = []
    real_check = datasette.check_visibility

    async def counting_check(*args: Any, **kwargs: Any) -> Any:
        checked.append(args)
        return await real_check(*args, **kwargs)

    monkeypatch.setattr(datasette, "check_visibility", counting_check)

    async def scenario() -> list[str]:
        on_duty = await login(datasette, "amicale-du-nid")
        homes = [(await datasette.client.get("/", cookies=on_duty)).text for _ in range(2)]
        await decide(datasette, on_duty, "/tri/action", {"story_id": "s1", "action": "signaler"})
        return [*homes, (await datasette.client.get("/", cookies=on_duty)).text]

    homes = run(scenario())
    assert ["À trier</a> : 2 histoires" in h for h in homes] == [True, True, False]
    assert "À trier</a> : 1 histoire en attente" in homes[2]
    assert checked == []  # Datasette's index view checked each table of the database: not shown here
    # What Datasette's index view also gave: its footer's version, its JSON link; a POST is refused.
    home = run(datasette.client.get("/"))
    assert 'title="Datasette v0.65' in home.text and 'rel="alternate"' in home.text
    assert home.headers["link"].endswith('/.json; rel="alternate"; type="application/json+datasette"')
    refused = run(datasette.client.post("/"))
    assert refused.status_code == 405 and "Cette action n&#39;est pas possible ici." in refused.text


def test_veille_serve_runs_a_real_server_with_accounts_from_the_secrets_file(tmp_path: Path) -> None:
    import subprocess
    import sys
    import urllib.request

    from tests.conftest import TESTS
    from tests.serving import running_desk

    root = TESTS.parent
    secrets = tmp_path / "secrets.yml"
    add = subprocess.run(
        [sys.executable, "-m", "monitor", "users", "add", "secretariat", "--role", "secretariat",
         "--password", PASSWORD, "--secrets", str(secrets), "--db", str(tmp_path / "veille.db")],
        capture_output=True, text=True, timeout=60, cwd=root, check=False,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert PASSWORD not in secrets.read_text() and "pbkdf2_sha256$" in secrets.read_text()
    with running_desk(tmp_path / "veille.db", secrets, base_url="/veille/") as url:  # behind a proxy
        home = urllib.request.urlopen(url + "/", timeout=5).read().decode()
        assert "Actualités publiées" in home and 'href="/veille/actualites"' in home
        feed = urllib.request.urlopen(url + "/actualites.atom", timeout=5)
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert f'href="{url}/actualites.atom" rel="self"' in feed.read().decode()


def test_export_html_fragment_escapes_harvested_text(desk: Any, tmp_path: Path) -> None:
    from monitor.news.export import published, render

    _, store = desk
    store.db["picks"].insert_all([
        {"story_id": "s1", "member_id": "amicale-du-nid", "action": "choisir", "summary": "Résumé <b>revu</b>.",
         "status": "publie", "published_at": "2026-11-26T10:00:00+00:00"},
        {"story_id": "s2", "member_id": "amicale-du-nid", "action": "choisir", "summary": None,
         "status": "publie", "published_at": "2026-11-26T11:00:00+00:00"},
    ])  # fmt: skip
    html = render(published(store), "html")
    assert (
        '<a href="https://example.org/s1" rel="noopener">Travail forcé : des saisonniers libérés</a>' in html
    )
    assert "Résumé &lt;b&gt;revu&lt;/b&gt;." in html
    assert "<script>" not in html and "javascript:" not in html.split("<p>")[0] and "&lt;script&gt;" in html
    assert [item["title"][:7] for item in published(store)] == ["<script", "Travail"]


def test_the_french_template_copies_are_what_the_translation_table_writes() -> None:
    """A Datasette upgrade or a hand edit of a copy shows here: rerun translate_templates.py."""
    from monitor.datasette.translate import translate_templates as copies

    for name in copies.TRANSLATIONS:
        written = (copies.TARGET / copies.COPIES.get(name, name)).read_text(encoding="utf-8")
        assert written == copies.translate(name, (copies.SOURCE / name).read_text(encoding="utf-8")), name
        assert "Log out" not in written and "Search:" not in written and "This data as" not in written


def test_the_nights_journal_is_the_secretariats_and_the_rota_calendar_is_public(desk: Any) -> None:
    datasette, store = desk
    store.db["nights"].insert({"started_at": "2026-11-30T03:15:00+00:00", "status": "failed",
                               "stages": '[{"name": "actualités", "status": "failed", "error": "RuntimeError: x"}]'})  # fmt: skip

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        assert (await datasette.client.get("/veille/journal_des_nuits", cookies=member)).status_code == 403
        for page in ("/veille/outbox", "/veille/nights"):
            assert (await datasette.client.get(page, cookies=member)).status_code == 403, page
        assert "Journal des nuits" not in (await datasette.client.get("/", cookies=member)).text
        secretariat = await login(datasette, "secretariat")
        page = await datasette.client.get("/veille/journal_des_nuits", cookies=secretariat)
        assert page.status_code == 200 and "Actualités : échec, la lecture des sources" in page.text
        assert "<summary>détails techniques</summary><pre>RuntimeError: x</pre>" in page.text
        assert "Terminée avec des erreurs" in page.text and "30/11/2026 04:15" in page.text
        calendar = await datasette.client.get("/rota.ics")
        assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
        assert "SUMMARY:Veille : Amicale du Nid" in calendar.text

    run(scenario())
