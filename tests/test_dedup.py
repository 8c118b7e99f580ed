"""Story grouping's signatures: computed in bulk, they are the MinHash of each headline's words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from monitor.news.dedup import (
    _A,
    _B,
    _MAX_HASH,
    _PRIME,
    NUM_PERM,
    StoryIndex,
    _word_hash,
    shingles,
    signatures,
)

ROOT = Path(__file__).resolve().parent.parent
HEADLINES = [
    ("Hérault : quinze saisonniers libérés du travail forcé", "Les gendarmes ont trouvé quinze ouvriers"),
    ("", ""),  # no words: the signature of the empty set
    ("Le 14 mai", "de la"),  # only short words: no shingle either
    ("Travail forcé : quinze saisonniers libérés dans l'Hérault", ""),
    ("Hérault : quinze saisonniers libérés du travail forcé", "Les gendarmes ont trouvé quinze ouvriers"),
]


def minhash(title: str, lead: str) -> list[int]:
    """The MinHash with Python's integers (numpy's uint64 arithmetic wraps at 2**64)."""
    words = [_word_hash(word) for word in shingles(title, lead)]
    return [
        min(((int(a) * x + int(b)) % 2**64 % int(_PRIME)) & int(_MAX_HASH) for x in words)
        if words
        else int(_MAX_HASH)
        for a, b in zip(_A, _B, strict=True)
    ]


def test_signatures_in_bulk_are_each_headlines_minhash() -> None:
    bulk = signatures(HEADLINES)
    assert [list(map(int, values)) for values in bulk] == [minhash(*pair) for pair in HEADLINES]
    assert all(len(values) == NUM_PERM for values in bulk)
    assert signatures([]) == []


def test_prepared_signatures_group_as_computed_ones() -> None:
    prepared, plain = StoryIndex(0.6), StoryIndex(0.6)
    prepared.prepare(HEADLINES)
    for index in (prepared, plain):
        index.add("a", "story-a", *HEADLINES[0])
    assert prepared.story_of([HEADLINES[4]]) == plain.story_of([HEADLINES[4]]) == "story-a"
    assert prepared.story_of([HEADLINES[3]]) == plain.story_of([HEADLINES[3]])


LINKS = [
    "http://example.org/a/b.html", "https://www.example.org", "https://example.org/", "http://127.0.3.1:35451/a/0/1.html",
    "http://example.org:80/a", "https://example.org:443/a", "http://example.org:8080/a", "http://example.org:080/a",
    "https://example.org:443", "http://example.org:99999/a", "HTTP://Example.org/A", "https://EXAMPLE.org/a",
    "https://xn--bcher-kva.example/a", "http://example.org//a//b", "http://example.org/../a", "http://example.org/a/../b",
    "http://example.org/a b", "http://example.org/é", "http://example.org/a%20b", "http://example.org/a?", "http://example.org/a#",
    "http://example.org/a?utm_source=x&id=2", "http://example.org/a#x", "http://example.org/a&amp;b", "http://example.org/a;b",
    "http://example.org/a'b", "http://example.org/a@b", "http://user@example.org/a", "http://[::1]/a", "ftp://example.org/a",
    "http://example.org/a,b:c=d!e~f_g-h.i", "http://-.example.org/a", "http://example.org:/a", " http://example.org/a ",
]  # fmt: skip


def test_links_told_canonical_without_courlan_are_what_courlan_makes_of_them(monkeypatch) -> None:
    from monitor.news import dedup

    quick = [dedup.canonical_url(link) for link in LINKS]
    monkeypatch.setattr(dedup, "_already_canonical", lambda url: False)
    assert quick == [dedup.canonical_url(link) for link in LINKS]
    assert sum(dedup._PLAIN_URL.fullmatch(link.strip()) is not None for link in LINKS) >= 10


TRACKED = [
    f"{address}?{query}"
    for address in ("https://www.example.org/a/b.html", "http://127.0.3.1:35451/a/0/1.html", "https://example.org",
                    "https://example.org/", "HTTPS://Example.org/a", "http://example.org:80/a", "http://example.org//a")
    for query in ("xtor=RSS-3208", "utm_source=rss&utm_medium=feed&utm_campaign=flux-2", "at_medium=RSS&at_campaign=rss",
                  "UTM_SOURCE=X", "amp", "utm_source=", "utm_source=a%20b", "utm_source=a+b", "xtor=%zz", "xtor=1&",
                  "&xtor=1", "xtor=1&&utm_source=2", "xtor=1&id=2", "id=2", "utm_source=x=y", "utm%5Fsource=x",
                  "xtor=1;utm_source=2", "xtor=1#top", "xtor=é", "xtor=a/b", "=1", "utm_sourcex=1")
]  # fmt: skip


def test_links_with_only_tracking_told_without_courlan_are_what_courlan_makes_of_them() -> None:
    from monitor.news import dedup

    assert [dedup.canonical_url(link) for link in TRACKED] == [dedup._normalised(link) for link in TRACKED]
    assert sum(dedup._without_tracking(link) is not None for link in TRACKED) >= 30


def test_courlan_is_imported_only_for_a_link_that_needs_it() -> None:
    """courlan (babel, urllib3) is a quarter of a second of start-up; w3lib's url module brings
    urllib.request, http.client and ssl."""
    code = (
        "import sys; from monitor.news.dedup import canonical_url as c\n"
        "assert c('https://example.org/a/b.html') == 'https://example.org/a/b.html'\n"
        "assert c('https://example.org/a?xtor=RSS-3&utm_source=rss') == 'https://example.org/a'\n"
        "print('courlan' in sys.modules, 'w3lib.url' in sys.modules)\n"
        "assert c('https://Example.org/a?utm_source=x&id=2') == 'https://example.org/a?id=2'\n"
        "print('courlan' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split() == ["False", "False", "True"]


def test_the_hash_coefficients_are_those_numpy_drew_and_load_without_numpy_random() -> None:
    import numpy as np

    drawn = np.random.RandomState(7)
    pairs = [(drawn.randint(1, int(_PRIME), dtype=np.uint64), drawn.randint(0, int(_PRIME), dtype=np.uint64))
             for _ in range(NUM_PERM)]  # fmt: skip
    assert _A.tolist() == [int(a) for a, _ in pairs] and _B.tolist() == [int(b) for _, b in pairs]
    assert _A.dtype == _B.dtype == np.uint64
    code = "import sys, monitor.news.dedup; print('numpy.random' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split() == ["False"]


def test_an_articles_identity_is_read_from_its_host_and_path_as_urlsplit_reads_them() -> None:
    from hashlib import sha1
    from urllib.parse import urlsplit

    from monitor.news.dedup import article_id

    def by_urlsplit(url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        key = f"{host}{parts.path}?{parts.query}" if parts.query else f"{host}{parts.path}"
        return sha1(key.encode()).hexdigest()[:16]

    addresses = [
        "https://www.example.org/a/b-1.html", "http://example.org/a/b-1.html", "https://example.org",
        "https://example.org:8443/a/", "https://WWW.Example.org/A", "https://example.org/a?id=2",
        "https://user@example.org/a", "https://xn--caf-dma.fr/été", "https://example.org/a/%C3%A9t%C3%A9",
        "https://127.0.1.5:8080/feed/1.xml", "https://example.org/a:b,c=d!~_",
    ]  # fmt: skip
    assert [article_id(url) for url in addresses] == [by_urlsplit(url) for url in addresses]
    assert article_id(addresses[0]) == article_id(addresses[1])  # scheme and www. do not count
