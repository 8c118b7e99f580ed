"""What a real installation's mail says over a fortnight of nights (issue 17 §3): the fixture web, a real
SMTP server and a clock the tests control; every message read. Plus the pure helpers behind it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from monitor.config import load_config
from monitor.desk.queues import WAITING_COUNT
from monitor.labels import PARIS, plural
from monitor.links.run import run_links
from monitor.night.job import run_night, send_notices
from monitor.night.notices import site_audit_line
from tests.test_night import DAY0, night_setup, smtp  # noqa: F401 (fixtures)

SECRETARIAT = "secretariat@collectif.example"
MUTE = "Le Collectif Muet"


@pytest.fixture
def fortnight(night_setup: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The night's setup with a third member on the rota, who has no contact_email."""
    folder = night_setup["config_dir"]
    members = folder / "members.yml"
    members.write_text(
        members.read_text(encoding="utf-8") + f"  - {{id: muet, name: {MUTE}}}\n", encoding="utf-8"
    )
    config = folder / "config.yml"
    text = config.read_text(encoding="utf-8").replace(
        "members: [perdu, lucioles]", "members: [perdu, lucioles, muet]"
    )
    config.write_text(text, encoding="utf-8")
    return {**night_setup, "config": load_config(folder)}


def body(message: Any) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_fortnight_of_mail_says_what_waits_in_proper_french(fortnight: dict[str, Any]) -> None:
    s = fortnight
    store, config, inbox = s["store"], s["config"], s["inbox"]
    sent: dict[int, list[Any]] = {}

    def at(day: int, hours: int = 0) -> Any:
        return time_machine.travel(DAY0 + timedelta(days=day, hours=hours), tick=True)

    def night(day: int, whole: bool = False) -> None:
        with at(day):
            if whole:
                run_night(store, config, s["sources"], s["lexicon"], browser=False)
            else:
                send_notices(store, config, datetime.now(PARIS))
        sent[day] = list(inbox.messages)
        inbox.messages.clear()

    def waiting() -> int:
        return store.db.execute(WAITING_COUNT).fetchone()[0]

    night(0, whole=True)
    waiting_day0 = waiting()
    night(1)
    with at(2, hours=-2):  # before night 2: an alert, and a new story
        now = datetime.now(PARIS).isoformat()
        alerted = next(store.db.query("SELECT id, title FROM stories WHERE relevant = 1 LIMIT 1"))
        store.db["picks"].insert({"story_id": alerted["id"], "member_id": "perdu", "action": "signaler",
                                  "status": "signale", "created_at": now})  # fmt: skip
        store.db["stories"].insert({"id": "neuve", "title": "Réseau de traite démantelé à Lille", "relevant": 1,
                                    "score": 99.0, "first_seen": now, "last_seen": now, "published": now})  # fmt: skip
    waiting_day2 = waiting()
    night(2)
    s["web"].sites["lost"].state = "nolink"  # the member's link disappears: lost after two reads
    try:
        for day in (3, 4):
            with at(day):
                run_links(store, config, browser=False)
            if day == 4:  # the secretariat decided the alert after night 3's message
                store.db.execute("UPDATE picks SET status = 'refuse', reason = 'déjà connu', decided_by = 'secretariat',"
                                 " decided_at = ? WHERE status = 'signale'",
                                 [(DAY0 + timedelta(days=3, hours=8)).isoformat()])  # fmt: skip
            night(day)
    finally:
        s["web"].sites["lost"].state = None
    waiting_day4 = waiting()
    s["demo_web"].sites["presse"].state = "down"  # night 5 fails at the news stage
    try:
        night(5, whole=True)
    finally:
        s["demo_web"].sites["presse"].state = None
    for day in range(6, 11):
        night(day)
    with at(11, hours=-2):  # a weak signal, and nothing else new, before night 11
        now = datetime.now(PARIS).isoformat()
        store.db["stories"].insert({"id": "faible", "title": "Un signal faible", "relevant": 0, "weak": 1,
                                    "weak_night": 1, "evidence": 1.0, "first_seen": now, "last_seen": now})  # fmt: skip
    for day in range(11, 15):
        night(day)

    subjects = {day: [(str(m["To"]), str(m["Subject"])) for m in found] for day, found in sent.items()}
    secretariat = (SECRETARIAT, "Veille : ce qui attend le secrétariat")
    assert subjects == {
        0: [("perdu@asso.example", "Veille du Collectif : 2 nouvelles"), secretariat],  # turn + digest; audit
        1: [],
        2: [("perdu@asso.example", f"{waiting_day2} histoires à trier"), secretariat],  # the alert
        3: [secretariat],  # the alert, still waiting for a decision
        4: [("perdu@asso.example", f"{waiting_day4} histoires à trier"),  # night 2's new story, reminded
            secretariat],  # the lost link (the alert was decided)
        5: [secretariat],  # the stage that failed
        6: [("lucioles@asso.example", "Votre tour de veille commence demain")],
        7: [("lucioles@asso.example", f"{waiting_day2} histoires à trier")],  # its first digest
        8: [],
        9: [("lucioles@asso.example", f"{waiting_day2} histoires à trier")],  # the reminder
        10: [],
        11: [("lucioles@asso.example", f"{waiting_day2} histoires à trier")],  # the weak signal only
        12: [],
        13: [secretariat],  # the next member on the rota cannot be reached
        14: [],  # told once
    }  # fmt: skip
    text = {(day, str(m["To"]).split("@")[0]): body(m) for day, found in sent.items() for m in found}
    assert "Audit du site du Collectif :" in text[0, "secretariat"] and "Audit" not in text[2, "secretariat"]
    assert store.db["outbox"].count == sum(map(len, sent.values()))
    assert {row["status"] for row in store.db.query("SELECT status FROM outbox")} == {"envoyé"}

    # The digest says what waits, new stories first, and reminds once what was announced.
    assert f"À trier : {waiting_day0} histoires." in text[0, "perdu"]
    day2 = text[2, "perdu"]
    assert f"À trier : {waiting_day2} histoires, dont " in day2
    assert (
        day2.index("Réseau de traite démantelé à Lille")
        < day2.index("Toujours en attente")
        < day2.index("Ouvrir « À trier »")
    )
    assert "Réseau de traite" in text[4, "perdu"].split("Toujours en attente")[1]
    assert "Toujours en attente" in text[9, "lucioles"] and "Réseau de traite" in text[9, "lucioles"]
    # The signals-only digest: a sentence of its own and a link into the desk.
    day11 = text[11, "lucioles"]
    assert "Sous le seuil de pertinence : 1 signal faible à lire vite dans « À trier »." in day11
    assert "Ouvrir « À trier » : https://veille.example/veille/tri" in day11
    assert not re.search(r"^Et ", day11, re.M) and "Toujours en attente" not in day11

    # A pending alert is told each day until decided.
    assert f"Alerte de Association Perdue : {alerted['title']}" in text[2, "secretariat"]
    assert (
        f"Alerte de Association Perdue, en attente depuis le 6 janv. 2027 : {alerted['title']}"
        in text[3, "secretariat"]
    )
    assert (
        "Alerte" not in text[4, "secretariat"] and "Association Perdue : Lien perdu" in text[4, "secretariat"]
    )

    # A failed stage: what failed and what to do, in French; the log stays in the journal.
    failed = text[5, "secretariat"]
    assert "l'étape « actualités » a échoué : la lecture des sources d'actualité n'a pas abouti" in failed
    assert "veille doctor" in failed and "Journal des nuits" in failed
    assert "Error" not in failed and "aucune des 1 sources" not in failed
    [journal] = store.db.query("SELECT stages FROM nights WHERE status = 'failed'")
    assert "RuntimeError: aucune des 1 sources n'a pu être lue" in journal["stages"]  # the journal keeps it

    # The member with no address is named to the secretariat the day before its turn.
    assert (
        f"{MUTE} commence son tour de veille le 18 janv. 2027 mais n'a pas d'adresse"
        in text[13, "secretariat"]
    )

    greetings = 0
    for day, found in sent.items():
        for message in found:
            plain, where = body(message), (day, str(message["To"]))
            assert message["From"] == "Veille du Collectif <veille@contrelatraite.org>", where
            # French plurals written out, zero counts left out.
            assert not re.search(r"\((s|x|e|es)\)|\bdont 0\b|\b0 (corrigé|nouveau|point)", plain), where
            # After « Bonjour X, » on its own line, the next line starts with a capital.
            for greeting in re.finditer(r"^Bonjour [^\n]*,\n(.)", plain, re.M):
                assert greeting.group(1).isupper(), where
                greetings += 1
            unsubscribe = "pour ne plus le recevoir, écrivez au secrétariat"
            footer = " ".join(plain.rsplit("\n--\n", 1)[1].split())
            assert (unsubscribe in footer) is (message["To"] != SECRETARIAT), where
    assert greetings == 2  # the two handovers


def test_config_check_and_doctor_name_a_member_of_the_rota_without_address(fortnight: dict[str, Any]) -> None:
    from tests.test_cli import veille

    where = ("--config", str(fortnight["config_dir"]), "--db", str(fortnight["tmp"] / "veille.db"))
    check = veille("config", "check", where[0], where[1])
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[-1] == (
        "attention : roulement : sans adresse (contact_email dans members.yml), donc sans message de passation"
        f" ni résumé : {MUTE}."
    )
    doctor = veille("doctor", *where)
    assert "attention Roulement : sans adresse (contact_email dans members.yml)" in doctor.stdout
    assert doctor.stdout.count(MUTE) == 1 and doctor.returncode == 1


@pytest.mark.parametrize(("count", "words", "expected"), [
    (0, ("histoire",), "0 histoire"), (1, ("histoire",), "1 histoire"), (2, ("histoire",), "2 histoires"),
    (3, ("nouveau", "nouveaux"), "3 nouveaux"), (2, ("signal faible", "signaux faibles"), "2 signaux faibles"),
])  # fmt: skip
def test_plural_writes_french_plurals_out(count: int, words: tuple[str, ...], expected: str) -> None:
    assert plural(count, *words) == expected


@pytest.mark.parametrize(("counts", "new", "fixed", "expected"), [
    ((3, 2), 1, 2, "Audit du site du Collectif : 3 points à corriger (dont 1 nouveau), 2 points à améliorer ;"
                   " 2 points corrigés depuis l'audit précédent."),
    ((1, 0), 0, 0, "Audit du site du Collectif : 1 point à corriger."),
    ((0, 0), 0, 1, "Audit du site du Collectif : rien à corriger ni à améliorer ; 1 point corrigé depuis"
                   " l'audit précédent."),
])  # fmt: skip
def test_the_audit_line_leaves_zero_counts_out(
    counts: tuple[int, int], new: int, fixed: int, expected: str
) -> None:
    from monitor.site.catalogue import FIX, IMPROVE

    audit = SimpleNamespace(counts={FIX: counts[0], IMPROVE: counts[1]}, new_to_fix=new, previous=True,
                            previous_complete=True, complete=True, fixed=[object()] * fixed)  # fmt: skip
    assert site_audit_line(audit) == expected  # type: ignore[arg-type]
