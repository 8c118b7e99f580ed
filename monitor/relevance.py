"""Is a story about human trafficking? A pure, explainable judgement from the lexicon in
`data/topics.yml`.

Text is folded (lower case, accents removed, one character for one, so positions stay aligned) and
matched on word boundaries: `retraite` never matches `traite`. A few phrases keep their accents
(`traite` must not match `traité`, a treaty). Each matching phrase adds its weight, times the weight
of the field it was found in (title above summary above text). A negative context cancels the
matches it contains (`trafic` inside `trafic de stupéfiants`); a penalty lowers the whole story's
score (slave-trade history, prostitution-policy debates, smuggling with no exploitation). The result
keeps the matched phrases, so a user sees why a story was kept.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TextIO

from monitor.yaml_input import YamlInputError, load_yaml

FIELDS = ("title", "summary", "text")
_WORD = re.compile(r"\w+")
# Text beyond this many characters adds nothing: the lead says what a story is about.
TEXT_LIMIT = 6000


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


def fold(text: str) -> str:
    """Lower case without accents, one character for one: `Êtres « humains »` → `etres « humains »`."""
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


@dataclass(frozen=True)
class FoldedText:
    """A text as the lexicon reads it: folded, lower-cased with accents, and its set of words."""

    folded: str
    words: frozenset[str]
    sources: tuple[str, ...]

    @cached_property
    def lowered(self) -> str:
        """Lower case with accents, for the few phrases that keep them: computed when one needs it."""
        return " \n ".join(source.lower().replace("’", "'") for source in self.sources)

    @classmethod
    def of(cls, text: str) -> FoldedText:
        folded = fold(text)
        return cls(folded, frozenset(_WORD.findall(folded)), (text,))

    @classmethod
    def joined(cls, parts: list[FoldedText]) -> FoldedText:
        return cls(
            " \n ".join(p.folded for p in parts),
            frozenset().union(*(p.words for p in parts)),
            tuple(source for p in parts for source in p.sources),
        )


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


@dataclass(frozen=True)
class Lexicon:
    terms: PhraseSet
    negatives: PhraseSet
    penalties: PhraseSet
    kinds: dict[str, PhraseSet]
    threshold: float
    field_weights: dict[str, float]
    text_cap: float


@dataclass
class Relevance:
    relevant: bool
    score: float
    topics: list[str] = field(default_factory=list)
    kind: str | None = None
    matched: list[str] = field(default_factory=list)

    def to_json(self, item_id: Any) -> dict[str, Any]:
        return {"id": item_id, "relevant": self.relevant, "score": self.score, "topics": self.topics,
                "kind": self.kind, "matched": self.matched}  # fmt: skip


class LexiconError(ValueError):
    pass


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LexiconError(f"{where}: nombre attendu, trouvé {value!r}")
    return float(value)


def _phrase(entry: Any, where: str, default_weight: float = 0.0) -> Phrase:
    if isinstance(entry, str):
        entry = {"phrase": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("phrase"), str):
        raise LexiconError(f"{where}: « phrase » attendue, trouvé {entry!r}")
    pattern = entry["phrase"]
    keep = bool(entry.get("keep_accents", False))
    try:
        regex = _pattern_regex(pattern, keep)
    except re.error as exc:
        raise LexiconError(f"{where}: motif invalide {pattern!r}: {exc}") from None
    triggers = None if keep else _triggers(fold(pattern))
    # The folded words prefilter the accent-keeping phrases too: the folded text holds them.
    required = _required_words(fold(pattern))
    starts = frozenset() if keep else _start_words(fold(pattern))
    return Phrase(
        pattern=pattern,
        regex=regex,
        triggers=frozenset(triggers[0]) if triggers else frozenset(),
        prefixes=tuple(sorted(triggers[1])) if triggers else (),
        required=required,
        starts=starts,
        weight=_number(entry.get("weight", default_weight), f"{where}: weight"),
        topics=tuple(entry.get("topics") or ()),
        keep_accents=keep,
    )


def lexicon_from_data(data: dict[str, Any], source: str = "topics.yml") -> Lexicon:
    """Build a lexicon from the parsed YAML; errors name the section and the entry."""

    def phrases(section: str, default: float = 0.0) -> PhraseSet:
        entries = data.get(section) or []
        return PhraseSet(_phrase(e, f"{source}: {section}[{i}]", default) for i, e in enumerate(entries))

    kinds = {
        kind: PhraseSet(_phrase(e, f"{source}: kinds.{kind}[{i}]", 1.0) for i, e in enumerate(entries or []))
        for kind, entries in (data.get("kinds") or {}).items()
    }
    weights = {"title": 1.5, "summary": 1.0, "text": 0.5, **(data.get("field_weights") or {})}
    terms = phrases("terms")
    if not any(phrase.weight > 0 for phrase in terms):
        # An empty lexicon would silently make every article irrelevant.
        raise LexiconError(f"{source}: terms: aucun terme de poids positif (le fichier est-il vide ?)")
    return Lexicon(
        terms=terms,
        negatives=phrases("negatives"),
        penalties=phrases("penalties", -3.0),
        kinds=kinds,
        threshold=_number(data.get("threshold", 3.0), f"{source}: threshold"),
        field_weights=weights,
        text_cap=_number(data.get("text_cap", 4.0), f"{source}: text_cap"),
    )


def load_lexicon(path: Path | str) -> Lexicon:
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except YamlInputError as exc:
        raise LexiconError(f"{path}:{exc.line}: {exc}" if exc.line else f"{path}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: une liste de « clé: valeur » est attendue")
    return lexicon_from_data(data, str(path))


def _field_matches(lexicon: Lexicon, text: str, folded: FoldedText) -> dict[int, str]:
    """Terms found in one field, outside negative contexts: term index → matched text."""
    terms = list(lexicon.terms.matches(folded))
    if not terms:  # most texts: no negative context to look for
        return {}
    cancelled = [match.span() for _, match in lexicon.negatives.matches(folded)]
    found: dict[int, str] = {}
    for index, match in terms:
        start, end = match.span()
        if index not in found and not any(a <= start and end <= b for a, b in cancelled):
            found[index] = text[start:end]
    return found


def classify(lexicon: Lexicon, title: str, summary: str = "", text: str = "") -> Relevance:
    """Score a story from its title, summary and text; see the module docstring."""
    fields = {"title": title or "", "summary": summary or "", "text": (text or "")[:TEXT_LIMIT]}
    views = {name: FoldedText.of(value) for name, value in fields.items() if value}
    best: dict[int, float] = {}
    matched: dict[int, str] = {}
    text_score = 0.0
    for name, view in views.items():
        for index, snippet in _field_matches(lexicon, fields[name], view).items():
            weight = lexicon.terms[index].weight * lexicon.field_weights[name]
            matched.setdefault(index, snippet)
            if name == "text":
                text_score += 0.0 if index in best else weight
            else:
                best[index] = max(weight, best.get(index, 0.0))
    score = sum(best.values()) + min(text_score, lexicon.text_cap)
    positive = sorted({matched[i] for i in matched if lexicon.terms[i].weight > 0}, key=str.lower)
    if score <= 0:  # a penalty can only lower a score; below zero it changes nothing
        return Relevance(False, round(score, 2), [], None, positive)
    whole = FoldedText.joined(list(views.values()))
    score += sum(lexicon.penalties[i].weight for i in _found(lexicon.penalties, whole))
    score = round(score, 2)
    relevant = score >= lexicon.threshold
    topics = sorted({t for index in matched for t in lexicon.terms[index].topics}) if positive else []
    return Relevance(relevant, score, topics, _kind(lexicon, whole) if relevant else None, positive)


def _kind(lexicon: Lexicon, text: FoldedText) -> str | None:
    """The kind whose phrases match most (justice, publication, evenement), or None."""
    counts = {kind: len(_found(phrases, text)) for kind, phrases in lexicon.kinds.items()}
    best = max(counts.values(), default=0)
    return next((kind for kind, count in counts.items() if count == best), None) if best else None


def classify_lines(lexicon: Lexicon, lines: Iterable[str], out: TextIO) -> list[tuple[int, str]]:
    """`veille classify`: JSON Lines in, JSON Lines out; returns the lines that could not be read."""
    errors = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("title", ""), str):
                raise ValueError("an object with a string « title » is expected")
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        result = classify(lexicon, item.get("title") or "", item.get("summary") or "", item.get("text") or "")
        out.write(json.dumps(result.to_json(item.get("id")), ensure_ascii=False) + "\n")
    return errors
