"""The triage desk through Datasette's test client: who may read, pick, review and publish."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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
    return {**cookies, "ds_actor": response.cookies["ds_actor"]}


async def post_query(
    datasette: Any, query: str, data: dict[str, str], cookies: dict[str, str] | None, csrf: bool = True
) -> Any:
    if cookies and csrf:
        page = await datasette.client.get(f"/veille/{query}", cookies=cookies)
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
        data = {**data, "csrftoken": token.group(1) if token else ""}
    return await datasette.client.post(f"/veille/{query}", data=data, cookies=cookies or {})


async def pick_first_story(datasette: Any, category: str = "") -> dict[str, str]:
    """The association on duty picks story s1; returns its cookies."""
    on_duty = await login(datasette, "amicale-du-nid")
    data = {"story_id": "s1", "summary": "Quinze saisonniers libérés.", "category": category}
    assert (await post_query(datasette, "choisir", data, on_duty)).status_code == 302
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
        assert (await datasette.client.get("/veille/a_trier")).status_code == 403
        assert (await datasette.client.get("/veille/stories")).status_code == 403
        assert (await datasette.client.get("/veille?sql=select+1")).status_code == 403
        response = await post_query(datasette, "choisir", {"story_id": "s1", "summary": "x"}, None)
        assert response.status_code == 403

    run(scenario())
    assert statuses(store) == []


def test_only_the_association_on_duty_and_the_secretariat_pick(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        off_duty = await login(datasette, "fondation-scelles")
        response = await post_query(
            datasette, "choisir", {"story_id": "s1", "summary": "Résumé", "category": ""}, off_duty
        )
        assert response.status_code == 403
        assert (await datasette.client.get("/veille/a_trier", cookies=off_duty)).status_code == 200
        on_duty = await login(datasette, "amicale-du-nid")
        response = await post_query(
            datasette,
            "choisir",
            {"story_id": "s1", "summary": "Quinze saisonniers libérés.", "category": "justice"},
            on_duty,
        )
        assert response.status_code == 302
        secretariat = await login(datasette, "secretariat")
        response = await post_query(datasette, "signaler", {"story_id": "s2"}, secretariat)
        assert response.status_code == 302

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "propose"), ("s2", "secretariat", "signale")]


def test_only_the_secretariat_reviews_and_publishes_and_the_atom_feed_carries_it(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        on_duty = await pick_first_story(datasette)
        assert (
            await post_query(datasette, "accepter", {"pick_id": "1", "summary": ""}, on_duty)
        ).status_code == 403
        assert (await post_query(datasette, "publier", {"pick_id": "1"}, on_duty)).status_code == 403
        secretariat = await login(datasette, "secretariat")
        assert (
            await post_query(datasette, "accepter", {"pick_id": "1", "summary": "Résumé revu."}, secretariat)
        ).status_code == 302
        assert (await post_query(datasette, "publier", {"pick_id": "1"}, secretariat)).status_code == 302
        atom = await datasette.client.get("/actualites.atom")
        assert atom.status_code == 200 and "application/atom+xml" in atom.headers["content-type"]
        assert "Travail forcé : des saisonniers libérés" in atom.text and "Résumé revu." in atom.text
        published = (await datasette.client.get("/actualites.json")).json()["items"]
        assert [(i["title"], i["url"]) for i in published] == [
            ("Travail forcé : des saisonniers libérés", "https://example.org/s1")
        ]

    run(scenario())
    assert statuses(store) == [("s1", "amicale-du-nid", "publie")]


def test_a_pick_keeps_its_turn_when_the_rota_changes(desk: Any) -> None:
    datasette, store = desk
    start = store.db.execute("select start from duty").fetchone()[0]

    async def scenario() -> list[dict[str, Any]]:
        await pick_first_story(datasette)
        assert "À trier</a> : 1 histoire(s) en attente" in (await datasette.client.get("/")).text
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


def test_writes_need_the_csrf_token(desk: Any) -> None:
    datasette, store = desk

    async def scenario() -> None:
        on_duty = await login(datasette, "amicale-du-nid")
        response = await post_query(
            datasette, "choisir", {"story_id": "s1", "summary": "x"}, on_duty, csrf=False
        )
        assert response.status_code == 403
        response = await post_query(
            datasette, "choisir", {"story_id": "s1", "summary": "x", "csrftoken": "faux"}, on_duty, csrf=False
        )
        assert response.status_code == 403

    run(scenario())
    assert statuses(store) == []


def test_harvested_markup_is_shown_as_inert_text(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        cookies = await login(datasette, "amicale-du-nid")
        page = await datasette.client.get("/veille/a_trier", cookies=cookies)
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert" in page.text
        assert 'href="javascript:' not in page.text

    run(scenario())


def test_queue_says_why_in_plain_words(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        cookies = await login(datasette, "amicale-du-nid")
        rows = (await datasette.client.get("/veille/a_trier.json?_shape=objects", cookies=cookies)).json()[
            "rows"
        ]
        assert [(r["histoire"], r["pourquoi"]) for r in rows] == [("s1", "Travail forcé"), ("s2", None)]
        page = (await datasette.client.get("/veille/a_trier", cookies=cookies)).text
        assert "Résultat : 2 lignes" in page and 'type="submit"' not in page

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


def test_pick_form_speaks_french_and_shows_the_story(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        cookies = await login(datasette, "amicale-du-nid")
        page = (await datasette.client.get("/veille/choisir?story_id=s1", cookies=cookies)).text
        assert "Travail forcé : des saisonniers libérés" in page and 'href="https://example.org/s1"' in page
        assert '<input type="hidden" name="story_id" value="s1">' in page
        assert re.search(r"<textarea [^>]*name=\"summary\"[^>]* required>", page)
        assert "Votre résumé pour le site" in page and "<option>Procès et justice</option>" in page
        assert 'value="Proposer au secrétariat"' in page
        assert ">story_id<" not in page and ">summary<" not in page and "Query parameters" not in page
        # A harvested title with markup and a javascript: address stays inert on the form too.
        page = (await datasette.client.get("/veille/choisir?story_id=s2", cookies=cookies)).text
        assert "&lt;script&gt;alert" in page and "<script>alert" not in page
        assert 'href="javascript:' not in page
        page = (await datasette.client.get("/veille/choisir?story_id=inconnue", cookies=cookies)).text
        assert "n'existe pas (ou plus)" in page

    run(scenario())


def test_review_form_shows_the_pick_and_prefills_its_summary(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        await pick_first_story(datasette, category="Procès et justice")
        secretariat = await login(datasette, "secretariat")
        page = (await datasette.client.get("/veille/accepter?pick_id=1", cookies=secretariat)).text
        assert "Choix de :</strong> Amicale du Nid" in page and "Procès et justice" in page
        assert re.search(r'<textarea [^>]*name="summary"[^>]*>Quinze saisonniers libérés.</textarea>', page)
        page = (await datasette.client.get("/veille/refuser?pick_id=1", cookies=secretariat)).text
        assert "Motif du refus" in page and re.search(r'<textarea [^>]*name="reason"[^>]* required>', page)

    run(scenario())


def test_pick_categories_come_from_the_configuration(tmp_path: Path) -> None:
    Store.open(tmp_path / "veille.db")
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    secrets.users["secretariat"] = {
        "password_hash": hash_password(PASSWORD, iterations=1000),
        "role": "secretariat",
    }
    secrets.save()
    datasette = build_datasette(tmp_path / "veille.db", secrets, {}, triage=TriageConfig(("Traite", "Livre")))
    fields = datasette.metadata("queries", database="veille")["choisir"]["fields"]
    assert fields["category"]["choices"] == ["Traite", "Livre"]

    async def scenario() -> None:
        cookies = await login(datasette, "secretariat")
        page = (await datasette.client.get("/veille/choisir", cookies=cookies)).text
        assert "<option>Traite</option><option>Livre</option>" in page
        assert '<input type="text" id="qp1" name="story_id" value="">' in page  # no link: type the id

    run(scenario())


def test_public_pages_are_configurable_but_never_the_writes(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "veille.db")
    store.db["stories"].insert({"id": "s1", "title": "Procès à Lyon", "relevant": 1, "score": 5.0})
    secrets = Secrets(tmp_path / "secrets.yml", cookie_secret="secret-de-test")
    triage = TriageConfig(public_pages=("publies", "rapport_liens", "stories"))
    datasette = build_datasette(tmp_path / "veille.db", secrets, {}, triage=triage)
    for path, status in (("/veille/rapport_liens", 200), ("/veille/stories", 200), ("/veille/a_trier", 403),
                         ("/veille/publies", 200), ("/veille/choisir?story_id=s1", 403)):  # fmt: skip
        assert run(datasette.client.get(path)).status_code == status, path
    response = run(datasette.client.post("/veille/choisir", data={"story_id": "s1", "summary": "x"}))
    assert response.status_code == 403 and store.db["picks"].count == 0
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
    assert "De veille cette semaine :</strong> Amicale du Nid" in page.text
    assert ">accueil</a>" in page.text and "Powered by" not in page.text  # Datasette's own words too
    assert "À trier</a> : 2 histoire(s) en attente" in page.text


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
        assert "À trier" in home and 'href="/veille/veille/a_trier"' in home
        feed = urllib.request.urlopen(url + "/actualites.atom", timeout=5)
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert f'href="{url}/actualites.atom" rel="self"' in feed.read().decode()


def test_export_html_fragment_escapes_harvested_text(desk: Any, tmp_path: Path) -> None:
    from monitor.export import published, render

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
