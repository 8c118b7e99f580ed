"""The compiled lexicon kept beside the database (monitor/relevance/cache.py): used only when it is the
very lexicon of the file, rebuilt when the file changed or the cache is corrupt or not ours."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from monitor.relevance import LexiconError, cache, classify, load_lexicon
from monitor.relevance.cache import cache_folder, cached_lexicon, load_cached_lexicon
from monitor.relevance.lexicon import lexicon_from_bytes

ROOT = Path(__file__).parent.parent
HEADLINE = ("Proxénétisme : un réseau démantelé à Lyon", "Douze victimes de traite des êtres humains")


@pytest.fixture
def topics(tmp_path: Path) -> Path:
    path = tmp_path / "topics.yml"
    path.write_bytes((ROOT / "data" / "topics.yml").read_bytes())
    return path


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("lexicon-*.pickle"))


def test_the_cached_lexicon_judges_as_the_yaml_does(topics: Path, tmp_path: Path) -> None:
    folder = cache_folder(tmp_path / "veille.db")
    assert folder == tmp_path / ".veille.db.cache"
    built = load_cached_lexicon(topics, folder)
    [stored] = cached_files(folder)
    read_back = load_cached_lexicon(topics, folder)
    assert read_back is not built and read_back == load_lexicon(topics)
    assert classify(read_back, *HEADLINE) == classify(load_lexicon(topics), *HEADLINE)
    assert classify(read_back, *HEADLINE).relevant
    assert stored.stat().st_mode & 0o022 == 0


def test_a_changed_lexicon_file_is_read_again(topics: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    assert classify(load_cached_lexicon(topics, folder), *HEADLINE).relevant
    topics.write_text("terms:\n  - {phrase: réseau démantelé, weight: 1}\n", encoding="utf-8")
    changed = load_cached_lexicon(topics, folder)
    assert not classify(changed, *HEADLINE).relevant and changed.terms[0].pattern == "réseau démantelé"
    assert len(cached_files(folder)) == 1  # the stale one is gone


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps(("other key", "not a lexicon"))])
def test_a_corrupt_cache_is_rebuilt_never_trusted(topics: Path, tmp_path: Path, damage: bytes) -> None:
    folder = tmp_path / "cache"
    load_cached_lexicon(topics, folder)
    [stored] = cached_files(folder)
    stored.write_bytes(damage)
    assert load_cached_lexicon(topics, folder) == load_lexicon(topics)
    assert pickle.loads(stored.read_bytes())[1] == load_lexicon(topics)  # repaired


def test_a_cache_that_others_may_write_is_ignored(topics: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    load_cached_lexicon(topics, folder)
    [stored] = cached_files(folder)
    key = pickle.loads(stored.read_bytes())[0]
    planted = lexicon_from_bytes(b"terms:\n  - {phrase: autre chose, weight: 5}\n", topics)
    stored.write_bytes(pickle.dumps((key, planted)))
    os.chmod(stored, 0o666)
    assert load_cached_lexicon(topics, folder) == load_lexicon(topics)
    assert pickle.loads(stored.read_bytes())[1] == load_lexicon(topics)  # replaced, ours alone
    assert stored.stat().st_mode & 0o022 == 0


def test_a_lexicon_with_an_error_is_not_cached(tmp_path: Path) -> None:
    topics, folder = tmp_path / "topics.yml", tmp_path / "cache"
    topics.write_text("terms: []\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="aucun terme de poids positif"):
        load_cached_lexicon(topics, folder)
    assert not folder.exists() or cached_files(folder) == []
    with pytest.raises(LexiconError, match=r"missing\.yml"):
        load_cached_lexicon(tmp_path / "missing.yml", folder)


def test_a_cache_that_cannot_be_written_is_no_error(topics: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    assert load_cached_lexicon(topics, blocked) == load_lexicon(topics)


def test_a_cached_lexicon_is_read_only_when_first_asked_for(
    topics: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    load_cached_lexicon(topics, folder)
    reads: list[Path] = []
    read = cache._read
    monkeypatch.setattr(cache, "_read", lambda path, key: reads.append(path) or read(path, key))
    lexicon = cached_lexicon(topics, folder)
    assert reads == []  # checked (a cache file of these very bytes), not read
    assert lexicon() == load_lexicon(topics) and lexicon() is lexicon()
    assert reads == cached_files(folder)  # read once


def test_an_uncached_broken_lexicon_is_an_error_before_anything_runs(tmp_path: Path) -> None:
    topics = tmp_path / "topics.yml"
    topics.write_text("terms:\n  - {phrase: traite, weight: lourd}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="weight"):
        cached_lexicon(topics, tmp_path / "cache")
