"""The features the learnt model reads in a story: its folded words and pairs of words, and the
character n-grams of each word (3 to 5 letters, the word padded with a space each side), hashed into
a fixed number of buckets. Character n-grams let « exploitées », « exploitation » and « exploited »
share evidence, which French morphology and a small corpus need; hashing keeps the model file small
and the same whatever the corpus (no n-gram vocabulary to store).

A word's n-grams are hashed once (`char_buckets` is cached): news repeats its words, so scoring a
story costs one dictionary look-up per word, as the word features do.
"""

from __future__ import annotations

import itertools
import zlib
from functools import lru_cache

from monitor.relevance.text import HEADLINE_JOIN, fold, letter_words

# Little words carry no meaning of their own here.
STOP_WORDS = frozenset(
    "les des une dans pour par sur avec aux qui que est sont ont ete etait leur leurs son ses cette ces"
    " plus pas the and for with from that this was were have has are their its into after over".split()
)
CHAR_BUCKETS = 1 << 14
CHAR_SIZES = (3, 4, 5)


def tokens(title: str, summary: str) -> list[str]:
    """The folded words (letters only) of title and summary, in order, repeats kept. Read from the
    headline exactly as the lexicon folds it, whose fold is then reused (`fold` keeps the last one)."""
    return letter_words(fold(f"{title}{HEADLINE_JOIN}{summary}" if summary else title))


def meaningful(found: list[str]) -> list[str]:
    """The words that make features, in order, repeats kept: three letters or more, no stop word."""
    return [w for w in found if len(w) > 2 and w not in STOP_WORDS]


def words(title: str, summary: str, found: list[str] | None = None) -> dict[str, None]:
    """The word features, in order (the keys of a dict: distinct, cheaper than a list built from
    one): the meaningful words, then the pairs of neighbouring ones."""
    kept = meaningful(tokens(title, summary) if found is None else found)
    return dict.fromkeys(itertools.chain(kept, map(" ".join, itertools.pairwise(kept))))


@lru_cache(maxsize=20_000)  # at most ~16 MB; the model keeps each word's sum (learning._CharSums)
def char_buckets(word: str) -> tuple[int, ...]:
    """The buckets of a word's character n-grams (with repeats): a stable hash (crc32), not
    Python's salted one, so the same word lands in the same bucket in every process."""
    padded = f" {word} "
    return tuple(
        zlib.crc32(padded[start : start + size].encode()) % CHAR_BUCKETS
        for size in CHAR_SIZES
        for start in range(len(padded) - size + 1)
    )
