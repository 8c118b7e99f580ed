"""`veille backup`: a consistent copy of the database while Veille runs (SQLite's online backup API),
checked with `PRAGMA integrity_check` before it takes its dated name, the secrets file beside it,
and the oldest copies removed past `keep`. Every file is created new (`O_EXCL|O_NOFOLLOW`: a planted
file or symlink is never written through) with mode 600, in a folder of mode 700.

`veille backup --restore FILE` (`restore`): refused while a run or a desk holds the database; the
backup is copied beside the database and checked, the current database and its `-wal`/`-shm` are
set aside under `….avant-restauration-<date>` (a stale `-wal` replayed onto the restored file would
corrupt it or bring back decisions made after the backup), the copy takes the database's name, and
the result is checked again. Migrations bring an old backup up to date at the next start."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from monitor.locks import restore_lock

PRIVATE = 0o600
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW


class BackupFailed(RuntimeError):
    pass


def backup(db_path: Path, secrets_path: Path, folder: Path, keep: int, now: datetime) -> list[Path]:
    """Write the backup; returns the files written."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    stamp = now.strftime("%Y-%m-%d-%H%M%S")
    target = folder / f"veille-{stamp}.db"
    partial = folder / f".veille-{stamp}.db.partiel"
    _copy_checked(db_path, partial)
    partial.replace(target)  # a planted symlink at `target` is replaced, never followed
    written = [target]
    if secrets_path.exists():
        secrets = folder / f"secrets-{stamp}.yml"
        _write_new(secrets, secrets_path.read_bytes())
        written.append(secrets)
    for old in sorted(folder.glob("veille-*.db"))[:-keep]:
        old.unlink()
        (folder / old.name.replace("veille-", "secrets-").replace(".db", ".yml")).unlink(missing_ok=True)
    return written


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (mode 600) with `data`; refuses an existing file or symlink there."""
    try:
        descriptor = os.open(path, NEW_FILE, PRIVATE)
    except FileExistsError:
        raise BackupFailed(f"{path} existe déjà : rien n'a été écrit par-dessus") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _copy_checked(source_path: Path, partial: Path) -> None:
    """A consistent copy of `source_path` at `partial` (new, mode 600), or BackupFailed."""
    _write_new(partial, b"")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    finally:
        copy.close()
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"la copie de {source_path} n'est pas intègre : {verdict}")


def restore(backup_file: Path, db_path: Path, now: datetime) -> Path | None:
    """Put `backup_file` in place of `db_path`; returns where the former database was set aside
    (None when there was none). RunInProgress while Veille runs; BackupFailed when a check fails."""
    if not backup_file.is_file():
        raise BackupFailed(f"sauvegarde introuvable : {backup_file}")
    stamp = now.strftime("%Y-%m-%d-%H%M%S")
    partial = db_path.with_name(f".{db_path.name}.restauration-{stamp}")
    aside = db_path.with_name(f"{db_path.name}.avant-restauration-{stamp}")
    with restore_lock(db_path):
        _copy_checked(backup_file, partial)
        moved = None
        if db_path.exists():
            os.replace(db_path, aside)
            moved = aside
        for suffix in ("-wal", "-shm", "-journal"):
            stale = Path(f"{db_path}{suffix}")
            if stale.exists():
                os.replace(stale, Path(f"{aside}{suffix}"))
        os.replace(partial, db_path)
        _fsync_folder(db_path.parent)
        check = sqlite3.connect(db_path)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if verdict != "ok":
            raise BackupFailed(f"la base restaurée {db_path} n'est pas intègre : {verdict}")
    return moved


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
