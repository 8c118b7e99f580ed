"""Learning from the desk and the corpus: every « Choisir » and « Signaler » is a story the
associations wanted, every « Écarter » one they did not; every corpus story carries its label. A small
logistic regression on title and summary (words, pairs of words and hashed character n-grams, see
features.py; numpy only, trained in seconds) gives each new story a probability; a high one lifts a
story the lexicon missed into « À trier », a middling one into « Signaux faibles », a very low one
takes a weak signal out of « Signaux faibles ». It never removes a story the lexicon kept. Its
« pourquoi ? » is the words that weighed most. numpy rather than scikit-learn: measured as good here
(benchmarks/relevance_models.py), explainable word by word, and scikit-learn (with scipy) would add
tens of megabytes and half a second to every night's start.
"""

from __future__ import annotations

import base64
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import chain, pairwise, repeat
from pathlib import Path
from typing import Any

import numpy as np

from monitor.relevance.classify import Relevance, vetoed
from monitor.relevance.features import CHAR_BUCKETS, char_buckets, meaningful, tokens, words
from monitor.relevance.lexicon import Lexicon

MAX_FEATURES = 3000
# The model trained on the corpus, beside topics.yml in the configuration folder.
MODEL_FILE = "relevance-model.json"
MAX_EXAMPLES = 5000
# Below this probability the model takes a story out of « Signaux faibles » (never out of « À trier »):
# on the spent blind sets every weak signal of the lexicon alone under 0.3 was a false alarm, every real
# one over 0.8; in cross-validation 0.3 raises the weak lane's precision and keeps its recall (news.md).
WEAK_VETO_PROBABILITY = 0.3
# Character n-gram weights are stored as 16-bit integers times a scale (base64): a few tens of KB.
CHAR_LEVELS = 32767


@dataclass(frozen=True)
class Decision:
    """A story and what the desk decided: True for chosen or signalled, False for dismissed."""

    title: str
    summary: str
    wanted: bool


@dataclass
class Model:
    vocabulary: dict[str, int]
    weights: np.ndarray
    bias: float
    trained_on: int
    details: dict[str, Any] = field(default_factory=dict)
    # Hashed character n-grams (features.py); None for a model of words only (stored before them).
    char_weights: np.ndarray | None = None
    _weight_of: dict[str, float] | None = field(default=None, repr=False, compare=False)
    _pairs_after: dict[str, dict[str, float]] | None = field(default=None, repr=False, compare=False)
    _char_sums: _CharSums | None = field(default=None, repr=False, compare=False)

    def _word_weights(self) -> dict[str, float]:
        if self._weight_of is None:  # a plain dict: summing a few floats beats numpy's indexing
            self._weight_of = {w: float(self.weights[i]) for w, i in self.vocabulary.items()}
        return self._weight_of

    def _pair_weights(self) -> dict[str, dict[str, float]]:
        """The weights of the pair features by first word, then second word: a story's pairs are
        looked up without being written out as strings."""
        if self._pairs_after is None:
            self._pairs_after = {}
            for feature, weight in self._word_weights().items():
                first, space, second = feature.partition(" ")
                if space:
                    self._pairs_after.setdefault(first, {})[second] = weight
        return self._pairs_after

    def _chars(self) -> _CharSums:
        if self._char_sums is None:
            assert self.char_weights is not None
            self._char_sums = _CharSums(self.char_weights)
        return self._char_sums

    def contributions(self, title: str, summary: str) -> dict[str, float]:
        """What each word (and pair of words) of the story adds to its score."""
        found = tokens(title, summary)
        get = self._word_weights().get
        added = {w: get(w, 0.0) for w in words(title, summary, found)}
        if self.char_weights is not None and found:
            scale, chars = 1 / math.sqrt(len(found)), self._chars()
            for word in found:
                added[word] = added.get(word, 0.0) + chars[word] * scale
        return added

    def probability(self, title: str, summary: str) -> float:
        """The probability that the story is wanted: the sum of `contributions`, computed in bulk. The
        terms are those of `words`, in its order (distinct words, then distinct pairs), less the pairs
        without a weight, which would add 0.0: the same sum to the last bit."""
        found = tokens(title, summary)
        kept = meaningful(found)
        after = self._pair_weights()
        pairs = dict.fromkeys((a, b) for a, b in pairwise(kept) if a in after and b in after[a])
        weights = map(self._word_weights().get, dict.fromkeys(kept), repeat(0.0))
        total = self.bias + sum(chain(weights, (after[a][b] for a, b in pairs)))
        if self.char_weights is not None and found:
            total += sum(map(self._chars().__getitem__, found)) / math.sqrt(len(found))
        return 1 / (1 + math.exp(-total))

    def reasons(self, title: str, summary: str, count: int = 4) -> list[str]:
        """The words of this story that weighed most for it: its word features (no little word, whose
        n-grams weigh too but mean nothing to a reader), each with its n-grams."""
        added = self.contributions(title, summary)
        ranked = sorted(((added[word], word) for word in words(title, summary)), reverse=True)
        return [word for weight, word in ranked[:count] if weight > 0]

    def top_words(self, count: int = 15) -> list[tuple[str, float]]:
        """The words that weigh most for a story, over all the vocabulary."""
        order = np.argsort(-self.weights, kind="stable")[:count]
        names = {index: word for word, index in self.vocabulary.items()}
        return [(names[int(i)], round(float(self.weights[i]), 3)) for i in order]

    def to_json(self) -> str:
        weights = [round(float(w), 5) for w in self.weights]
        data: dict[str, Any] = {"vocabulary": self.vocabulary, "weights": weights, "bias": self.bias,
                                "trained_on": self.trained_on, "details": self.details}  # fmt: skip
        if self.char_weights is not None:
            scale = _char_scale(self.char_weights)
            levels = np.rint(self.char_weights / scale).astype("<i2")
            data["char_scale"] = scale
            data["char_weights"] = base64.b64encode(levels.tobytes()).decode("ascii")
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Model:
        data = json.loads(text)
        chars = None
        if "char_weights" in data:
            levels = np.frombuffer(base64.b64decode(data["char_weights"]), dtype="<i2")
            chars = levels.astype(np.float64) * data["char_scale"]
        return cls(data["vocabulary"], np.array(data["weights"], dtype=np.float64), data["bias"],
                   data["trained_on"], data.get("details") or {}, chars)  # fmt: skip


class _CharSums(dict[str, float]):
    """Each word's summed character n-gram weight, computed the first time the word is seen."""

    def __init__(self, weights: np.ndarray) -> None:
        super().__init__()
        self.weights = weights

    def __missing__(self, word: str) -> float:
        weight = self[word] = float(self.weights[list(char_buckets(word))].sum())
        return weight


def _matrix(
    decisions: list[Decision], vocabulary: dict[str, int], chars: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The examples as a sparse matrix (rows, columns, values): word features first, then the
    character buckets, each word's n-grams scaled by one over the root of the story's word count."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    offset = len(vocabulary)
    for row, d in enumerate(decisions):
        found = tokens(d.title, d.summary)
        present = [vocabulary[w] for w in words(d.title, d.summary, found) if w in vocabulary]
        rows += [row] * len(present)
        cols += present
        vals += [1.0] * len(present)
        if chars and found:
            counts = Counter(b for word in found for b in char_buckets(word))
            scale = 1 / math.sqrt(len(found))
            for bucket in sorted(counts):
                rows.append(row)
                cols.append(offset + bucket)
                vals.append(counts[bucket] * scale)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float64)


def train(
    decisions: list[Decision],
    l2: float = 1.0,
    steps: int = 300,
    rate: float = 0.05,
    chars: bool = True,
    limit: int | None = MAX_EXAMPLES,
) -> Model:
    """A logistic regression on the decisions (the newest `limit`, all if None), by full-batch Adam with
    an L2 penalty, on a sparse matrix (numpy only); classes weighted so that a desk that dismisses much
    still teaches what it wants. Deterministic: same decisions, same weights."""
    decisions = decisions[-limit:] if limit is not None else decisions
    counts = Counter(w for d in decisions for w in words(d.title, d.summary))
    # Ties ordered by the word, not by set order (which varies between runs): same input, same model.
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:MAX_FEATURES]
    vocabulary = {w: i for i, (w, n) in enumerate(ranked) if n >= 2}
    rows, cols, vals = _matrix(decisions, vocabulary, chars)
    size = len(vocabulary) + (CHAR_BUCKETS if chars else 0)
    labels = np.array([1.0 if d.wanted else 0.0 for d in decisions])
    n = max(1, len(labels))
    positives = max(1.0, labels.sum())
    negatives = max(1.0, len(labels) - labels.sum())
    sample = np.where(labels == 1.0, n / (2 * positives), n / (2 * negatives))
    params = np.zeros(size + 1)  # the weights, then the bias
    moment, velocity = np.zeros(size + 1), np.zeros(size + 1)
    for step in range(1, steps + 1):
        weights, bias = params[:-1], params[-1]
        scores_ = np.bincount(rows, weights=vals * weights[cols], minlength=len(labels)) + bias
        error = (1 / (1 + np.exp(-scores_)) - labels) * sample
        gradient = np.empty(size + 1)
        gradient[:-1] = np.bincount(cols, weights=vals * error[rows], minlength=size) / n + l2 * weights / n
        gradient[-1] = error.mean()
        moment = 0.9 * moment + 0.1 * gradient
        velocity = 0.999 * velocity + 0.001 * gradient**2
        params -= rate * (moment / (1 - 0.9**step)) / (np.sqrt(velocity / (1 - 0.999**step)) + 1e-8)
    # Rounded as the model file stores them: the model trained is the model read back.
    weights = np.round(params[: len(vocabulary)], 5)
    char_weights = None
    if chars:
        scale = _char_scale(params[len(vocabulary) : size])
        char_weights = np.rint(params[len(vocabulary) : size] / scale) * scale
    return Model(vocabulary, weights, float(params[-1]), len(decisions), char_weights=char_weights)


def _char_scale(weights: np.ndarray) -> float:
    """The step between two stored levels of the character weights."""
    return float(np.abs(weights).max() / CHAR_LEVELS) or 1.0


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    kept: int
    relevant: int

    def line(self) -> str:
        counts = f"{self.kept} retenues, {self.relevant} voulues"
        return f"précision {self.precision:.2f}, rappel {self.recall:.2f} ({counts})"


def scores(predicted: Iterable[bool], wanted: Iterable[bool]) -> Scores:
    pairs = list(zip(predicted, wanted, strict=True))
    hits = sum(1 for p, w in pairs if p and w)
    kept = sum(1 for p, _ in pairs if p)
    relevant = sum(1 for _, w in pairs if w)
    return Scores(hits / kept if kept else 0.0, hits / relevant if relevant else 0.0, kept, relevant)


def lift(
    judged: Relevance,
    model: Model,
    title: str,
    summary: str,
    settings: dict[str, Any],
    lexicon: Lexicon | None = None,
) -> Relevance:
    """The lexicon's judgement, raised by the model when it is confident: into « À trier » above
    `learning_lift_probability`, into « Signaux faibles » above `learning_weak_probability`; a weak
    signal it finds very unlikely (below `WEAK_VETO_PROBABILITY`) leaves « Signaux faibles ». A story
    the lexicon kept is returned as it is, and so is one that `lexicon` vetoes (a woman chained by her
    husband, care-home residents abused: other harms in the words of exploitation)."""
    if judged.relevant:
        return judged
    probability = model.probability(title, summary)
    if probability < settings["learning_weak_probability"]:
        if judged.weak and probability < WEAK_VETO_PROBABILITY:
            return replace(judged, weak=False, evidence=0.0)
        return judged
    if lexicon is not None and vetoed(lexicon, title, summary):
        return judged
    found = ", ".join(f"« {w} »" for w in model.reasons(title, summary)) or "—"
    taught = (
        "Appris des exemples du corpus"
        if model.details.get("source") == "corpus"
        else "Appris des choix de la veille"
    )
    why = [*judged.why, f"{taught} ({probability:.0%}) : {found}"]
    if probability >= settings["learning_lift_probability"]:
        return replace(judged, relevant=True, weak=False, why=why)
    return replace(judged, weak=True, evidence=max(judged.evidence, probability), why=why)


def shipped_model(path: Path) -> Model | None:
    """The model file at `path` (trained on the corpus), or None when there is none."""
    return Model.from_json(path.read_text(encoding="utf-8")) if path.exists() else None


def shipped_judge(
    path: Path, settings: dict[str, Any], lexicon: Lexicon | None = None
) -> Callable[[Relevance, str, str], Relevance] | None:
    """The lift by the model file at `path` (trained on the corpus), or None when there is none;
    what `lexicon` vetoes is not lifted."""
    model = shipped_model(path)
    if model is None:
        return None
    return lambda judged, title, summary: lift(judged, model, title, summary, settings, lexicon)
