"""`veille backup`: a consistent copy of the database while Veille runs (SQLite's online backup API),
checked with `PRAGMA integrity_check` before it takes its dated name, the secrets file beside it
(mode 600), and the oldest copies removed past `keep`. Restore: stop Veille, copy a backup over
the database (and its secrets file over data/secrets.yml), start again; migrations bring an old
backup up to date."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path


class BackupFailed(RuntimeError):
    pass


def backup(db_path: Path, secrets_path: Path, folder: Path, keep: int, now: datetime) -> list[Path]:
    """Write the backup; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y-%m-%d-%H%M%S")
    target = folder / f"veille-{stamp}.db"
    partial = folder / f".veille-{stamp}.db.partiel"
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"la copie de {db_path} n'est pas intègre : {verdict}")
    partial.replace(target)
    written = [target]
    if secrets_path.exists():
        secrets = folder / f"secrets-{stamp}.yml"
        shutil.copyfile(secrets_path, secrets)
        secrets.chmod(0o600)
        written.append(secrets)
    for old in sorted(folder.glob("veille-*.db"))[:-keep]:
        old.unlink()
        (folder / old.name.replace("veille-", "secrets-").replace(".db", ".yml")).unlink(missing_ok=True)
    return written
