"""Watch duty: turns, overrides and who is on duty, on literal dates."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config
from monitor.rota import Turn, on_duty, schedule
from monitor.store import Store

DATA = Path(__file__).parent.parent / "data"


def test_turns_follow_the_members_in_order() -> None:
    turns = schedule(date(2026, 11, 30), 2, ["a", "b", "c"], [], until=date(2027, 1, 31))
    assert [(t.start, t.end, t.member_id) for t in turns[:4]] == [
        (date(2026, 11, 30), date(2026, 12, 13), "a"),
        (date(2026, 12, 14), date(2026, 12, 27), "b"),
        (date(2026, 12, 28), date(2027, 1, 10), "c"),
        (date(2027, 1, 11), date(2027, 1, 24), "a"),
    ]
    assert on_duty(turns, date(2026, 12, 27)).member_id == "b"
    assert on_duty(turns, date(2026, 11, 29)) is None


def test_an_override_cuts_a_turn_and_the_turn_resumes_after_it() -> None:
    holidays = Turn(date(2026, 12, 21), date(2027, 1, 3), "secretariat", "vacances de Noël")
    turns = schedule(date(2026, 11, 30), 2, ["a", "b", "c"], [holidays], until=date(2027, 1, 10))
    assert [(t.start, t.end, t.member_id, t.note) for t in turns] == [
        (date(2026, 11, 30), date(2026, 12, 13), "a", ""),
        (date(2026, 12, 14), date(2026, 12, 20), "b", ""),
        (date(2026, 12, 21), date(2027, 1, 3), "secretariat", "vacances de Noël"),
        (date(2027, 1, 4), date(2027, 1, 10), "c", ""),
    ]


def test_a_swap_of_one_whole_turn() -> None:
    swap = Turn(date(2026, 12, 14), date(2026, 12, 27), "c", "échange avec b")
    turns = schedule(date(2026, 11, 30), 2, ["a", "b", "c"], [swap], until=date(2026, 12, 27))
    assert turns[1] == Turn(date(2026, 12, 14), date(2026, 12, 27), "c", "échange avec b")


def test_no_members_no_turns() -> None:
    assert schedule(date(2026, 11, 30), 2, [], [], until=date(2027, 1, 1)) == []


def test_rota_configuration_is_validated(tmp_path: Path) -> None:
    base = (DATA / "config.yml").read_text(encoding="utf-8")
    (tmp_path / "members.yml").write_text(
        (DATA / "members.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "config.yml").write_text(
        base.replace("members: [amicale-du-nid,", "members: [inconnue,"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="rota: association inconnue : inconnue"):
        load_config(tmp_path)
    (tmp_path / "config.yml").write_text(
        base.replace("from: 2026-12-21", "from: 21/12/2026"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"config.yml:\d+: rota.overrides\[0\].from: date invalide"):
        load_config(tmp_path)


def test_veille_rota_prints_who_is_on_duty_and_stores_the_schedule(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "rota", "--date", "2026-12-01", "--weeks", "6", "--db", str(tmp_path / "v.db")],
        capture_output=True, text=True, timeout=60, check=False, cwd=DATA.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("De veille aujourd'hui (01/12/2026) : Amicale du Nid")
    assert "vacances de Noël" in result.stdout
    store = Store.open(tmp_path / "v.db")
    assert store.db["duty"].count >= 26
    first = next(store.db.query("SELECT * FROM duty ORDER BY start LIMIT 1"))
    assert (first["start"], first["end"], first["member_id"]) == (
        "2026-11-30",
        "2026-12-13",
        "amicale-du-nid",
    )
