"""Scoring a story with the lexicon (`classify`), and `veille classify` over JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from monitor.relevance.lexicon import Lexicon
from monitor.relevance.phrases import _found
from monitor.relevance.text import FoldedText

FIELDS = ("title", "summary", "text")
# Text beyond this many characters adds nothing: the lead says what a story is about.
TEXT_LIMIT = 6000


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
