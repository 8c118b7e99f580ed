"""The desk under attack, through Datasette's test client: nothing secret is served, public pages show
only what is public, expected errors are cheap and French, guessing passwords is slowed down."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.test_triage import PASSWORD, login, make_desk, pick_first_story, run


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    return make_desk(tmp_path)


ANONYMOUS_AND_MEMBER_PAGES = [
    "/-/metadata", "/-/metadata.json", "/-/plugins.json", "/-/settings.json", "/-/config.json", "/-/config",
    "/-/actor.json", "/-/versions.json", "/-/databases.json", "/-/threads.json", "/-/permissions",
    "/-/messages", "/-/allow-debug", "/-/patterns", "/-/auth-token", "/-/password-tool", "/-/login",
    "/-/logout", "/.json", "/veille.json",
]  # fmt: skip


def needles(datasette: Any, tmp_path: Path) -> list[str]:
    """What must never appear: every hash and its salt, the cookie secret, the secrets file."""
    from monitor.yaml_input import load_yaml

    secrets = load_yaml((tmp_path / "secrets.yml").read_text(encoding="utf-8"))
    hashes = [user["password_hash"] for user in secrets["users"].values()]
    return [
        *hashes,
        *(h.split("$")[2] for h in hashes),
        secrets["cookie_secret"],
        "secrets.yml",
        "password_hash",
    ]


def test_no_page_or_json_serves_a_hash_a_secret_or_the_secrets_file(desk: Any, tmp_path: Path) -> None:
    datasette, _ = desk
    secret = needles(datasette, tmp_path)

    async def scenario() -> None:
        member = await login(datasette, "fondation-scelles")
        # Every table and page the secretariat reads (an association is refused most of them).
        secretariat = await login(datasette, "secretariat")
        database = (await datasette.client.get("/veille.json", cookies=secretariat)).json()
        pages = [*ANONYMOUS_AND_MEMBER_PAGES]
        pages += [f"/veille/{t['name']}.json" for t in database["tables"]]
        pages += [f"/veille/{q['name']}.json" for q in database["queries"]]
        assert len(pages) > 40
        for cookies in (None, member):
            for page in pages:
                response = await datasette.client.get(page, cookies=cookies)
                found = [s for s in secret if s in response.text]
                assert not found, (page, cookies is not None, found)
        for page in ("/-/metadata.json", "/-/plugins.json", "/-/settings.json", "/-/actor.json"):
            assert (await datasette.client.get(page, cookies=member)).status_code == 404

    run(scenario())


def test_a_public_page_shows_only_published_items_whatever_its_parameters(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        await pick_first_story(datasette)  # a pick waiting for the secretariat: not published
        for query in ("pick_id=1", "story_id=s1", "pick_id=1&story_id=s1"):
            for suffix in ("", ".json"):
                page = await datasette.client.get(f"/veille/publies{suffix}?{query}")
                assert page.status_code == 200
                assert "saisonniers" not in page.text and "Quinze" not in page.text, (query, suffix)
                assert "Amicale du Nid" not in page.text

    run(scenario())


def test_expected_errors_are_french_one_log_line_and_no_traceback(
    desk: Any, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        for path in ("/nulle-part", "/a/b/c/d/e", "/veille/nulle-part", "/-/metadata.json"):
            response = await datasette.client.get(path)
            assert response.status_code == 404 and "Page introuvable" in response.text, path
        member = await login(datasette, "fondation-scelles")
        forbidden = await datasette.client.get("/veille/journal_des_nuits", cookies=member)
        assert forbidden.status_code == 403 and "Accès refusé" in forbidden.text
        assert "Forbidden" not in forbidden.text and "permission" not in forbidden.text
        assert (await datasette.client.get("/veille/stories.json")).json()["status"] == 403

    with caplog.at_level(logging.INFO, logger="veille.desk"):
        run(scenario())
    assert [r.getMessage() for r in caplog.records if r.name == "veille.desk"][:2] == [
        "GET /nulle-part → 404",
        "GET /a/b/c/d/e → 404",
    ]
    printed = capfd.readouterr()
    assert "Traceback" not in printed.out + printed.err


def test_password_guessing_is_slowed_down_and_logged(desk: Any, caplog: pytest.LogCaptureFixture) -> None:
    datasette, _ = desk

    async def attempt(username: str, password: str) -> Any:
        form = await datasette.client.get("/-/login")
        token = form.text.split('name="csrftoken" value="', 1)[1].split('"', 1)[0]
        return await datasette.client.post(
            "/-/login",
            data={"username": username, "password": password, "csrftoken": token},
            cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]},
        )

    async def scenario() -> None:
        wrong = await attempt("secretariat", "devine")
        assert wrong.status_code == 403 and "Identifiant ou mot de passe incorrect" in wrong.text
        for _ in range(4):
            await attempt("secretariat", "devine")
        # Five failures: even the right password waits now, and says so in French.
        blocked = await attempt("secretariat", PASSWORD)
        assert blocked.status_code == 429 and "Trop de tentatives de connexion" in blocked.text
        assert "veille_session" not in blocked.cookies
        # Another account from the same address is not blocked by this (an office shares one).
        assert (await login(datasette, "amicale-du-nid"))["veille_session"]

    with caplog.at_level(logging.WARNING, logger="veille.login"):
        run(scenario())
    lines = [r.getMessage() for r in caplog.records if r.name == "veille.login"]
    assert lines.count("échec de connexion : compte 'secretariat' depuis adresse:127.0.0.1") == 5
    assert "connexion refusée (trop d'essais) : compte 'secretariat' depuis adresse:127.0.0.1" in lines


def test_password_checks_run_off_the_event_loop(desk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from datasette.plugins import pm

    datasette, _ = desk
    threads: list[int] = []
    # Datasette loads the plugins of its folder as modules of their own: patch the one it loaded.
    module = next(m for m in pm.get_plugins() if getattr(m, "__name__", "") == "veille_login.py")
    real = module.verify_password

    def recording(password: str, password_hash: str) -> bool:
        threads.append(threading.get_ident())
        return real(password, password_hash)

    monkeypatch.setattr(module, "verify_password", recording)

    async def scenario() -> int:
        await login(datasette, "secretariat")
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    assert threads and all(t != loop_thread for t in threads)


def test_associations_do_not_read_contact_addresses_or_run_statistics(desk: Any) -> None:
    datasette, store = desk
    store.db["members"].update("fondation-scelles", {"contact_email": "veille@scelles.example"})
    store.db["runs"].insert(
        {"kind": "links", "mode": "full", "status": "ok", "stats": '{"to": "veille@scelles.example"}'}
    )

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        secretariat = await login(datasette, "secretariat")
        for page in (
            "/veille/members",
            "/veille/members.json",
            "/veille/runs.json",
            "/veille/link_checks.json?_labels=on",
        ):
            answer = await datasette.client.get(page, cookies=member)
            assert "veille@scelles.example" not in answer.text, page
        assert (await datasette.client.get("/veille/members.json", cookies=member)).status_code == 403
        assert (await datasette.client.get("/veille/runs.json", cookies=member)).status_code == 403
        full = await datasette.client.get("/veille/members.json?_shape=array", cookies=secretariat)
        assert "veille@scelles.example" in full.text

    run(scenario())


def test_the_tables_pointing_at_a_row_are_not_published_in_json(desk: Any) -> None:
    """Datasette's `_extras=foreign_key_tables` would count the rows of every table pointing at a row,
    `article_sources` among them, which an association may not open; the row's page lists only what
    the reader may open."""
    datasette, store = desk
    source = "flux-1"
    store.db["sources"].insert(
        {"id": source, "name": "Flux", "url": "https://example.org/flux.xml", "kind": "feed"}
    )
    store.db["articles"].insert(
        {"id": "a1", "url": "https://example.org/a1", "title": "Un article", "story_id": "s1"}
    )
    store.db["article_sources"].insert({"article_id": "a1", "source_id": source, "first_seen": "2026-12-01"})

    async def scenario() -> None:
        member = await login(datasette, "amicale-du-nid")
        assert (await datasette.client.get("/veille/article_sources.json", cookies=member)).status_code == 403
        for role in ("amicale-du-nid", "secretariat"):
            cookies = await login(datasette, role)
            for row in ("/veille/articles/a1", "/veille/stories/s1"):
                extras = await datasette.client.get(f"{row}.json?_extras=foreign_key_tables", cookies=cookies)
                assert extras.status_code == 400 and "article_sources" not in extras.text, (role, row)
                assert extras.json()["error"].startswith("Le bureau de tri ne publie pas les liens")
                plain = await datasette.client.get(f"{row}.json", cookies=cookies)
                assert plain.status_code == 200 and "foreign_key_tables" not in plain.json()
            page = await datasette.client.get("/veille/articles/a1", cookies=cookies)
            assert page.status_code == 200
            assert ("article_sources" in page.text) is (role == "secretariat"), role

    run(scenario())
