"""Text as the lexicon reads it: folded (lower case, accents removed, one character for one) and its
set of words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property

_WORD = re.compile(r"\w+")
# An ASCII text's words are found faster by mapping every other byte to a space and splitting: `\w`
# on ASCII is letters, digits and `_`; the model's words (`[^\W\d_]`) are letters only.
_ASCII_WORD_BYTES = bytes(c if chr(c).isalnum() or chr(c) == "_" else 32 for c in range(128)) + b" " * 128
_ASCII_LETTER_BYTES = bytes(c if chr(c).isalpha() else 32 for c in range(128)) + b" " * 128
_LETTERS = re.compile(r"[^\W\d_]+")
# Between title and summary in the headline: no phrase spans it (`|` is not a separator).
HEADLINE_JOIN = " | "


@cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("’"): "'", ord("‘"): "'", ord("ʼ"): "'", ord("\u00a0"): " "}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if len(base) == 1 and base != char:
            table[code] = base.lower()
    for dash in "‐‑‒–—":
        table[ord(dash)] = "-"
    return table


_COMBINING_MARKS = re.compile("[\u0300-\u036f]")
_PUNCTUATION = (
    ("’", "'"),
    ("‘", "'"),
    ("ʼ", "'"),
    ("\u00a0", " "),
    ("–", "-"),
    ("—", "-"),
    ("‐", "-"),
    ("‑", "-"),
)


# The last text folded and its fold: the lexicon and the learnt model read the same headline in turn.
_last: tuple[str, str] = ("", "")


def fold(text: str) -> str:
    """Lower case without accents, one character for one: `Êtres « humains »` → `etres « humains »`."""
    global _last
    if text == _last[0]:
        return _last[1]
    folded = _fold(text)
    _last = (text, folded)  # one tuple, swapped at once: safe between threads
    return folded


def _fold(text: str) -> str:
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    # Decomposing and dropping the accents is twice as fast as a translation table, and keeps one
    # character for one unless a character decomposes into two letters: then the table does it.
    stripped = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", lowered))
    if len(stripped) != len(lowered):
        return lowered.translate(_fold_table())
    for old, new in _PUNCTUATION:
        if old in stripped:
            stripped = stripped.replace(old, new)
    return stripped


def words_of(folded: str) -> list[str]:
    """The words (`\\w+`) of a folded text, in order."""
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()
    return _WORD.findall(folded)


def letter_words(folded: str) -> list[str]:
    """The words of letters only (`[^\\W\\d_]+`: no digits, no `_`) of a folded text, in order."""
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_LETTER_BYTES).decode("ascii").split()
    return _LETTERS.findall(folded)


@cache
def _whole_word(word: str) -> re.Pattern[str]:
    """`word` as a whole word; the check before it comes after it, so `re` searches the literal fast."""
    return re.compile(rf"{re.escape(word)}(?<!\w.{{{len(word)}}})(?!\w)")


def whole_word_places(text: str, word: str) -> list[int]:
    r"""Where `word` stands in `text` with no letter, digit or `_` either side, as
    `re.finditer(r"(?<!\w)word(?!\w)")` finds it. A phrase's start words are a thousand and a night's
    news meets most of them: `str.find` spares an expression compiled for each. A word of one or two
    letters, found at nearly every turn, keeps its expression, and so does one that is not all letters
    and digits (an occurrence found inside another could then stand on its own)."""
    if len(word) <= 2 or not word.isalnum():
        return [m.start() for m in _whole_word(word).finditer(text)]
    places, size, end_of_text = [], len(word), len(text)
    start = text.find(word)
    while start >= 0:
        end = start + size
        before = text[start - 1] if start else " "
        after = text[end] if end < end_of_text else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            places.append(start)
        start = text.find(word, end)
    return places


@dataclass(frozen=True)
class FoldedText:
    """A text as the lexicon reads it: folded, lower-cased with accents, and its set of words."""

    folded: str
    words: frozenset[str]
    sources: tuple[str, ...]
    _places: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def places_of(self, word: str) -> list[int]:
        """Where `word` stands as a whole word in the folded text; many phrases start with the same
        words (« traite », « victimes »), so each is looked for once per text."""
        places = self._places.get(word)
        if places is None:
            places = self._places[word] = whole_word_places(self.folded, word)
        return places

    @cached_property
    def lowered(self) -> str:
        """Lower case with accents, for the few phrases that keep them: computed when one needs it."""
        return " \n ".join(source.lower().replace("’", "'") for source in self.sources)

    @classmethod
    def of(cls, text: str) -> FoldedText:
        folded = fold(text)
        return cls(folded, frozenset(words_of(folded)), (text,))

    @classmethod
    def joined(cls, parts: list[FoldedText]) -> FoldedText:
        return cls(
            " \n ".join(p.folded for p in parts),
            frozenset().union(*(p.words for p in parts)),
            tuple(source for p in parts for source in p.sources),
        )
