"""The desk's log-in under pressure: parallel guesses, huge names, and where a log-in lands."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from monitor.desk_login import loggable_name, safe_next
from monitor.desk_sessions import AttemptLog
from monitor.passwords import LoginThrottle
from monitor.serve import Secrets, build_datasette
from tests.test_triage import PASSWORD, make_desk, run


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    return make_desk(tmp_path)


async def attempt(datasette: Any, username: str, password: str, next_path: str = "") -> Any:
    form = await datasette.client.get("/-/login")
    token = form.text.split('name="csrftoken" value="', 1)[1].split('"', 1)[0]
    return await datasette.client.post(
        "/-/login",
        data={"username": username, "password": password, "csrftoken": token, "next": next_path},
        cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]},
    )


def login_module() -> Any:
    from datasette.plugins import pm

    return next(m for m in pm.get_plugins() if getattr(m, "__name__", "") == "veille_login.py")


def test_parallel_guesses_get_at_most_five_checks(desk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    datasette, _ = desk
    module = login_module()
    real, checks = module.verify_password, []

    def counting(password: str, password_hash: str) -> bool:
        checks.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(module, "verify_password", counting)

    async def scenario() -> list[int]:
        answers = await asyncio.gather(*(attempt(datasette, "secretariat", "devine") for _ in range(40)))
        right = await attempt(datasette, "secretariat", PASSWORD)
        return [a.status_code for a in answers] + [right.status_code]

    statuses = run(scenario())
    assert len(checks) == 5
    assert statuses.count(403) == 5 and statuses.count(429) == 36  # the right password waits too


def test_the_throttle_counts_before_the_check_and_forgets_the_oldest_keys() -> None:
    throttle = LoginThrottle(attempts=2, window_s=60, max_keys=3)
    assert throttle.attempt(["compte:a"], 0) == 0 and throttle.attempt(["compte:a"], 1) == 0
    assert throttle.attempt(["compte:a"], 2) == 58  # counted before any check: the third waits
    for name in "bcd":
        throttle.attempt([f"compte:{name}"], 3)
    assert list(throttle.tries) == ["compte:b", "compte:c", "compte:d"]
    assert throttle.attempt(["compte:a"], 61) == 0  # out of the window
    throttle.refund("compte:a")
    assert throttle.wait_s(["compte:a"], 62) == 0


def test_a_restarted_desk_still_counts_the_failed_log_ins(tmp_path: Path) -> None:
    """Five wrong passwords, then the desk restarts (a new server on the same files): the account
    still waits, and says so; another account logs in, which gives its address its attempt back."""
    datasette, _ = make_desk(tmp_path)

    async def guesses() -> list[int]:
        return [(await attempt(datasette, "secretariat", "devine")).status_code for _ in range(5)]

    assert run(guesses()) == [403] * 5

    def restarted() -> Any:
        return build_datasette(tmp_path / "veille.db", Secrets.load(tmp_path / "secrets.yml"), {})

    async def after_restart() -> tuple[Any, Any]:
        again = restarted()
        return await attempt(again, "secretariat", PASSWORD), await attempt(again, "amicale-du-nid", PASSWORD)

    blocked, other = run(after_restart())
    assert blocked.status_code == 429 and "Trop de tentatives de connexion" in blocked.text
    assert other.status_code == 302 and other.cookies.get("veille_session")
    kept = AttemptLog(tmp_path / "secrets.yml.sessions", 15 * 60).recent(time.time())
    assert sorted(key for key, _ in kept) == ["adresse:127.0.0.1"] * 5 + ["compte:secretariat"] * 5


def test_the_attempt_log_forgets_refunds_and_drops_what_left_the_window(tmp_path: Path) -> None:
    kept = AttemptLog(tmp_path / "secrets.yml.sessions", window_s=60)
    kept.add(["compte:a", "adresse:x"], 100)
    kept.add(["compte:a", "adresse:x"], 130)
    kept.add(["compte:b", "adresse:x"], 150)
    kept.logged_in("compte:a", "adresse:x")  # every attempt of the account, the address's last (150)
    assert kept.recent(155) == [("adresse:x", 100.0), ("adresse:x", 130.0), ("compte:b", 150.0)]
    kept.add(["compte:c"], 170)  # 100 is out of the window now, and deleted
    assert kept.recent(0) == [("adresse:x", 130.0), ("compte:b", 150.0), ("compte:c", 170.0)]
    assert (tmp_path / "secrets.yml.sessions").stat().st_mode & 0o777 == 0o600


def test_huge_names_are_refused_early_and_logged_short(desk: Any, caplog: pytest.LogCaptureFixture) -> None:
    datasette, _ = desk

    async def scenario() -> tuple[list[Any], list[Any]]:
        huge = [await attempt(datasette, "x" * 2_000_000 + str(n), "devine") for n in range(3)]
        long = [await attempt(datasette, "y" * 150 + str(n), "devine") for n in range(3)]
        return huge, long

    with caplog.at_level(logging.WARNING, logger="veille.login"):
        huge, long = run(scenario())
    assert {a.status_code for a in huge} == {413} and "trop volumineuse" in huge[0].text
    assert {a.status_code for a in long} == {400} and "trop long" in long[0].text
    lines = [r.getMessage() for r in caplog.records if r.name == "veille.login"]
    assert len(lines) == 3 and all(len(line) < 200 for line in lines)
    throttles = login_module().THROTTLES.get(datasette)
    assert throttles is None or not any(len(k) > 200 for t in throttles for k in t.tries)


def test_a_log_in_lands_on_the_page_the_link_named(desk: Any) -> None:
    datasette, _ = desk

    async def scenario() -> None:
        for link in ("/veille/journal_des_nuits?_sort=day", "/tri", "/audit"):
            anonymous = await datasette.client.get(link)
            assert anonymous.status_code == 302, link
            assert anonymous.headers["location"] == "/-/login?next=" + quote(link, safe=""), link
        page = await datasette.client.get("/-/login?next=/veille/journal_des_nuits")
        assert 'name="next" value="/veille/journal_des_nuits"' in page.text
        landed = await attempt(datasette, "secretariat", PASSWORD, "/veille/journal_des_nuits")
        assert landed.status_code == 302 and landed.headers["location"] == "/veille/journal_des_nuits"
        for evil in (
            "//evil.test/",
            "https://evil.test/",
            "/\\evil.test",
            "/%2F%2Fevil.test",
            "/%5Cevil.test",
        ):
            page = await datasette.client.get("/-/login", params={"next": evil})
            assert 'name="next"' not in page.text, evil
            landed = await attempt(datasette, "amicale-du-nid", PASSWORD, evil)
            assert landed.headers["location"] == "/", evil

    run(scenario())


@pytest.mark.parametrize(
    "target",
    ["//evil", "https://evil", "/\\evil", "/%2F%2Fevil", "/%252F%252Fevil", "/%5Cevil", "\\\\evil",
     "javascript:alert(1)", "/\tevil", "/%09/evil", "", None, "evil", "http:/evil"],
)  # fmt: skip
def test_safe_next_refuses_other_sites(target: str | None) -> None:
    assert safe_next(target) is None


def test_safe_next_keeps_desk_paths_under_the_base() -> None:
    assert safe_next("/tri?story=s1#x") == "/tri?story=s1#x"
    assert safe_next("/veille/tri", "/veille/") == "/veille/tri"
    assert safe_next("/autre", "/veille/") is None
    assert loggable_name("a\nb" * 100) == repr(("a\nb" * 100)[:40] + "…")
