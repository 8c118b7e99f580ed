"""Phrases of the lexicon: its pattern syntax compiled to regular expressions, and sets of phrases
indexed by the words a text must hold for them to match, so a text visits few of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from monitor.relevance.text import FoldedText, fold

# How a character changes the depth of parentheses.
_DEPTH = {"(": 1, ")": -1}


def _pattern_regex(pattern: str, keep_accents: bool) -> re.Pattern[str]:
    """Lexicon syntax: words separated by spaces (any run of spaces, hyphens, apostrophes), `*` at
    the end of a word for any ending, `?` after a letter or a group to make it optional, `(a|b)`
    for alternatives."""
    text = _optional_groups_take_their_space(pattern.lower() if keep_accents else fold(pattern))
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


def _optional_groups_take_their_space(text: str) -> str:
    """`a (b)? c` → `a( b)? c`: the space before an optional group becomes part of it, so that
    `a c` matches (a separator outside the group would be required twice when it is absent, and
    `debt (to repay)?` would never match `debt the owner`)."""
    chars = list(text)
    for opening in range(len(chars) - 1, 0, -1):
        if chars[opening] != "(" or not chars[opening - 1].isspace():
            continue
        depth, closing = 0, None
        for index in range(opening, len(chars)):
            depth += _DEPTH.get(chars[index], 0)
            if depth == 0:
                closing = index
                break
        optional = closing is not None and closing + 1 < len(chars) and chars[closing + 1] == "?"
        # `a (b )?c`, the older way to write it, already works: left as it is.
        if optional and closing is not None and not chars[closing - 1].isspace():
            chars[opening - 1], chars[opening] = "(", " "
    return "".join(chars)


# Where `_split_top` and `_closing` look: parentheses and the separator, skipping the letters between.
_MARKS = {" ": re.compile(r"[() ]"), "|": re.compile(r"[()|]")}
_PARENTHESES = re.compile(r"[()]")


def _split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` (a space or `|`) outside parentheses."""
    if "(" not in text and ")" not in text:
        return text.split(separator)
    parts, depth, start = [], 0, 0
    for mark in _MARKS[separator].finditer(text):
        char = mark.group()
        if char != separator:
            depth += _DEPTH[char]
        elif depth == 0:
            parts.append(text[start : mark.start()])
            start = mark.end()
    parts.append(text[start:])
    return parts


def _closing(text: str) -> int | None:
    """Where the parenthesis opening `text` closes (`(a )?(b)` is two groups, not one)."""
    if not text.startswith("("):
        return 0 if text else None
    depth = 0
    for mark in _PARENTHESES.finditer(text):
        depth += _DEPTH[mark.group()]
        if depth == 0:
            return mark.start()
    return None


def _element_triggers(element: str) -> tuple[set[str], set[str]] | None:
    """Words (and word prefixes) one of which a text must contain for `element` to match it."""
    if element.startswith("(") and _closing(element) == len(element) - 1:
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


FUNCTION_WORDS = frozenset(
    "a au aux d de des du en et l la le les par pour sur un une son sa ses leur leurs ce cette qui que"
    " the a an and of to for by in on at as into with them him her his their its is was were be"
    " etait etaient a ete ont sont est".split()
)


def _triggers(pattern: str) -> tuple[set[str], set[str]] | None:
    """The most selective trigger set of a pattern: its element with the fewest alternatives."""
    candidates = [
        found
        for element in _split_top(pattern.strip().replace("'", " "), " ")
        if element and (found := _element_triggers(element)) is not None
    ]
    if not candidates:
        return None
    # An element of little words (`(a|de|d')`, `(to|for)`) is in nearly every text: a poor trigger.
    return min(
        candidates,
        key=lambda found: (
            bool(found[0] & FUNCTION_WORDS),
            len(found[0]) + 3 * len(found[1]),
            -min(map(len, found[0] | found[1])),
        ),
    )


def _required_words(pattern: str) -> frozenset[str]:
    """The words every match of `pattern` contains: its top-level elements that are plain words."""
    elements = _split_top(pattern.strip().replace("'", " ").replace("-", " "), " ")
    return frozenset(e for e in elements if e and re.fullmatch(r"\w+", e))


def _start_words(pattern: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The exact words and the word prefixes (`survivant*`) every match of `pattern` begins with,
    or nothing when a match may begin otherwise (an optional first element, a nested group)."""
    nothing: tuple[frozenset[str], tuple[str, ...]] = (frozenset(), ())
    first = _split_top(pattern.strip(), " ")[0]
    if first.endswith("?"):
        return nothing
    alternatives = _split_top(first[1:-1], "|") if first.startswith("(") and first.endswith(")") else [first]
    words, prefixes = set(), set()
    for alternative in alternatives:
        head = _split_top(alternative.strip(), " ")[0]
        word = re.match(r"\w+", head)
        if not word or head.startswith("("):
            return nothing
        if re.fullmatch(r"\w+\*", head):
            prefixes.add(word.group())
        elif re.match(r"\w+[*?(]", head):
            return nothing
        else:
            words.add(word.group())
    return frozenset(words), tuple(sorted(prefixes))


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
    # …and the word prefixes it can begin with (`survivant*`), whose places are found the same way.
    start_prefixes: tuple[str, ...] = ()
    weight: float = 0.0
    topics: tuple[str, ...] = ()
    keep_accents: bool = False


@cache
def _word_start(prefix: str) -> re.Pattern[str]:
    """`prefix` at the start of a word (the check before it comes after it, as in `_whole_word`)."""
    return re.compile(rf"{re.escape(prefix)}(?<!\w.{{{len(prefix)}}})")


class PhraseSet(tuple[Phrase, ...]):
    """Phrases indexed by trigger word, so a text visits only the phrases that could match it."""

    def __new__(cls, phrases: Iterable[Phrase]) -> PhraseSet:
        self = super().__new__(cls, tuple(phrases))
        self._by_word: dict[str, list[int]] = {}
        by_prefix: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, phrase in enumerate(self):
            for word in phrase.triggers:
                self._by_word.setdefault(word, []).append(index)
            for prefix in phrase.prefixes:
                by_prefix.setdefault(prefix, []).append(index)
            if not phrase.triggers and not phrase.prefixes:
                self._always.append(index)
        self._by_prefix = list(by_prefix.items())
        # A frozenset, not the dict's keys: `words & keys()` would copy every key at each call.
        self._trigger_words = frozenset(self._by_word)
        # What `matches` reads of each phrase, in one tuple: attribute look-ups cost in its loop.
        self._plans = [(p.required, p.starts, p.start_prefixes, p.regex, p.keep_accents) for p in self]
        return self

    def candidates(self, text: FoldedText) -> set[int]:
        """Indexes of the phrases whose triggers the text contains."""
        found = set(self._always)
        for word in text.words & self._trigger_words:
            found.update(self._by_word[word])
        folded = text.folded
        for prefix, ids in self._by_prefix:
            if prefix in folded:
                found.update(ids)
        return found  # an order that follows the hash seed: `matches` sorts what it finds

    def matches(self, text: FoldedText) -> list[tuple[int, re.Match[str]]]:
        """Every match of every phrase in the text, in text order (one list, one function: this runs
        for each field of each story, and calls cost more than the search itself). A phrase with start
        words is tried only where one of them stands, its matches not overlapping, as with finditer.
        The order is the text's, never the candidates' set's, so that what the « pourquoi ? » quotes
        does not change from one process to the next."""
        found: list[tuple[int, re.Match[str]]] = []
        words, folded = text.words, text.folded
        places_of, plans = text.places_of, self._plans
        for index in self.candidates(text):
            required, starts, start_prefixes, regex, keep_accents = plans[index]
            if not required <= words:
                continue
            if not starts and not start_prefixes:
                found += [(index, m) for m in regex.finditer(text.lowered if keep_accents else folded)]
                continue
            present = starts & words
            prefixes = [p for p in start_prefixes if p in folded] if start_prefixes else None
            if prefixes:
                positions: Iterable[int] = sorted(
                    {place for word in present for place in places_of(word)}
                    | {m.start() for prefix in prefixes for m in _word_start(prefix).finditer(folded)}
                )
            elif not present:
                continue
            elif len(present) == 1:
                [word] = present
                positions = places_of(word)
            else:
                positions = sorted({place for word in present for place in places_of(word)})
            end = 0
            for position in positions:
                if position >= end and (match := regex.match(folded, position)):
                    end = match.end()
                    found.append((index, match))
        if len(found) > 1:
            found.sort(key=_text_order)
        return found


def _text_order(found: tuple[int, re.Match[str]]) -> tuple[int, int]:
    return found[1].start(), found[0]


def _found(phrases: PhraseSet, text: FoldedText) -> set[int]:
    """Indexes of the phrases that match the text at least once."""
    return {index for index, _ in phrases.matches(text)}
