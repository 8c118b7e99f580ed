"""Learning from the desk: every « Choisir » and « Signaler » is a story the associations wanted,
every « Écarter » one they did not. Once enough decisions exist, a small logistic regression on the
words of title and summary (numpy, trained in a fraction of a second) gives each new story a
probability; a high one lifts a story the lexicon missed into « À trier », a middling one into
« Signaux faibles ». It never removes a story the lexicon kept. Its « pourquoi ? » is the words that
weighed most. numpy rather than scikit-learn: the model is forty lines, explainable weight by weight,
and scikit-learn (with scipy) would add tens of megabytes and half a second to every night's start.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from monitor.relevance.classify import Relevance
from monitor.relevance.text import fold

# Little words carry no meaning of their own here.
STOP_WORDS = frozenset(
    "les des une dans pour par sur avec aux qui que est sont ont ete etait leur leurs son ses cette ces"
    " plus pas the and for with from that this was were have has are their its into after over".split()
)
MAX_FEATURES = 3000
# The model trained on the corpus, beside topics.yml in the configuration folder.
MODEL_FILE = "relevance-model.json"
MAX_EXAMPLES = 5000


@dataclass(frozen=True)
class Decision:
    """A story and what the desk decided: True for chosen or signalled, False for dismissed."""

    title: str
    summary: str
    wanted: bool


def words(title: str, summary: str) -> list[str]:
    """The features of a story: its folded words of three letters or more, and pairs of them."""
    tokens = [
        w for w in fold(f"{title} {summary}").split() if len(w) > 2 and w.isalpha() and w not in STOP_WORDS
    ]
    return list(dict.fromkeys([*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]))


@dataclass
class Model:
    vocabulary: dict[str, int]
    weights: np.ndarray
    bias: float
    trained_on: int
    details: dict[str, Any] = field(default_factory=dict)
    _weight_of: dict[str, float] | None = field(default=None, repr=False, compare=False)

    def probability(self, title: str, summary: str) -> float:
        if self._weight_of is None:  # a plain dict: summing a few floats beats numpy's indexing
            self._weight_of = {w: float(self.weights[i]) for w, i in self.vocabulary.items()}
        get = self._weight_of.get
        total = self.bias + sum(get(w, 0.0) for w in words(title, summary))
        return 1 / (1 + math.exp(-total))

    def reasons(self, title: str, summary: str, count: int = 4) -> list[str]:
        """The words of this story that weighed most for it."""
        present = [
            (float(self.weights[self.vocabulary[w]]), w)
            for w in words(title, summary)
            if w in self.vocabulary
        ]
        return [word for weight, word in sorted(present, reverse=True)[:count] if weight > 0]

    def top_words(self, count: int = 15) -> list[tuple[str, float]]:
        """The words that weigh most for a story, over all the vocabulary."""
        order = np.argsort(-self.weights)[:count]
        names = {index: word for word, index in self.vocabulary.items()}
        return [(names[int(i)], round(float(self.weights[i]), 3)) for i in order]

    def to_json(self) -> str:
        weights = [round(float(w), 5) for w in self.weights]
        return json.dumps({"vocabulary": self.vocabulary, "weights": weights, "bias": self.bias,
                           "trained_on": self.trained_on, "details": self.details})  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> Model:
        data = json.loads(text)
        return cls(data["vocabulary"], np.array(data["weights"], dtype=np.float64), data["bias"],
                   data["trained_on"], data.get("details") or {})  # fmt: skip


def train(decisions: list[Decision], l2: float = 1.0, steps: int = 400, rate: float = 0.5) -> Model:
    """A logistic regression on the decisions (the newest `MAX_EXAMPLES`), by gradient descent with
    an L2 penalty; classes weighted so that a desk that dismisses much still teaches what it wants."""
    decisions = decisions[-MAX_EXAMPLES:]
    features = [words(d.title, d.summary) for d in decisions]
    counts = Counter(w for f in features for w in set(f))
    # Ties ordered by the word, not by set order (which varies between runs): same input, same model.
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:MAX_FEATURES]
    vocabulary = {w: i for i, (w, n) in enumerate(ranked) if n >= 2}
    matrix = np.zeros((len(decisions), len(vocabulary)), dtype=np.float64)
    for row, found in enumerate(features):
        matrix[row, [vocabulary[w] for w in found if w in vocabulary]] = 1.0
    labels = np.array([1.0 if d.wanted else 0.0 for d in decisions])
    positives = max(1.0, labels.sum())
    negatives = max(1.0, len(labels) - labels.sum())
    sample = np.where(labels == 1.0, len(labels) / (2 * positives), len(labels) / (2 * negatives))
    weights, bias = np.zeros(len(vocabulary)), 0.0
    for _ in range(steps):
        predicted = 1 / (1 + np.exp(-(matrix @ weights + bias)))
        error = (predicted - labels) * sample
        weights -= rate * (matrix.T @ error / len(labels) + l2 * weights / len(labels))
        bias -= rate * float(error.mean())
    return Model(vocabulary, weights, bias, len(decisions))


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


def lift(judged: Relevance, model: Model, title: str, summary: str, settings: dict[str, Any]) -> Relevance:
    """The lexicon's judgement, raised by the model when it is confident: into « À trier » above
    `learning_lift_probability`, into « Signaux faibles » above `learning_weak_probability`. A story
    the lexicon kept is returned as it is."""
    if judged.relevant:
        return judged
    probability = model.probability(title, summary)
    if probability < settings["learning_weak_probability"]:
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


def shipped_judge(path: Path, settings: dict[str, Any]) -> Callable[[Relevance, str, str], Relevance] | None:
    """The lift by the model file at `path` (trained on the corpus), or None when there is none."""
    model = shipped_model(path)
    if model is None:
        return None
    return lambda judged, title, summary: lift(judged, model, title, summary, settings)
