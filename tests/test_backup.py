"""Backups written private and never through a planted file; `veille backup --restore` under a
stale `-wal`, and refused while Veille runs or serves."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from monitor.locks import run_lock, serving_lock
from monitor.night.backup import BackupFailed, backup
from monitor.store import Store
from tests.serving import running_desk
from tests.test_cli import veille

NOW = datetime(2027, 1, 4, 4, 15)


def make_db(tmp_path: Path) -> Path:
    db = tmp_path / "veille.db"
    Store.open(db).db["stories"].insert({"id": "s1", "title": "Procès à Lyon", "relevant": 1, "score": 5.0})
    return db


def test_backups_are_private_and_never_written_through_a_planted_file(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("cookie_secret: s3cret\n", encoding="utf-8")
    folder = tmp_path / "sauvegardes"
    old_umask = os.umask(0o022)
    try:
        written = backup(db, secrets, folder, 3, NOW)
    finally:
        os.umask(old_umask)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert [p.stat().st_mode & 0o777 for p in written] == [0o600, 0o600]
    victim = tmp_path / "ailleurs.txt"
    victim.write_text("intact", encoding="utf-8")
    later = datetime(2027, 1, 4, 4, 16)
    (folder / "secrets-2027-01-04-041600.yml").symlink_to(victim)
    with pytest.raises(BackupFailed, match="existe déjà"):
        backup(db, secrets, folder, 3, later)
    assert victim.read_text(encoding="utf-8") == "intact"


STALE_WAL = """
import sqlite3, os, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("PRAGMA wal_autocheckpoint = 0")
connection.execute("INSERT INTO stories (id, title, relevant, score) VALUES ('s2', 'Après la sauvegarde', 1, 1)")
connection.commit()
os._exit(0)  # killed before any checkpoint: the decision stays in the -wal
"""


def leave_a_stale_wal(db: Path) -> None:
    subprocess.run([sys.executable, "-c", textwrap.dedent(STALE_WAL), str(db)], check=True, timeout=60)
    assert Path(f"{db}-wal").stat().st_size > 0


def story_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [row[0] for row in connection.execute("SELECT id FROM stories ORDER BY id")]


def test_restore_beside_a_stale_wal_gives_the_backup_and_nothing_after(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    copy = backup(db, tmp_path / "absent.yml", tmp_path / "sauvegardes", 3, NOW)[0]
    leave_a_stale_wal(db)
    # The former procedure (copy the file over the database) brings the later story back.
    naive = tmp_path / "naif"
    naive.mkdir()
    (naive / "veille.db").write_bytes(copy.read_bytes())
    (naive / "veille.db-wal").write_bytes(Path(f"{db}-wal").read_bytes())
    assert "s2" in story_ids(naive / "veille.db")

    done = veille("backup", "--restore", str(copy), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "Base restaurée" in done.stdout and "intégrité vérifiée" in done.stdout
    assert story_ids(db) == ["s1"]
    assert Store.open(db).db["stories"].get("s1")["title"] == "Procès à Lyon"
    aside = next(tmp_path.glob("veille.db.avant-restauration-*-wal"))  # nothing lost: set aside
    assert "s2" in story_ids(Path(str(aside).removesuffix("-wal")))


def test_restore_is_refused_while_veille_runs_or_serves(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    copy = backup(db, tmp_path / "absent.yml", tmp_path / "sauvegardes", 3, NOW)[0]
    before = db.read_bytes()
    with run_lock(db, "veille news run"):
        refused = veille("backup", "--restore", str(copy), "--db", str(db))
    assert refused.returncode == 1 and "veille news run" in refused.stderr
    with serving_lock(db):
        refused = veille("backup", "--restore", str(copy), "--db", str(db))
    assert refused.returncode == 1 and "arrêtez-le avant de restaurer" in refused.stderr
    assert db.read_bytes() == before and not list(tmp_path.glob("*avant-restauration*"))


def test_restore_is_refused_while_a_real_desk_serves(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    copy = backup(db, tmp_path / "absent.yml", tmp_path / "sauvegardes", 3, NOW)[0]
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("users: {}\n", encoding="utf-8")
    with running_desk(db, secrets):
        refused = veille("backup", "--restore", str(copy), "--db", str(db))
    assert refused.returncode == 1 and "bureau de tri" in refused.stderr, refused.stderr
    assert veille("backup", "--restore", str(copy), "--db", str(db)).returncode == 0
