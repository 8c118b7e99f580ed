"""The desk after a conflict: two sessions, a stale tab, an emptied summary. A decision made on a form
that no longer matches the story is answered with what happened and by whom, and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_triage import decide, login, make_desk, run, said, statuses

CHOOSE = {"story_id": "s1", "action": "choisir", "summary": "Quinze saisonniers libérés."}
TITLE = "« Travail forcé : des saisonniers libérés »"


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    return make_desk(tmp_path)


def test_a_stale_tab_does_not_choose_a_story_dismissed_meanwhile_and_undo_tells_the_truth(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        tab_a = await login(datasette, "amicale-du-nid")
        tab_b = await login(datasette, "amicale-du-nid")  # opened before A's decision
        assert (
            await decide(datasette, tab_a, "/tri/action", {"story_id": "s1", "action": "ecarter"}, True)
        ).json()["ok"]
        stale = await decide(datasette, tab_b, "/tri/action", CHOOSE)
        assert (await said(datasette, tab_b, stale)).startswith(
            f"{TITLE} a déjà été écartée par Amicale du Nid le "
        )
        undo = await decide(datasette, tab_a, "/tri/action", {"story_id": "s1", "action": "annuler"})
        assert await said(datasette, tab_a, undo) == f"Décision annulée : {TITLE} revient dans « À trier »."
        assert TITLE[2:-2] in html_of(await datasette.client.get("/tri", cookies=tab_a))

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "annule")]


def html_of(response: Any) -> str:
    return response.text.replace("&#39;", "'")


def test_an_association_neither_overrides_nor_undoes_the_secretariats_dismissal(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")  # its tab was opened earlier
        secretariat = await login(datasette, "secretariat")
        await decide(datasette, secretariat, "/tri/action", {"story_id": "s1", "action": "ecarter"})
        alert = await decide(datasette, on_duty, "/tri/action", {"story_id": "s1", "action": "signaler"})
        assert (await said(datasette, on_duty, alert)).startswith(
            f"{TITLE} a déjà été écartée par le secrétariat le "
        )
        undo = await decide(datasette, on_duty, "/tri/action", {"story_id": "s1", "action": "annuler"})
        assert await said(datasette, on_duty, undo) == (
            f"{TITLE} a été écartée par le secrétariat : seul le secrétariat peut annuler cette décision."
        )

    run(scenario())
    assert statuses(store) == [("s1", "secretariat", "ecarte")]


def test_undo_never_says_a_story_comes_back_when_a_live_pick_keeps_it_out(desk: Any) -> None:
    """A database written before this rule may hold a dismissal and a pick at once."""
    datasette, store = desk
    store.db["picks"].insert_all([
        {"story_id": "s1", "member_id": "amicale-du-nid", "action": "ecarter", "status": "ecarte",
         "created_at": "2026-11-26T10:00:00+00:00"},
        {"story_id": "s1", "member_id": "amicale-du-nid", "action": "choisir", "status": "propose",
         "summary": "x", "created_at": "2026-11-26T11:00:00+00:00"},
    ])  # fmt: skip

    async def scenario() -> None:
        secretariat = await login(datasette, "secretariat")
        undo = await decide(datasette, secretariat, "/tri/action", {"story_id": "s1", "action": "annuler"})
        assert await said(datasette, secretariat, undo) == (
            f"{TITLE} ne revient pas dans « À trier » : elle a été choisie par Amicale du Nid le 26 nov. 2026."
        )

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "ecarte"), ("s1", "amicale-du-nid", "propose")]


def test_revue_publishes_the_summary_on_screen_and_refuses_an_empty_one(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")
        secretariat = await login(datasette, "secretariat")
        await decide(datasette, on_duty, "/tri/action", CHOOSE)
        emptied = {"pick_id": "1", "action": "accepter_publier", "summary": "  "}
        answer = await said(
            datasette, secretariat, await decide(datasette, secretariat, "/revue/action", emptied)
        )
        assert answer == f"Écrivez un résumé pour publier {TITLE} : rien n'a été publié."
        assert "<entry>" not in (await datasette.client.get("/actualites.atom")).text
        edited = {**emptied, "summary": "Résumé relu par le secrétariat."}
        answer = await said(
            datasette, secretariat, await decide(datasette, secretariat, "/revue/action", edited)
        )
        assert answer.startswith("Publié")
        feed = (await datasette.client.get("/actualites.atom")).text
        assert "Résumé relu par le secrétariat." in feed and "Quinze saisonniers" not in feed

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "publie")]


def test_messages_name_the_secretariat_and_the_refused_story(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")
        secretariat = await login(datasette, "secretariat")
        await decide(datasette, on_duty, "/tri/action", CHOOSE)
        await decide(
            datasette,
            secretariat,
            "/revue/action",
            {"pick_id": "1", "action": "refuser", "reason": "hors sujet"},
        )
        again = await decide(datasette, secretariat, "/revue/action", {"pick_id": "1", "action": "accepter"})
        assert (await said(datasette, secretariat, again)).startswith(
            f"Le choix de {TITLE} a été refusé par le secrétariat le "
        )
        stale = await decide(datasette, on_duty, "/tri/action", CHOOSE)
        assert (await said(datasette, on_duty, stale)).startswith(
            f"Le choix de {TITLE} a déjà été refusé par le secrétariat le "
        )

    run(scenario())
