"""The night on real fixture sites, a real SMTP server (aiosmtpd) and a clock the tests control
(time-machine): every stage, a stage that fails, the dry run, the rota as a calendar, backups and the doctor."""

from __future__ import annotations

import email
import email.policy
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from monitor.config import load_config
from monitor.demo.web import FixtureWeb
from monitor.labels import PARIS
from monitor.links.run import run_links
from monitor.news.sources import load_sources
from monitor.night.job import run_night
from monitor.relevance import load_lexicon
from monitor.store import Store
from tests.conftest import TESTS
from tests.serving import free_port

DAY0 = datetime(2027, 1, 4, 4, 15, tzinfo=PARIS)  # a Monday: the first turn starts that day


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def night_config(folder: Path, web: FixtureWeb, demo_web: FixtureWeb, smtp_port: int) -> Path:
    """Two members (one whose link can be lost; neither announces a feed), the demo newspaper's RSS
    feed, a weekly rota from DAY0, and the test SMTP server."""
    folder.mkdir(parents=True, exist_ok=True)
    base = (TESTS / "config" / "config.yml").read_text(encoding="utf-8")
    site = f"site: {{every_days: 7, start_url: '{web.url('collectif')}', delay_s: 0.01, link_delay_s: 0.01}}"
    (folder / "config.yml").write_text(base.replace("site: {every_days: 0}", site) + f"""
rota:
  start: {DAY0.date().isoformat()}
  turn_weeks: 1
  members: [perdu, lucioles]
night:
  desk_url: https://veille.example/veille/
  digest_every_days: 2
  report_file: {folder.parent / "rapport-liens.html"}
mail:
  host: 127.0.0.1
  port: {smtp_port}
  security: none
  secretariat: secretariat@collectif.example
""", encoding="utf-8")  # fmt: skip
    (folder / "members.yml").write_text(f"""members:
  - {{id: perdu, name: Association Perdue, site: "{web.url("lost")}", contact_email: perdu@asso.example}}
  - {{id: lucioles, name: Les Lucioles, site: "{demo_web.url("horizon")}", contact_email: lucioles@asso.example}}
""", encoding="utf-8")  # fmt: skip
    feed = demo_web.url("presse", "rss.xml")
    (folder / "sources.yml").write_text(
        f'search_engines: {{}}\nsources:\n  - {{id: gazette, name: "La Gazette", kind: feed, url: "{feed}", language: fr}}\n',
        encoding="utf-8",
    )
    (folder / "topics.yml").write_text((TESTS.parent / "data" / "topics.yml").read_text(encoding="utf-8"))
    return folder


@pytest.fixture
def night_setup(
    tmp_path: Path, web: FixtureWeb, demo_web: FixtureWeb, smtp: tuple[Inbox, int]
) -> dict[str, Any]:
    inbox, port = smtp
    config_dir = night_config(tmp_path / "config", web, demo_web, port)
    return {
        "config": load_config(config_dir), "sources": load_sources(config_dir / "sources.yml"),
        "lexicon": load_lexicon(config_dir / "topics.yml"), "store": Store.open(tmp_path / "veille.db"),
        "inbox": inbox, "web": web, "demo_web": demo_web, "tmp": tmp_path, "config_dir": config_dir,
    }  # fmt: skip


def received(inbox: Inbox) -> list[tuple[str, str]]:
    found = [(str(m["To"]), str(m["Subject"])) for m in inbox.messages]
    inbox.messages.clear()
    return found


def test_a_night_runs_every_stage_and_one_failing_stops_none(night_setup: dict[str, Any]) -> None:
    s = night_setup
    with time_machine.travel(DAY0, tick=True):
        night = run_night(s["store"], s["config"], s["sources"], s["lexicon"], browser=False)
    assert [(st["name"], st["status"]) for st in night.stages] == [
        ("liens", "ok"), ("actualités", "ok"), ("roulement", "ok"), ("site", "ok"), ("avis", "ok"),
        ("rapports", "ok")]  # fmt: skip
    assert night.stages[3]["counts"]["findings"] > 10  # the weekly audit of the Collectif's site ran
    [audit_news] = [m for m in s["inbox"].messages if str(m["To"]).startswith("secretariat")]
    body = audit_news.get_body(("plain",)).get_content()
    assert "Audit du site du Collectif :" in body and "/audit" in body
    received(s["inbox"])
    assert (s["tmp"] / "rapport-liens.html").read_text(encoding="utf-8").count("Association Perdue") >= 1
    # The newspaper is down: the news stage fails; the rota, notices and reports still run.
    s["demo_web"].sites["presse"].state = "down"
    try:
        with time_machine.travel(DAY0 + timedelta(days=1), tick=True):
            night = run_night(s["store"], s["config"], s["sources"], s["lexicon"], browser=False)
    finally:
        s["demo_web"].sites["presse"].state = None
    statuses = {st["name"]: st["status"] for st in night.stages}
    assert statuses == {
        "liens": "ok",
        "actualités": "failed",
        "roulement": "ok",
        "site": "ok",
        "avis": "ok",
        "rapports": "ok",
    }
    # The next night is too soon for the weekly audit.
    assert night.stages[3]["counts"] == {"audit": "pas ce soir"}

    [failed] = night.failures
    assert failed["error"] == "RuntimeError: aucune des 1 sources n'a pu être lue"
    rows = list(s["store"].db.query("SELECT status FROM nights ORDER BY id"))
    assert [r["status"] for r in rows] == ["ok", "failed"]
    [(_to, subject)] = [pair for pair in received(s["inbox"]) if pair[0].startswith("secretariat")]
    assert subject == "Veille : ce qui attend le secrétariat"


def test_messages_are_french_text_and_html_with_links_into_the_desk(night_setup: dict[str, Any]) -> None:
    s = night_setup
    with time_machine.travel(DAY0, tick=True):
        run_night(s["store"], s["config"], s["sources"], s["lexicon"], browser=False)
    [message] = [m for m in s["inbox"].messages if m["To"] == "perdu@asso.example"]
    assert message["From"] == "Veille du Collectif <veille@contrelatraite.org>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Votre tour de veille d'actualité pour le Collectif commence aujourd'hui, le 4 janv. 2027" in text
    assert "https://veille.example/veille/tri?histoire=" in text and '<html lang="fr">' in html
    assert "List-Unsubscribe" not in message


def test_notify_dry_run_prints_and_sends_nothing(night_setup: dict[str, Any]) -> None:
    from tests.test_cli import veille

    s = night_setup
    store = s["store"]
    store.sync_members(s["config"].members)
    store.db["stories"].insert(
        {"id": "s1", "title": "Procès pour proxénétisme à Lyon", "relevant": 1, "score": 9.0}
    )
    store.db["picks"].insert({"story_id": "s1", "member_id": "perdu", "action": "signaler", "status": "signale",
                              "created_at": datetime.now(PARIS).isoformat()})  # fmt: skip
    result = veille(
        "notify", "--dry-run", "--config", str(s["config_dir"]), "--db", str(s["tmp"] / "veille.db")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "À : secretariat@collectif.example\nObjet : Veille : ce qui attend le secrétariat\n"
    ), result.stdout
    assert "Alerte de Association Perdue : Procès pour proxénétisme à Lyon" in result.stdout
    assert s["inbox"].messages == [] and store.db["outbox"].count == 0


def test_the_rota_is_a_valid_calendar(tmp_path: Path) -> None:
    from icalendar import Calendar

    from monitor.datasette.plugins.veille_calendar import calendar  # type: ignore[import-not-found]

    turns = [{"start": "2027-01-04", "end": "2027-01-10", "member_id": "perdu", "name": "Association Perdue", "note": ""},
             {"start": "2027-01-11", "end": "2027-01-17", "member_id": "lucioles", "name": "Les Lucioles", "note": "échange"}]  # fmt: skip
    body = calendar(turns, DAY0, "https://veille.example/")
    parsed = Calendar.from_ical(body)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    events = parsed.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Veille : Association Perdue", "Veille : Les Lucioles"]
    for event in events:
        assert event["UID"] and event["DTSTAMP"] and event["DTSTART"].params.get("VALUE", "DATE") == "DATE"
    assert events[0]["DTEND"].dt == date(2027, 1, 11)  # RFC 5545: the end of an all-day event is exclusive
    assert b"\r\n" in body and all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_backup_is_consistent_rotated_and_restorable(tmp_path: Path) -> None:
    from monitor.night.backup import backup

    store = Store.open(tmp_path / "veille.db")
    store.db["stories"].insert({"id": "s1", "title": "Procès à Lyon", "relevant": 1, "score": 5.0})
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("users: {}\n", encoding="utf-8")
    folder = tmp_path / "sauvegardes"
    for minute in range(4):
        backup(tmp_path / "veille.db", secrets, folder, 3, DAY0 + timedelta(minutes=minute))
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [f"{kind}-2027-01-04-04{m}00.{ext}" for kind, ext in (("secrets", "yml"), ("veille", "db"))
                    for m in ("16", "17", "18")]  # fmt: skip
    assert (folder / "secrets-2027-01-04-041800.yml").stat().st_mode & 0o777 == 0o600
    restored = tmp_path / "restauration" / "veille.db"
    restored.parent.mkdir()
    restored.write_bytes((folder / "veille-2027-01-04-041800.db").read_bytes())
    with sqlite3.connect(restored) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert Store.open(restored).db["stories"].get("s1")["title"] == "Procès à Lyon"


def test_doctor_says_what_is_missing_in_french(night_setup: dict[str, Any]) -> None:
    from tests.test_cli import veille

    s = night_setup
    result = veille("doctor", "--config", str(s["config_dir"]), "--db", str(s["tmp"] / "veille.db"))
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ok", "ok", "ok", "ok", "ok", "ok", "attention"]
    assert lines[3].startswith("ok        Envoi des e-mails : 127.0.0.1:") and "répond" in lines[3]
    assert lines[4] == "ok        Roulement : 2 associations, toutes joignables par e-mail"
    assert lines[6] == "attention Dernière nuit : aucune nuit réussie pour l'instant"
    assert result.returncode == 1


def test_link_reminders_are_sent_on_request_once_per_period(night_setup: dict[str, Any]) -> None:
    from tests.test_cli import veille

    s = night_setup
    s["web"].sites["lost"].state = "nolink"
    try:
        run_links(s["store"], s["config"], browser=False)
    finally:
        s["web"].sites["lost"].state = None
    where = ("--config", str(s["config_dir"]), "--db", str(s["tmp"] / "veille.db"))
    dry = veille("links", "remind", *where)
    assert dry.returncode == 0 and dry.stdout.startswith(
        "À : perdu@asso.example\nObjet : Un lien vers le site"
    )
    assert s["inbox"].messages == []
    sent = veille("links", "remind", "--send", *where)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.rstrip().endswith("perdu@asso.example : envoyé")
    [message] = s["inbox"].messages
    assert (
        message["To"] == "perdu@asso.example"
        and "contrelatraite.org" in message.get_body(("plain",)).get_content()
    )
    again = veille("links", "remind", "--send", *where)
    assert again.stdout.startswith(
        "Aucune demande à envoyer (chaque association est relancée au plus tous les 30 jours)"
    )
    assert len(s["inbox"].messages) == 1


@pytest.mark.parametrize(("visible_now", "next_read", "told"), [
    (0, "hidden", True),  # hidden, and still hidden at the next readable night: told once
    (1, "linked", False),  # hidden one night, visible the next: a flapping site, nobody is told
    (0, "unreachable", False),  # not read since: nothing confirmed yet
])  # fmt: skip
def test_a_hidden_link_is_told_only_once_a_second_read_confirms_it(
    tmp_path: Path, visible_now: int, next_read: str, told: bool
) -> None:
    from monitor.night.notices import confirmed_link_trouble

    store = Store.open(tmp_path / "veille.db")
    db = store.db
    db["members"].insert({"id": "m", "name": "Membre", "active": 1})
    db["runs"].insert_all({"id": n, "kind": "links", "status": "ok", "started_at": f"2027-01-0{n}T03:00:00+00:00"}
                          for n in (1, 2, 3))  # fmt: skip
    db["link_checks"].insert_all([
        {"run_id": 1, "member_id": "m", "status": "linked", "checked_at": "2027-01-01T03:10:00+00:00"},
        {"run_id": 2, "member_id": "m", "status": "hidden", "checked_at": "2027-01-02T03:10:00+00:00"},
        {"run_id": 3, "member_id": "m", "status": next_read, "checked_at": "2027-01-03T03:10:00+00:00"},
    ])  # fmt: skip
    db["backlinks"].insert({"id": "b", "member_id": "m", "page_url": "https://m.example/", "present": 1,
                            "visible": visible_now, "rel": ""})  # fmt: skip
    db["link_events"].insert({"run_id": 2, "member_id": "m", "event": "became_hidden", "backlink_id": "b",
                              "detail": "display:none", "at": "2027-01-02T03:10:00+00:00"})  # fmt: skip
    found = confirmed_link_trouble(
        store, "2027-01-02T04:00:00+00:00"
    )  # the secretariat heard last after night 2
    assert [(e["event"], e["who"]) for e in found] == ([("became_hidden", "Membre")] if told else [])
    assert confirmed_link_trouble(store, "2027-01-03T04:00:00+00:00") == []  # and only once


def test_the_secretariat_hears_of_a_failing_source_once_when_it_reaches_the_threshold(tmp_path: Path) -> None:
    from monitor.config import Config
    from monitor.night.notices import compose, gather
    from monitor.settings import MAIL_SETTINGS, NIGHT_SETTINGS

    config = load_config(TESTS / "config")
    mail = {s.name: s.default for s in MAIL_SETTINGS} | {"secretariat": "secretariat@collectif.example"}
    night = {s.name: s.default for s in NIGHT_SETTINGS} | {"failing_source_nights": 3}
    config = Config(**{**vars(config), "mail": mail, "night": night})
    store = Store.open(tmp_path / "veille.db")
    now = DAY0
    for errors, told in ((2, False), (3, True), (4, False)):
        store.db["sources"].upsert({"id": "gazette", "name": "La Gazette", "url": "https://g.example/rss", "active": 1,
                                    "error_count": errors, "last_error": "HTTP 503",
                                    "last_fetch_at": now.isoformat()}, pk="id")  # fmt: skip
        messages = compose(gather(store, config, now + timedelta(minutes=5)), config, now.date(), [])
        lines = [line for m in messages for part in m.parts for line in part.lines]
        assert ("Source en échec depuis 3 lectures : La Gazette (HTTP 503)" in lines) is told, errors
        now += timedelta(days=1)
