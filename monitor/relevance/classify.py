"""Scoring a story with the lexicon (`classify`), and `veille classify` over JSON Lines."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from monitor.relevance.lexicon import Lexicon
from monitor.relevance.phrases import _found
from monitor.relevance.rules import Positions, Rule, SignalGroup, rules_holding
from monitor.relevance.text import HEADLINE_JOIN, FoldedText

FIELDS = ("title", "summary", "text")
# Text beyond this many characters adds nothing: the lead says what a story is about.
TEXT_LIMIT = 6000
# `veille classify` writes its lines by the thousand: one write a line costs a system call each when
# the output is unbuffered (PYTHONUNBUFFERED) and shows in the throughput.
OUTPUT_BATCH = 1000
# One encoder for every line: `json.dumps` with an option builds a new one at each call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


@dataclass
class Relevance:
    relevant: bool
    score: float
    topics: list[str] = field(default_factory=list)
    kind: str | None = None
    matched: list[str] = field(default_factory=list)
    # Below the threshold but with evidence: a weak signal (« Signaux faibles »), ranked by evidence.
    weak: bool = False
    evidence: float = 0.0
    # The rules that held and the weak signals, in French words: the rest of the « pourquoi ? ».
    why: list[str] = field(default_factory=list)

    def to_json(self, item_id: Any) -> dict[str, Any]:
        return {"id": item_id, "relevant": self.relevant, "score": self.score, "topics": self.topics,
                "kind": self.kind, "matched": self.matched, "weak": self.weak, "evidence": self.evidence,
                "why": self.why}  # fmt: skip


class _Stretch:
    """The headline (title and summary, read as one text) or the article's text, as the lexicon
    reads it, with its negative contexts found once."""

    def __init__(self, lexicon: Lexicon, text: str) -> None:
        self.lexicon, self.text, self.folded = lexicon, text, FoldedText.of(text)
        self.positions: Positions = {}
        self._cancelled: list[tuple[int, int]] | None = None

    def kept(self, match: re.Match[str]) -> bool:
        """Whether a match stands outside every negative context (`trafic de stupéfiants`)."""
        if self._cancelled is None:
            self._cancelled = [m.span() for _, m in self.lexicon.negatives.matches(self.folded)]
        if not self._cancelled:
            return True
        start, end = match.span()
        return not any(a <= start and end <= b for a, b in self._cancelled)

    def terms_and_anchors(self) -> list[tuple[int, int, str]]:
        """(term index, place, matched text) of every term found, in one pass with the anchor
        signals, which go to `positions`."""
        terms = []
        lexicon = self.lexicon
        for index, match in lexicon.primary.matches(self.folded):
            if not self.kept(match):
                continue
            start, end = match.span()
            if index < lexicon.term_count:
                terms.append((index, start, self.text[start:end]))
            else:
                group = lexicon.primary[index].topics[0]
                self.positions.setdefault(group, []).append((start, end, self.text[start:end]))
        return terms

    def contexts(self) -> None:
        """Add the context signals found to `positions`, by group."""
        for index, match in self.lexicon.contexts.matches(self.folded):
            if self.kept(match):
                start, end = match.span()
                group = self.lexicon.contexts[index].topics[0]
                self.positions.setdefault(group, []).append((start, end, self.text[start:end]))


def classify(lexicon: Lexicon, title: str, summary: str = "", text: str = "") -> Relevance:
    """Score a story from its title, summary and text; see the module docstring."""
    title, summary, text = title or "", summary or "", (text or "")[:TEXT_LIMIT]
    weights = lexicon.field_weights
    best: dict[int, float] = {}
    matched: dict[int, str] = {}
    text_score = 0.0
    # Title and summary are read as one text (a match's place says which); the article's text
    # apart. Context signals (work, children…) are frequent: looked for only where an anchor
    # (coercion, begging, organs…) was found.
    headline = (
        _Stretch(lexicon, f"{title}{HEADLINE_JOIN}{summary}" if summary else title)
        if title or summary
        else None
    )
    body = _Stretch(lexicon, text) if text else None
    if headline is not None:
        for index, start, snippet in headline.terms_and_anchors():
            weight = lexicon.terms[index].weight * weights["title" if start < len(title) else "summary"]
            matched.setdefault(index, snippet)
            best[index] = max(weight, best.get(index, 0.0))
    if body is not None:
        seen_in_text: set[int] = set()
        for index, _, snippet in body.terms_and_anchors():
            matched.setdefault(index, snippet)
            if index not in best and index not in seen_in_text:
                text_score += lexicon.terms[index].weight * weights["text"]
            seen_in_text.add(index)
    found = {name: stretch.positions for name, stretch in (("headline", headline), ("body", body))
             if stretch is not None and stretch.positions}  # fmt: skip
    if not matched and not found:
        return Relevance(False, 0.0)  # most news: nothing to weigh
    held: list[tuple[Rule, list[str]]] = []
    in_body: list[tuple[Rule, list[str]]] = []
    strong: list[SignalGroup] = []
    everywhere: Positions = {}
    if found:  # only where an anchor was found: contexts, rules, strong signals
        for name in found:
            (headline if name == "headline" else body).contexts()  # type: ignore[union-attr]
        held = rules_holding(lexicon.rules, [found["headline"]]) if "headline" in found else []
        in_body = rules_holding(lexicon.rules, [found["body"]]) if "body" in found else []
        held_names = {rule.name for rule, _ in held}
        in_body = [(rule, words) for rule, words in in_body if rule.name not in held_names]
        text_score += sum(rule.weight * weights["text"] for rule, _ in in_body)
        for positions in found.values():
            for group, places in positions.items():
                everywhere.setdefault(group, places)
        strong = [g for g in lexicon.strong_groups if g.name in everywhere]
    score = sum(best.values()) + sum(rule.weight for rule, _ in held) + min(text_score, lexicon.text_cap)
    positive = sorted({matched[i] for i in matched if lexicon.terms[i].weight > 0}, key=str.lower)
    why = [rule.explain(words) for rule, words in [*held, *in_body]]
    whole = None
    penalty = 0.0
    # A penalty (a known trap: ransom, smugglers, prison labour) lowers the score and the weak
    # signals' evidence; with neither it changes nothing.
    if score > 0 or strong:
        parts = [s.folded for s in (headline, body) if s is not None]
        whole = parts[0] if len(parts) == 1 else FoldedText.joined(parts)
        penalty = sum(lexicon.penalties[i].weight for i in _found(lexicon.penalties, whole))
    if score > 0:
        score, penalty = score + penalty, 0.0
    score = round(score, 2)
    relevant = score >= lexicon.threshold
    evidence = round(score + len(strong) + penalty, 2)
    weak = not relevant and evidence >= lexicon.weak_threshold and bool(positive or strong)
    if weak and not held and not in_body and whole is not None and _found(lexicon.vetoes, whole):
        weak = False
    if weak and not held and not in_body:
        why += [f"Indice, {group.label} : « {everywhere[group.name][0][2]} »" for group in strong]
    rule_topics = {t for rule, _ in [*held, *in_body] for t in rule.topics}
    topics = sorted({t for index in matched for t in lexicon.terms[index].topics} | rule_topics)
    if not positive and not rule_topics:
        topics = []
    kind = _kind(lexicon, whole) if relevant and whole is not None else None
    return Relevance(relevant, score, topics, kind, positive, weak, evidence, why)


def vetoed(lexicon: Lexicon, title: str, summary: str = "") -> bool:
    """Whether title and summary hold one of the lexicon's vetoes (violence within a couple, abuse in a
    care home…): a story the learnt model may not lift."""
    return bool(
        _found(lexicon.vetoes, FoldedText.of(f"{title}{HEADLINE_JOIN}{summary}" if summary else title))
    )


def _kind(lexicon: Lexicon, text: FoldedText) -> str | None:
    """The kind whose phrases match most (justice, publication, evenement), or None."""
    found = [lexicon.all_kinds[index].topics[0] for index in _found(lexicon.all_kinds, text)]
    counts = {kind: found.count(kind) for kind in lexicon.kinds}
    best = max(counts.values(), default=0)
    return next((kind for kind, count in counts.items() if count == best), None) if best else None


def classify_lines(
    lexicon: Lexicon,
    lines: Iterable[str],
    out: TextIO,
    judge: Callable[[Relevance, str, str], Relevance] | None = None,
) -> list[tuple[int, str]]:
    """`veille classify`: JSON Lines in, JSON Lines out; returns the lines that could not be read.
    `judge` (the learnt model's lift) may raise the lexicon's judgement of title and summary."""
    errors = []
    batch: list[str] = []
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
        title, summary = item.get("title") or "", item.get("summary") or ""
        result = classify(lexicon, title, summary, item.get("text") or "")
        if judge is not None:
            result = judge(result, title, summary)
        batch.append(_encode(result.to_json(item.get("id"))))
        if len(batch) == OUTPUT_BATCH:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")
    return errors
