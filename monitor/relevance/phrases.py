"""Phrases of the lexicon: its pattern syntax compiled to regular expressions, and sets of phrases
indexed by the words a text must hold for them to match, so a text visits few of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from monitor.relevance.text import FoldedText, fold


def _pattern_regex(pattern: str, keep_accents: bool) -> re.Pattern[str]:
    """Lexicon syntax: words separated by spaces (any run of spaces, hyphens, apostrophes), `*` at
    the end of a word for any ending, `?` after a letter or a group to make it optional, `(a|b)`
    for alternatives."""
    text = pattern.lower() if keep_accents else fold(pattern)
    out = []
    for token in re.split(r"(\(|\)|\||\*|\?|\s+|')", text):
        if not token:
            continue
        if token == "?":
            out.append("?")
        elif token in ("(", ")", "|"):
            out.append({"(": "(?:", ")": ")", "|": "|"}[token])
        elif token == "*":
            out.append(r"\w*")
        elif token.isspace():
            out.append(r"[\s'-]+")
        elif token == "'":
            out.append(r"['\s]?")
        else:
            out.append(re.escape(token))
    return re.compile(r"(?<!\w)" + "".join(out) + r"(?!\w)")


def _split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _element_triggers(element: str) -> tuple[set[str], set[str]] | None:
    """Words (and word prefixes) one of which a text must contain for `element` to match it."""
    if element.startswith("(") and element.endswith(")"):
        exact: set[str] = set()
        prefixes: set[str] = set()
        for alternative in _split_top(element[1:-1], "|"):
            found = _triggers(alternative)
            if found is None:
                return None
            exact |= found[0]
            prefixes |= found[1]
        return exact, prefixes
    if "(" in element or ")" in element:
        return None
    words = re.findall(r"\w+\*?", element.replace("?", "*"))
    if not words:
        return None
    word = max(words, key=len)
    return (set(), {word[:-1]}) if word.endswith("*") else ({word}, set())


def _triggers(pattern: str) -> tuple[set[str], set[str]] | None:
    """The most selective trigger set of a pattern: its element with the fewest alternatives."""
    candidates = [
        found
        for element in _split_top(pattern.strip().replace("'", " "), " ")
        if element and (found := _element_triggers(element)) is not None
    ]
    if not candidates:
        return None
    return min(
        candidates, key=lambda found: (len(found[0]) + 3 * len(found[1]), -min(map(len, found[0] | found[1])))
    )


def _required_words(pattern: str) -> frozenset[str]:
    """The words every match of `pattern` contains: its top-level elements that are plain words."""
    elements = _split_top(pattern.strip().replace("'", " ").replace("-", " "), " ")
    return frozenset(e for e in elements if e and re.fullmatch(r"\w+", e))


def _start_words(pattern: str) -> frozenset[str]:
    """The exact words every match of `pattern` begins with, or nothing when a match may begin
    otherwise (an optional first element, a prefix `word*`, a nested group)."""
    first = _split_top(pattern.strip(), " ")[0]
    if first.endswith("?"):
        return frozenset()
    alternatives = _split_top(first[1:-1], "|") if first.startswith("(") and first.endswith(")") else [first]
    words = set()
    for alternative in alternatives:
        head = _split_top(alternative.strip(), " ")[0]
        word = re.match(r"\w+", head)
        if not word or head.startswith("(") or re.match(r"\w+[*?(]", head):
            return frozenset()
        words.add(word.group())
    return frozenset(words)


@dataclass(frozen=True)
class Phrase:
    pattern: str
    regex: re.Pattern[str]
    # One of these words, or a word starting with one of the prefixes, is in every text that
    # matches: a set intersection tells most texts apart before any regex runs.
    triggers: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    # Every plain word of the pattern (not optional, not a prefix, not an alternative): a text
    # missing one cannot match, and a set test is far cheaper than the regex.
    required: frozenset[str] = frozenset()
    # The words a match can begin with (its first element's alternatives), when they are exact
    # words: the regex is then tried at those words only instead of scanning the whole text.
    starts: frozenset[str] = frozenset()
    weight: float = 0.0
    topics: tuple[str, ...] = ()
    keep_accents: bool = False


@cache
def _whole_word(word: str) -> re.Pattern[str]:
    """`word` as a whole word; the check before it comes after it, so `re` searches the literal fast."""
    return re.compile(rf"{re.escape(word)}(?<!\w.{{{len(word)}}})(?!\w)")


class PhraseSet(tuple[Phrase, ...]):
    """Phrases indexed by trigger word, so a text visits only the phrases that could match it."""

    def __new__(cls, phrases: Iterable[Phrase]) -> PhraseSet:
        self = super().__new__(cls, tuple(phrases))
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: list[tuple[str, int]] = []
        self._always: list[int] = []
        for index, phrase in enumerate(self):
            for word in phrase.triggers:
                self._by_word.setdefault(word, []).append(index)
            self._by_prefix += [(prefix, index) for prefix in phrase.prefixes]
            if not phrase.triggers and not phrase.prefixes:
                self._always.append(index)
        return self

    def candidates(self, text: FoldedText) -> list[int]:
        """Indexes, in order, of the phrases whose triggers the text contains."""
        found = set(self._always)
        for word in text.words & self._by_word.keys():
            found.update(self._by_word[word])
        found.update(index for prefix, index in self._by_prefix if prefix in text.folded)
        return sorted(found)

    def searches(self, text: FoldedText) -> Iterable[tuple[int, Iterator[re.Match[str]]]]:
        """Each phrase that may match the text, with the lazy search of its matches."""
        for index in self.candidates(text):
            phrase = self[index]
            if not phrase.required <= text.words:
                continue
            if phrase.starts:
                present = phrase.starts & text.words
                if present:
                    yield index, _matches_at_starts(phrase, text, present)
            else:
                yield index, phrase.regex.finditer(text.lowered if phrase.keep_accents else text.folded)

    def matches(self, text: FoldedText) -> Iterable[tuple[int, re.Match[str]]]:
        for index, found in self.searches(text):
            for match in found:
                yield index, match


def _found(phrases: PhraseSet, text: FoldedText) -> set[int]:
    """Indexes of the phrases that match the text at least once (the first match is enough)."""
    return {index for index, found in phrases.searches(text) if next(found, None) is not None}


def _matches_at_starts(phrase: Phrase, text: FoldedText, present: frozenset[str]) -> Iterator[re.Match[str]]:
    """What `phrase.regex.finditer(text.folded)` finds, trying the regex only where one of the
    phrase's start words (those `present` in the text) begins; matches do not overlap, as with
    finditer."""
    if len(present) == 1:
        positions = [m.start() for m in _whole_word(next(iter(present))).finditer(text.folded)]
    else:
        positions = sorted(m.start() for word in present for m in _whole_word(word).finditer(text.folded))
    end = 0
    for position in positions:
        if position < end:
            continue
        match = phrase.regex.match(text.folded, position)
        if match:
            end = match.end()
            yield match
