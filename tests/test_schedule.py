"""`veille schedule`, the daemon, as a real process on second-level triggers: a missed night caught up
at start, one night at a time, a night that hangs or crashes ends that night only, SIGTERM stops it."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from monitor.labels import PARIS
from tests.conftest import TESTS


def quiet_config(folder: Path, night: str) -> Path:
    """A configuration with nothing to crawl: a night takes a few seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    base = (TESTS / "config" / "config.yml").read_text(encoding="utf-8")
    (folder / "config.yml").write_text(base + "night:\n" + night, encoding="utf-8")
    (folder / "members.yml").write_text("members: []\n", encoding="utf-8")
    (folder / "sources.yml").write_text("search_engines: {}\nsources: []\n", encoding="utf-8")
    (folder / "topics.yml").write_text((TESTS.parent / "data" / "topics.yml").read_text(encoding="utf-8"))
    return folder


def nights(db: Path) -> list[tuple[str, str, str | None]]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2) as connection:
            return connection.execute(
                "SELECT status, started_at, finished_at FROM nights ORDER BY id"
            ).fetchall()
    except sqlite3.OperationalError:
        return []


def daemon(config: Path, db: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "schedule", "--config", str(config), "--db", str(db)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )  # fmt: skip


def wait_for(condition, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_missed_night_is_caught_up_at_start_and_sigterm_stops_cleanly(tmp_path: Path) -> None:
    ten_minutes_ago = datetime.now(PARIS) - timedelta(minutes=10)
    config = quiet_config(
        tmp_path / "config", f'  schedule: "{ten_minutes_ago:%M %H} * * *"\n  catch_up_h: 1\n'
    )
    db, log = tmp_path / "veille.db", tmp_path / "schedule.log"
    process = daemon(config, db, log)
    try:
        assert wait_for(lambda: [n[0] for n in nights(db)] == ["ok"], 60), log.read_text()
        assert "n'a pas eu lieu : elle est lancée maintenant" in log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    assert "arrêt demandé" in log.read_text() and "arrêté" in log.read_text()
    # Restarted, the daemon finds tonight's good night in the database: no second catch-up.
    process = daemon(config, db, log)
    time.sleep(4)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert len(nights(db)) == 1


def test_one_night_at_a_time_and_a_hang_or_a_crash_ends_that_night_only(tmp_path: Path) -> None:
    config = quiet_config(tmp_path / "config", '  schedule: "*/2 * * * * *"\n  timeout_min: 0.1\n')
    db, log, counter = tmp_path / "veille.db", tmp_path / "schedule.log", tmp_path / "starts"
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS / "fakes"), os.environ.get("PYTHONPATH")])),
           "VEILLE_TEST_NIGHTS": "hang,crash", "VEILLE_TEST_COUNTER": str(counter)}  # fmt: skip
    process = daemon(config, db, log, env)
    try:
        assert wait_for(lambda: any(n[0] == "ok" for n in nights(db)), 90), log.read_text()
        assert process.poll() is None  # the daemon survived both
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
    found = nights(db)
    assert [n[0] for n in found[:2]] == ["interrupted", "interrupted"], found  # the hang, then the crash
    assert "arrêtée après 6 s (durée maximale)" in log.read_text()
    intervals = sorted((n[1], n[2] or "9999") for n in found)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(intervals)), intervals
