"""The lexicon of `data/topics.yml` loaded and checked: terms, negative contexts, penalties, kinds,
threshold and field weights; every error names the section and the entry."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
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
