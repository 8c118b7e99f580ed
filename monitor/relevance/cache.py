"""The lexicon compiled once: `data/topics.yml` parsed, checked and compiled (YAML with line numbers,
~400 regular expressions), kept as a pickle in a cache folder beside the database, so that a night
whose lexicon did not change loads it in a third of the time.

The cache is never trusted blindly. Its file is named after a SHA-256 of the lexicon file's bytes, of
the source of the modules that build the compiled form and of the Python version: a changed lexicon
or a changed program looks for another file, and builds it. A file that cannot be read back as a
lexicon of that very key (truncated, corrupt, another program's), or that someone other than the
current user owns or may write, is ignored and rebuilt from the YAML. A lexicon with an error is never
cached: the error is raised as without a cache. The file is written to a temporary name and renamed,
so a process killed while writing leaves no half file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from monitor.relevance import lexicon, phrases, rules, text
from monitor.relevance.lexicon import Lexicon, LexiconError, lexicon_from_bytes

# The modules whose code decides what a compiled lexicon holds.
_BUILDERS = (lexicon, phrases, rules, text)
_PREFIX = "lexicon-"


def cache_key(data: bytes) -> str:
    """The key of a lexicon file's bytes compiled by this very program."""
    digest = hashlib.sha256(data)
    for module in _BUILDERS:
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _trusted(path: Path) -> bool:
    """A regular file of the current user that no one else may write."""
    info = path.lstat()
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _read(path: Path, key: str) -> Lexicon | None:
    """The cached lexicon of `key`, or None when there is none that can be trusted."""
    try:
        if not _trusted(path):
            return None
        stored_key, cached = pickle.loads(path.read_bytes())
    except Exception:  # whatever is wrong with the file, the YAML is read instead
        return None
    return cached if stored_key == key and isinstance(cached, Lexicon) else None


def _write(folder: Path, path: Path, key: str, compiled: Lexicon) -> None:
    """Keep `compiled` under `path`, alone in `folder`; a cache that cannot be written is no error."""
    with contextlib.suppress(OSError, pickle.PicklingError):
        folder.mkdir(mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((key, compiled), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        for old in folder.glob(f"{_PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)


def cache_folder(db_path: Path) -> Path:
    """The cache folder of a database: `.NAME.cache` beside it."""
    return db_path.with_name(f".{db_path.name}.cache")


def load_cached_lexicon(path: Path, folder: Path) -> Lexicon:
    """The lexicon of `path`, from the cache in `folder` when it holds this very one, else built
    (and checked) from the YAML and cached. Raises LexiconError as `load_lexicon` does."""
    return cached_lexicon(path, folder)()


def cached_lexicon(path: Path, folder: Path) -> Callable[[], Lexicon]:
    """The lexicon of `path`, checked now and read when first asked for: when the cache in `folder`
    holds a file of this very one, nothing is read yet (unpickling compiles its ~400 expressions again,
    which a night of unchanged feeds does not need); else it is built from the YAML now, and cached.
    Raises LexiconError as `load_lexicon` does, here: a cache file of this key is only ever written for
    these very bytes once they built without error, and they are built again if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{path}: {exc}") from None
    key = cache_key(data)
    cached_path = folder / f"{_PREFIX}{key[:32]}.pickle"

    def build() -> Lexicon:
        compiled = lexicon_from_bytes(data, path)
        _write(folder, cached_path, key, compiled)
        return compiled

    @functools.cache
    def read() -> Lexicon:
        return _read(cached_path, key) or build()

    if _exists(cached_path):
        return read
    compiled = build()
    return lambda: compiled


def _exists(path: Path) -> bool:
    try:
        return _trusted(path)
    except OSError:
        return False
