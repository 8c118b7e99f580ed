"""The desk's pages around the triage: the public « Actualités publiées » (`/actualites`, the fragment
`veille export` writes: title, French date, summary, source link), the backlink report (`/liens`),
the guides (`/aide`), and error pages in French for a logged-in visitor."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_triage import make_desk, run

PUBLISHED = [
    {"story_id": "s1", "member_id": "amicale-du-nid", "action": "choisir", "summary": "Résumé <b>revu</b>.",
     "status": "publie", "published_at": "2026-11-26T23:30:00+00:00"},
    {"story_id": "s2", "member_id": "amicale-du-nid", "action": "choisir", "summary": "Une alerte résumée.",
     "status": "publie", "published_at": "2026-11-20T11:00:00+00:00"},
]  # fmt: skip


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    return make_desk(tmp_path)


def visible_text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_the_public_news_page_is_the_export_fragment_with_french_dates(desk: Any) -> None:
    from monitor.news.export import published, render

    datasette, store = desk
    store.db["picks"].insert_all(PUBLISHED)
    page = run(datasette.client.get("/actualites"))  # anonymous
    assert page.status_code == 200
    assert render(published(store), "html") in page.text
    text = visible_text(page.text)
    # 23:30 UTC on 26 November is 27 November in Paris.
    assert "27 nov. 2026" in text and "20 nov. 2026" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text) and "atom_" not in page.text
    assert (
        '<a href="https://example.org/s1" rel="noopener">Travail forcé : des saisonniers libérés</a>'
        in page.text
    )
    assert "Résumé &lt;b&gt;revu&lt;/b&gt;." in page.text and "javascript:alert" not in page.text
    assert 'href="/actualites"' in run(datasette.client.get("/")).text


def test_the_public_news_page_says_when_nothing_is_published(desk: Any) -> None:
    datasette, _ = desk
    page = run(datasette.client.get("/actualites"))
    assert page.status_code == 200 and "Aucune actualité publiée pour le moment." in page.text


def test_the_backlink_report_is_served_to_the_secretariat_only(tmp_path: Path) -> None:
    from monitor.config import load_config
    from monitor.serve import Secrets, build_datasette
    from monitor.store import Store
    from tests.conftest import TESTS
    from tests.test_triage import login

    config = load_config(TESTS / "config")
    Store.open(tmp_path / "veille.db").sync_members(config.members)
    make_desk(tmp_path)  # the accounts and the secrets file
    datasette = build_datasette(
        tmp_path / "veille.db",
        Secrets.load(tmp_path / "secrets.yml"),
        {},
        config_file=TESTS / "config" / "config.yml",
    )

    async def scenario() -> None:
        assert (await datasette.client.get("/liens")).status_code == 302  # anonymous: log in
        member = await login(datasette, "amicale-du-nid")
        assert (await datasette.client.get("/liens", cookies=member)).status_code == 403
        secretariat = await login(datasette, "secretariat")
        page = await datasette.client.get("/liens", cookies=secretariat)
        assert page.status_code == 200 and "Liens vers le site du" in page.text
        assert "À faire : messages à envoyer" in page.text
        assert 'href="/liens"' in (await datasette.client.get("/", cookies=secretariat)).text

    run(scenario())


def test_the_guides_are_served_in_french_from_docs_guides(desk: Any) -> None:
    datasette, _ = desk
    index = run(datasette.client.get("/aide"))
    assert index.status_code == 200 and 'href="/aide/association"' in index.text
    assert 'href="/aide"' in run(datasette.client.get("/")).text  # « Aide » in the menu
    guide = run(datasette.client.get("/aide/association")).text
    assert "<h1>Guide de l'association de veille</h1>" in guide and "<kbd>j</kbd>" in guide
    assert '<img src="/aide/images/2-a-trier.png"' in guide
    assert run(datasette.client.get("/aide/inconnu")).status_code == 404
    assert run(datasette.client.get("/aide/images/..%2Fsecrets.png")).status_code != 200


def test_a_bad_parameter_is_a_french_error_for_the_logged_in_visitor(desk: Any) -> None:
    from tests.test_triage import login

    datasette, _ = desk

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        for path in ("/veille/stories?_sort=nope", "/veille/stories?_sort_desc=nope"):
            page = await datasette.client.get(path, cookies=member)
            assert page.status_code == 400, path
            assert "Impossible de trier par « nope »" in page.text and "Cannot sort" not in page.text
            assert "Se déconnecter" in page.text and "Se connecter<" not in page.text

    run(scenario())


def test_the_canned_pages_show_french_words_names_and_dates_not_codes(desk: Any) -> None:
    from tests.test_triage import decide, login

    datasette, _ = desk

    async def scenario() -> None:
        secretariat = await login(datasette, "secretariat")
        await decide(datasette, secretariat, "/tri/action", {"story_id": "s1", "action": "ecarter"})
        await decide(datasette, secretariat, "/tri/action", {"story_id": "s1", "action": "annuler"})
        page = await datasette.client.get("/veille/historique", cookies=secretariat)
        cells = " ".join(re.findall(r"<td[^>]*>(.*?)</td>", page.text, re.S))
        assert "le secrétariat" in cells and "secretariat" not in cells.replace("secrétariat", "")
        assert not re.search(r"\b(ecarter|ecarte|annule)\b", cells), cells
        assert not re.search(r"\d{4}-\d{2}-\d{2}", cells), cells

    run(scenario())


def test_table_filters_name_their_operators_in_french(desk: Any) -> None:
    from tests.test_triage import login

    datasette, _ = desk

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        page = (await datasette.client.get("/veille/stories", cookies=member)).text
        options = re.findall(r'<option value="[a-z]+(?:__1)?"[^>]*>([^<]*)</option>', page)
        assert "commence par" in options and "n'a pas de valeur" in [html.unescape(o) for o in options]
        english = {"contains", "starts with", "ends with", "is null", "is not null", "not like", "in"}
        assert not english & set(options), options

    run(scenario())


def test_a_row_page_is_titled_in_french_with_a_french_date(desk: Any) -> None:
    from tests.test_triage import login

    datasette, store = desk
    start = store.db.execute("select start from duty").fetchone()[0]

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        page = (await datasette.client.get(f"/veille/duty/{start}", cookies=member)).text
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
        assert "duty" not in title and start not in title and "style" not in page.split("<h1", 1)[1][:10], (
            title
        )

    run(scenario())
