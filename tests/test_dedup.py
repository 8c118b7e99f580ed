"""Story grouping's signatures: computed in bulk, they are the MinHash of each headline's words."""

from __future__ import annotations

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
