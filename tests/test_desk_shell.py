"""The Datasette shell around the desk: the secretariat's technical pages stay the secretariat's,
the header names people, errors speak French, the nights' journal reads as sentences, rows are
titled by what they are about."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from monitor.desk.headings import row_heading, sql_error_fr
from monitor.desk.journal import journal_html, stage_line
from tests.test_desk_walk import visible
from tests.test_triage import login, make_desk, run

# Pages only the secretariat's technical work needs: raw tables, SQL, the database file.
TECHNICAL_PAGES = (
    "/veille/link_check_cache", "/veille/site_pages", "/veille/_sqlite_migrations", "/veille/stories_fts",
    "/veille/stories_fts_config", "/veille/relevance_models", "/veille/rejections", "/veille/article_sources",
    "/veille/pick_categories", "/veille/runs", "/veille/nights.json", "/veille/outbox.csv",
    "/veille/link_check_cache.json", "/veille/site_findings.csv", "/veille/_sqlite_migrations.json?_shape=array",
    "/veille?sql=select+1", "/veille.json?sql=select+1", "/veille/stories?_where=1%3D1", "/veille.db",
    "/veille/journal_des_nuits", "/veille/journal_des_nuits.json",
)  # fmt: skip


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    datasette, store = make_desk(tmp_path)
    night = store.start_night("2026-12-01T02:00:00+00:00")
    store.record_stages(night, [
        {"name": "liens", "status": "ok", "counts": {"run": 3, "sites": 2, "linked": 1}, "error": None},
        {"name": "actualités", "status": "failed", "counts": {},
         "error": "TimeoutError: `twisted.internet.error.TimeoutError` User timeout caused connection failure"},
    ])  # fmt: skip
    store.finish_night(night, "failed", "2026-12-01T02:10:00+00:00")
    return datasette, store


def test_an_association_reaches_no_technical_page_and_sees_no_sql(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        member, secretariat = await login(datasette, "amicale-du-nid"), await login(datasette, "secretariat")
        for path in TECHNICAL_PAGES:
            refused = await datasette.client.get(path, cookies=member)
            assert refused.status_code == 403, path
            text = refused.text if path.split("?")[0].endswith(".json") else visible(refused.text)
            assert "Vous n'avez pas accès à cette page" in html.unescape(
                json.loads(text)["error"] if text.startswith("{") else text
            ), path
            if path != "/veille.db":  # Datasette serves no copy of a mutable database, to anyone
                assert (await datasette.client.get(path, cookies=secretariat)).status_code == 200, path
        # A filter through a table the association may not read is refused too (Datasette checks it).
        through = '/veille/articles?_through={"table":"article_sources","column":"title","value":"x"}'
        assert (await datasette.client.get(through, cookies=member)).status_code == 403
        for path in ("/veille/stories", "/veille/picks", "/veille", "/veille/rechercher?q=saisonniers&_show_sql=1",
                     "/veille/historique?_show_sql=1", "/veille/stories/s1"):  # fmt: skip
            page = (await datasette.client.get(path, cookies=member)).text
            technical = (
                "CREATE TABLE",
                "from stories",
                "?sql=",
                "Modifier le SQL",
                "Requête SQL",
                "story_id, member",
            )
            shown = visible(page) + " ".join(re.findall(r'href="([^"]*)"', page))
            assert [words for words in technical if words in shown] == [], path
        for path in ("/veille/stories", "/veille/historique?_show_sql=1"):
            page = (await datasette.client.get(path, cookies=secretariat)).text
            assert "CREATE TABLE" in page or "from picks" in page, path

    run(scenario())


def test_the_header_names_the_person_not_the_account(desk: Any) -> None:
    datasette, _ = desk

    async def header(user: str) -> str:
        page = (await datasette.client.get("/", cookies=await login(datasette, user))).text
        return visible(re.search(r'<div class="actor">(.*?)</div>', page, re.S).group(1))

    # make_desk gives the desk no name for them: the members table's, and the secretariat's role.
    assert run(header("amicale-du-nid")) == "Amicale du Nid Se déconnecter"
    assert run(header("fondation-scelles")) == "Fondation Scelles Se déconnecter"


def test_errors_are_french_and_the_header_knows_who_is_logged_in(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        for path, said in (
            ("/veille/stories?_sort=nope", "Impossible de trier par « nope »"),
            ("/veille/stories?_sort_desc=nope", "Impossible de trier par « nope »"),
            ("/veille/stories?_size=-1", "doit être positif"),
        ):
            page = await datasette.client.get(path, cookies=member)
            text = visible(page.text)
            assert page.status_code == 400 and said in text and "Cannot" not in text, text
            assert "Amicale du Nid Se déconnecter" in text and "Se connecter" not in text
        shape = await datasette.client.get("/veille/stories.json?_shape=nope", cookies=member)
        assert shape.status_code == 400 and shape.json()["error"].startswith(
            "Forme de JSON inconnue : « nope »"
        )
        secretariat = await login(datasette, "secretariat")
        sql = visible((await datasette.client.get("/veille?sql=select+nope", cookies=secretariat)).text)
        assert "Erreur dans la requête SQL : colonne inconnue : nope" in sql and "no such column" not in sql

    run(scenario())


def test_the_nights_journal_reads_as_french_sentences_with_the_raw_error_tucked_away(desk: Any) -> None:
    datasette, _ = desk
    secretariat = run(login(datasette, "secretariat"))
    page = run(datasette.client.get("/veille/journal_des_nuits", cookies=secretariat)).text
    text = visible(re.sub(r"<details>.*?</details>", "", page, flags=re.S))
    assert "Liens vers le Collectif : fait (2 sites vérifiés, 1 avec un lien visible)." in text
    assert "Actualités : échec, la lecture des sources d'actualité n'a pas abouti" in text
    assert "`" not in text and "TimeoutError" not in text and "failed" not in text, text
    assert re.search(r"<details><summary>détails techniques</summary><pre>TimeoutError: `twisted", page)


def test_row_pages_are_titled_by_what_the_row_is_about(desk: Any) -> None:
    datasette, store = desk
    store.db["stories"].update("s1", {"id": "070fe9c1d2"})
    store.db["stories"].insert(
        {"id": "s1", "title": "Travail forcé : des saisonniers libérés", "relevant": 1}
    )
    member = run(login(datasette, "amicale-du-nid"))
    found = run(datasette.client.get("/veille/rechercher?q=saisonniers", cookies=member)).text
    assert "070fe9c1d2" not in visible(found) and 'href="/veille/stories/070fe9c1d2">voir</a>' in found
    listed = run(datasette.client.get("/veille/stories", cookies=member)).text  # its key is a hash too
    assert "070fe9c1d2" not in visible(listed) and 'href="/veille/stories/070fe9c1d2">voir</a>' in listed
    page = run(datasette.client.get("/veille/stories/s1", cookies=member)).text
    assert "<title>Travail forcé : des saisonniers libérés</title>" in page
    assert "par story_id" not in page and "dans « Choix et alertes » (Histoire)" in page
    assert "Vu pour la dernière fois" in page and "last_seen" not in visible(page)


def test_headings_and_sql_errors_in_words() -> None:
    names = {"amicale-du-nid": "Amicale du Nid"}
    pick = {"id": 1, "action": "choisir", "member_id": "amicale-du-nid", "story_title": "Procès à Lyon"}
    assert row_heading("picks", "Choix et alertes", pick, names) == "Choix (Amicale du Nid) : Procès à Lyon"
    dismissal = {**pick, "action": "ecarter", "member_id": "secretariat"}
    assert (
        row_heading("picks", "Choix et alertes", dismissal, names)
        == "Écartée (le secrétariat) : Procès à Lyon"
    )
    turn = {"start": "2026-11-30", "end": "2026-12-06", "member_id": "amicale-du-nid"}
    assert (
        row_heading("duty", "Roulement", turn, names)
        == "Tour de veille : Amicale du Nid, du 30 nov. 2026 au 6 déc. 2026"
    )
    assert row_heading("sources", "Sources", {"id": "x", "name": "Le Monde"}, names) == "Le Monde"
    assert (
        sql_error_fr('near "selec": syntax error')
        == "Erreur dans la requête SQL : erreur de syntaxe près de « selec »"
    )
    assert sql_error_fr("no such table: nope") == "Erreur dans la requête SQL : table inconnue : nope"
    assert (
        stage_line({"name": "avis", "status": "ok", "counts": {"messages": 1}})
        == "Messages : fait (1 message)."
    )
    assert journal_html("not json") == "—"


def test_private_pages_are_marked_by_a_drawn_padlock_with_a_french_label(desk: Any) -> None:
    """Datasette's 🔒 emoji is an empty box without an emoji font (the guides' screenshots)."""
    datasette, _ = desk

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        for path in ("/veille", "/veille/stories", "/veille/stories/s1", "/veille/historique"):
            page = (await datasette.client.get(path, cookies=member)).text
            assert "🔒" not in page, path
            assert 'aria-label="réservé aux personnes connectées"' in page, path

    run(scenario())


def test_a_site_finding_about_a_member_is_titled_by_the_members_name() -> None:
    row = {"run_id": 2, "code": "member_not_linked", "subject": "amicale-du-nid",
           "label": "Association membre sans lien depuis le site"}  # fmt: skip
    names = {"amicale-du-nid": "Amicale du Nid"}
    assert row_heading("site_findings", "Constats de l'audit", row, names) == (
        "Association membre sans lien depuis le site : Amicale du Nid"
    )
    other = {
        **row,
        "code": "broken_external_link",
        "subject": "https://x.test/",
        "label": "Lien externe cassé",
    }
    assert (
        row_heading("site_findings", "Constats de l'audit", other, names)
        == "Lien externe cassé : https://x.test/"
    )
