"""Who may write when: one Veille run per database at a time, migrations applied once, and no
restore under a running Veille (a serving desk holds a shared lock that a restore must take whole).

All are `flock` locks on files beside the database. The kernel releases them when the process
that holds them dies, so a run killed with SIGKILL leaves no stale lock behind: the next run takes
over at once.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RunInProgress(RuntimeError):
    """Another Veille run holds the database; the message says which, in French."""


def _lock_path(db_path: Path, purpose: str) -> Path:
    return db_path.with_name(f"{db_path.name}.{purpose}.lock")


@contextmanager
def _flock(path: Path, wait_s: float, mode: int = fcntl.LOCK_EX) -> Iterator[int | None]:
    """The open lock file once locked, or None when `wait_s` passed without the lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield None
                    return
                time.sleep(0.05)
        yield descriptor
    finally:
        os.close(descriptor)  # closing releases the lock


@contextmanager
def run_lock(db_path: Path, what: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the database for one run (`what`: « veille news run »…), or raise RunInProgress."""
    path = _lock_path(db_path, "run")
    with _flock(path, wait_s) as descriptor:
        if descriptor is None:
            holder = path.read_text(encoding="utf-8", errors="replace").strip() or "une autre exécution"
            raise RunInProgress(
                f"{holder} est déjà en cours sur {db_path} : réessayez quand elle sera finie."
            )
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"« {what} » (processus {os.getpid()})".encode(), 0)
        yield


@contextmanager
def migration_lock(db_path: Path, wait_s: float = 120.0) -> Iterator[None]:
    """Apply migrations one process at a time (two first runs on a fresh database would race)."""
    with _flock(_lock_path(db_path, "migrate"), wait_s) as descriptor:
        if descriptor is None:
            raise RunInProgress(f"la mise à jour du schéma de {db_path} ne s'est pas terminée à temps.")
        yield


@contextmanager
def serving_lock(db_path: Path) -> Iterator[None]:
    """Held (shared: several desks may serve one database) while a desk serves the database."""
    with _flock(_lock_path(db_path, "serve"), 0.0, fcntl.LOCK_SH) as descriptor:
        if descriptor is None:
            raise RunInProgress(
                f"une restauration de {db_path} est en cours : réessayez quand elle sera finie."
            )
        yield


@contextmanager
def restore_lock(db_path: Path) -> Iterator[None]:
    """The database for a restore: no run, no serving desk; else RunInProgress in French."""
    serve = _lock_path(db_path, "serve")
    with run_lock(db_path, "veille backup --restore"), _flock(serve, 0.0) as descriptor:
        if descriptor is None:
            raise RunInProgress(f"le bureau de tri sert {db_path} : arrêtez-le avant de restaurer.")
        yield
