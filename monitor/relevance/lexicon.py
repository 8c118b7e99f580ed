"""The lexicon of `data/topics.yml` loaded and checked: terms, negative contexts, penalties, kinds,
threshold and field weights; every error names the section and the entry."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from monitor.relevance.phrases import (
    Phrase,
    PhraseSet,
    _pattern_regex,
    _required_words,
    _start_words,
    _triggers,
)
from monitor.relevance.rules import Rule, SignalGroup
from monitor.relevance.text import fold
from monitor.yaml_input import YamlInputError, load_yaml


@dataclass(frozen=True)
class Lexicon:
    terms: PhraseSet
    negatives: PhraseSet
    penalties: PhraseSet
    kinds: dict[str, PhraseSet]
    threshold: float
    field_weights: dict[str, float]
    text_cap: float
    # Descriptions of exploitation (rules.py): phrases by group (a phrase's `topics` is its group),
    # anchors (rarer: coercion, begging, organs…) apart from contexts (frequent: work, children…).
    anchors: PhraseSet = field(default_factory=lambda: PhraseSet(()))
    contexts: PhraseSet = field(default_factory=lambda: PhraseSet(()))
    groups: dict[str, SignalGroup] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    # Evidence from which an item below the threshold is a weak signal (« Signaux faibles »).
    weak_threshold: float = 1.0
    # Other harms told in the words of exploitation (violence within a couple, abuse in care homes,
    # child-abuse images, abuse of the elderly): the learnt model does not lift them, and cues alone
    # make no weak signal of them; the lexicon's terms and rules still judge them.
    vetoes: PhraseSet = field(default_factory=lambda: PhraseSet(()))

    @cached_property
    def primary(self) -> PhraseSet:
        """Terms then anchor signals in one set: a field is searched once for both."""
        return PhraseSet((*self.terms, *self.anchors))

    @cached_property
    def all_kinds(self) -> PhraseSet:
        """Every kind's phrases in one set, each carrying its kind as its topic: a text is searched once
        for all kinds."""
        return PhraseSet(
            replace(phrase, topics=(kind,)) for kind, phrases in self.kinds.items() for phrase in phrases
        )

    @cached_property
    def term_count(self) -> int:
        return len(self.terms)

    @cached_property
    def strong_groups(self) -> tuple[SignalGroup, ...]:
        return tuple(group for group in self.groups.values() if group.strong)


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
    starts, start_prefixes = (frozenset(), ()) if keep else _start_words(fold(pattern))
    return Phrase(
        pattern=pattern,
        regex=regex,
        triggers=frozenset(triggers[0]) if triggers else frozenset(),
        prefixes=tuple(sorted(triggers[1])) if triggers else (),
        required=required,
        starts=starts,
        start_prefixes=start_prefixes,
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
    anchors, contexts, groups = _signals(data.get("signals"), source)
    return Lexicon(
        terms=terms,
        negatives=phrases("negatives"),
        penalties=phrases("penalties", -3.0),
        kinds=kinds,
        threshold=_number(data.get("threshold", 3.0), f"{source}: threshold"),
        field_weights=weights,
        text_cap=_number(data.get("text_cap", 4.0), f"{source}: text_cap"),
        anchors=anchors,
        contexts=contexts,
        groups=groups,
        rules=_rules(data.get("rules"), groups, source),
        weak_threshold=_number(data.get("weak_threshold", 1.0), f"{source}: weak_threshold"),
        vetoes=phrases("vetoes"),
    )


def _signals(raw: Any, source: str) -> tuple[PhraseSet, PhraseSet, dict[str, SignalGroup]]:
    """`signals:` — named groups of phrases, anchors then contexts; each phrase carries its group as
    its only topic."""
    if raw is None:
        return PhraseSet(()), PhraseSet(()), {}
    if not isinstance(raw, dict):
        raise LexiconError(f"{source}: signals: des groupes nommés sont attendus")
    anchors, contexts, groups = [], [], {}
    for name, group in raw.items():
        where = f"{source}: signals.{name}"
        if not isinstance(group, dict) or not isinstance(group.get("phrases"), list) or not group["phrases"]:
            raise LexiconError(f"{where}: « label » et une liste « phrases » sont attendus")
        label, strong = str(group.get("label") or name), bool(group.get("strong", False))
        context = bool(group.get("context", False))
        groups[name] = SignalGroup(str(name), label, strong, context)
        for index, entry in enumerate(group["phrases"]):
            phrase = _phrase(entry, f"{where}.phrases[{index}]")
            (contexts if context else anchors).append(replace(phrase, topics=(str(name),)))
    return PhraseSet(anchors), PhraseSet(contexts), groups


def _rules(raw: Any, groups: dict[str, SignalGroup], source: str) -> tuple[Rule, ...]:
    """`rules:` — each a name, the groups that must all match close together, a weight, topics."""
    rules = []
    for index, entry in enumerate(raw or []):
        where = f"{source}: rules[{index}]"
        if not isinstance(entry, dict) or not entry.get("name") or not isinstance(entry.get("all"), list):
            raise LexiconError(f"{where}: « name » et une liste « all » de groupes sont attendus")
        slots = [tuple(slot) if isinstance(slot, list) else (slot,) for slot in entry["all"]]
        unknown = [g for slot in slots for g in slot if g not in groups]
        if unknown or len(slots) < 2:
            raise LexiconError(f"{where}: groupes inconnus ou moins de deux : {unknown or entry['all']}")
        if all(groups[g].context for slot in slots for g in slot):
            raise LexiconError(f"{where}: il faut au moins un groupe qui ne soit pas « context: true »")
        window = _number(entry.get("window", 160), f"{where}: window")
        if window <= 0:
            raise LexiconError(f"{where}: window doit être positif")
        weight = _number(entry.get("weight", 3.0), f"{where}: weight")
        topics = tuple(entry.get("topics") or ())
        rules.append(Rule(str(entry["name"]), tuple(slots), weight, topics, int(window)))
    return tuple(rules)


def load_lexicon(path: Path | str) -> Lexicon:
    path = Path(path)
    try:
        return lexicon_from_bytes(path.read_bytes(), path)
    except OSError as exc:
        raise LexiconError(f"{path}: {exc}") from None


def lexicon_from_bytes(content: bytes, path: Path) -> Lexicon:
    """The lexicon of a file's bytes (UTF-8 YAML); errors name `path` and the line."""
    try:
        data = load_yaml(content.decode("utf-8")) or {}
    except YamlInputError as exc:
        raise LexiconError(f"{path}:{exc.line}: {exc}" if exc.line else f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: une liste de « clé: valeur » est attendue")
    return lexicon_from_data(data, str(path))
