"""Veille as installed: the demo, every crawling command and the night with relative paths (the
defaults included) from any working folder, and the units and cron lines of docs/operations.md run as
they are written, in a folder laid out like the server's /srv/veille."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.demo.web import FixtureWeb
from monitor.labels import PARIS
from tests.conftest import TESTS
from tests.serving import first_answer, free_port
from tests.test_night import Inbox, night_config

ROOT = TESTS.parent
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
EVERY_STAGE_OK = [
    ("liens", "ok"), ("actualités", "ok"), ("roulement", "ok"), ("site", "ok"), ("avis", "ok"), ("rapports", "ok"),
]  # fmt: skip


def veille(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True, text=True, timeout=300, cwd=cwd, env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip


def stages(db: Path) -> list[tuple[str, str]]:
    import json

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        [(text,)] = connection.execute("SELECT stages FROM nights ORDER BY id DESC LIMIT 1").fetchall()
    return [(stage["name"], stage["status"]) for stage in json.loads(text)]


@pytest.fixture
def smtp_port() -> Iterator[int]:
    from aiosmtpd.controller import Controller

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture
def installed(tmp_path: Path, web: FixtureWeb, demo_web: FixtureWeb, smtp_port: int) -> Path:
    """A folder like the server's /srv/veille: the code, the lock and data/ with a configuration of
    the fixture web; no database yet."""
    home = tmp_path / "srv" / "veille"
    home.mkdir(parents=True)
    for name in ("pyproject.toml", "uv.lock", "README.md", "scrapy.cfg"):
        shutil.copy(ROOT / name, home / name)
    for name in ("crawler", "monitor"):
        shutil.copytree(ROOT / name, home / name, ignore=shutil.ignore_patterns("__pycache__"))
    night_config(home / "data", web, demo_web, smtp_port)
    return home


def test_the_demo_with_its_default_folder_and_with_a_relative_one_from_elsewhere(tmp_path: Path) -> None:
    """The README's main command from a fresh folder (no --out: data/demo, relative), then a relative
    --out given from another working folder."""
    result = veille("demo", "--no-browser", "-q", "--no-serve", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    demo = tmp_path / "data" / "demo"
    assert (demo / "rapport-liens.html").stat().st_size > 0 and (
        demo / "rapport-site.html"
    ).stat().st_size > 0
    assert f"Rapport des liens : {demo / 'rapport-liens.html'}" in result.stdout  # said as an absolute path
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    again = veille("demo", "--no-browser", "-q", "--no-serve", "--out", "../autre/demo", cwd=elsewhere)
    assert again.returncode == 0, again.stderr[-3000:]
    assert (tmp_path / "autre" / "demo" / "rapport-liens.html").exists()


def test_every_crawling_command_with_the_default_relative_paths(installed: Path) -> None:
    """Run from the installation's folder with no --db nor --config: data/ and data/veille.db."""
    for command in (["links", "run", "--no-browser", "-q"], ["news", "run", "-q"], ["site", "audit", "-q"]):
        result = veille(*command, cwd=installed)
        assert result.returncode == 0, (command, result.stderr[-3000:])
    result = veille("run", "--no-browser", "-q", cwd=installed)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stages(installed / "data" / "veille.db") == EVERY_STAGE_OK
    report = veille("links", "report", "--format", "md", "-o", "rapport.md", cwd=installed)
    assert report.returncode == 0 and "Association Perdue" in (installed / "rapport.md").read_text(
        encoding="utf-8"
    )
    assert not list(installed.glob("data/.veille.db.work/*")), "a run left its work files behind"
    backup = veille("backup", cwd=installed)
    assert backup.returncode == 0, backup.stderr[-3000:]
    assert list(installed.glob("data/sauvegardes/veille-*.db")) and list(
        installed.glob("data/.veille.db.cache/*")
    )
    # What the runs and the backup wrote in data/ is git-ignored: only the configuration is left to commit.
    shutil.copy(ROOT / ".gitignore", installed / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=installed, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", "data"],
        cwd=installed, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert status and all(line.endswith(".yml") for line in status), status


def test_relative_paths_given_from_another_folder_and_through_the_environment(installed: Path) -> None:
    below = installed / "journaux"
    below.mkdir()
    result = veille(
        "links", "run", "--no-browser", "-q", "--config", "../data", "--db", "../data/autre.db", cwd=below
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (installed / "data" / "autre.db").exists() and not (below / "data").exists()
    by_environment = {"VEILLE_CONFIG": "../data", "VEILLE_DB": "../data/env.db"}
    result = veille("news", "run", "-q", cwd=below, env=by_environment)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(installed / "data" / "env.db") as connection:
        assert connection.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    backup = veille("backup", "--to", "sauvegardes", cwd=below, env=by_environment)
    assert backup.returncode == 0, backup.stderr[-3000:]
    assert list((below / "sauvegardes").glob("*.db"))


def unit(name: str) -> dict[str, str]:
    """The [Service] keys of a systemd unit as docs/operations.md writes it."""
    block = re.search(rf"# /etc/systemd/system/{re.escape(name)}\n(.*?)```", OPERATIONS, re.S)
    assert block, f"docs/operations.md has no {name}"
    keys = {}
    for line in block.group(1).splitlines():
        key, equals, value = line.partition("=")
        if equals and key in {"WorkingDirectory", "ExecStart", "Environment"}:
            keys[key] = value
    return keys


def as_installed(command: str, home: Path) -> list[str]:
    """A documented command line on this machine: /srv/veille is the test's folder and uv is the uv
    on PATH when /usr/local/bin/uv is not there; nothing else changes."""
    words = shlex.split(command.replace("/srv/", f"{home.parent}/"))
    if words[0].endswith("/uv") and not Path(words[0]).exists():
        words[0] = uv()
    return words


def uv() -> str:
    found = shutil.which("uv")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("uv is not installed (.ci/run installs it)")
        pytest.skip("uv is not installed (pip install uv)")
    return found


def uv_environment(extra: dict[str, str]) -> dict[str, str]:
    """The service's environment: uv works from its cache (no machine here reaches the internet)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "UV_"))
    }
    return {**environment, "UV_OFFLINE": "1", **extra}


def test_the_night_unit_as_written_runs_a_night_with_every_stage_ok(installed: Path) -> None:
    service = unit("veille-nuit.service")
    assert service["WorkingDirectory"] == "/srv/veille" and service["ExecStart"].endswith(
        " run veille schedule"
    )
    ten_minutes_ago = datetime.now(PARIS) - timedelta(minutes=10)  # a night missed: caught up at start
    config = installed / "data" / "config.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "night:\n", f'night:\n  schedule: "{ten_minutes_ago:%M %H} * * *"\n  catch_up_h: 1\n', 1
        ),
        encoding="utf-8",
    )
    variable, _, value = service["Environment"].partition("=")
    log = installed / "schedule.log"
    daemon = subprocess.Popen(
        as_installed(service["ExecStart"], installed), cwd=service["WorkingDirectory"].replace("/srv/veille", str(installed)),
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=uv_environment({variable: value}),
    )  # fmt: skip
    db = installed / "data" / "veille.db"
    try:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and daemon.poll() is None:
            if db.exists() and _finished_nights(db):
                break
            time.sleep(1)
        assert _finished_nights(db) == ["ok"], log.read_text(encoding="utf-8")[-3000:]
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    assert stages(db) == EVERY_STAGE_OK


def _finished_nights(db: Path) -> list[str]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2) as connection:
            rows = connection.execute(
                "SELECT status FROM nights WHERE status != 'running' ORDER BY id"
            ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [status for (status,) in rows]


def test_the_cron_lines_as_written_run_a_night_and_a_backup(installed: Path) -> None:
    lines = re.search(r"```cron\n(.*?)```", OPERATIONS, re.S)
    assert lines, "docs/operations.md has no cron block"
    for line in lines.group(1).splitlines():
        command = line.split(None, 5)[5].replace("/srv/", f"{installed.parent}/")
        shell = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, timeout=400,
            env=uv_environment({"PATH": f"{Path(uv()).parent}{os.pathsep}{os.environ['PATH']}"}),
        )  # fmt: skip
        assert shell.returncode == 0, (command, shell.stderr[-3000:])
    assert stages(installed / "data" / "veille.db") == EVERY_STAGE_OK
    assert list((installed.parent / "sauvegardes").glob("veille-*.db"))


def test_the_desk_unit_as_written_serves_the_desk(installed: Path) -> None:
    service = unit("veille-desk.service")
    assert "--port 8001" in service["ExecStart"]
    port = free_port()  # the documented 8001 may be taken on a test machine: the only change
    command = as_installed(service["ExecStart"].replace("--port 8001", f"--port {port}"), installed)
    desk = subprocess.Popen(
        command, cwd=service["WorkingDirectory"].replace("/srv/veille", str(installed)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=uv_environment({}),
    )  # fmt: skip
    try:
        assert "Actualités publiées" in first_answer(f"http://127.0.0.1:{port}/veille/", desk, wait_s=90)
    finally:
        desk.terminate()
        desk.wait(timeout=20)
    assert (installed / "data" / "veille.db").exists()
