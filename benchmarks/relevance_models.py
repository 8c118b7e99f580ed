"""Model choice by measurement: candidate models for the corpus lift, cross-validated on the corpus in
folds grouped by outlet and by year (the folds of `veille relevance cv`), each judged as it is used:
the lexicon first, then the model lifting what the lexicon missed (« À trier » at p ≥ 0.8, « Signaux
faibles » at p ≥ 0.5, a lexicon weak signal vetoed below p 0.1), by language and by named/described.

Candidates: the shipped numpy logistic regression (words + word pairs), the same with a larger
vocabulary, and scikit-learn learners over binary word features or tf-idf word + character n-grams.
scikit-learn is needed here only (it is not a dependency of Veille):

    uv run --with scikit-learn python benchmarks/relevance_models.py data/corpus/stories.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from monitor.config import load_config
from monitor.relevance import classify, learning, load_lexicon
from monitor.relevance.corpus import decisions_of
from monitor.relevance.crossval import fold_of, group_of
from monitor.relevance.features import words
from monitor.relevance.learning import scores, train
from monitor.relevance.text import fold

ROOT = Path(__file__).parent.parent
Predict = Callable[[list[dict[str, Any]]], np.ndarray]


def text_of(story: dict[str, Any]) -> str:
    return f"{story['title']} {story.get('summary') or ''}"


def numpy_lr(chars: bool, **options: Any) -> Callable[[list[dict[str, Any]]], Predict]:
    def fit(stories: list[dict[str, Any]]) -> Predict:
        saved = learning.MAX_FEATURES
        learning.MAX_FEATURES = options.pop("max_features", saved)
        try:
            model = train(decisions_of(stories), chars=chars, **options)
        finally:
            learning.MAX_FEATURES = saved
        return lambda test: np.array([model.probability(s["title"], s.get("summary") or "") for s in test])

    return fit


def sklearn_model(kind: str) -> Callable[[list[dict[str, Any]]], Predict]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    def fit(stories: list[dict[str, Any]]) -> Predict:
        labels = [s["label"] == "relevant" for s in stories]
        if kind == "lr-binary-words":  # the shipped features, another learner
            features = CountVectorizer(analyzer=lambda t: words(t, ""), binary=True, min_df=2)
            learner: Any = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
        else:
            features = make_union(
                TfidfVectorizer(preprocessor=fold, ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                TfidfVectorizer(preprocessor=fold, analyzer="char_wb", ngram_range=(3, 5), min_df=2,
                                sublinear_tf=True),
            )  # fmt: skip
            learner = (
                LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
                if kind == "lr-tfidf-word-char"
                else CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), cv=3)
            )
        pipeline = make_pipeline(features, learner)
        pipeline.fit([text_of(s) for s in stories], labels)
        return lambda test: pipeline.predict_proba([text_of(s) for s in test])[:, 1]

    return fit


def evaluate(stories: list[dict[str, Any]], fit: Callable[[list[dict[str, Any]]], Predict], by: str,
             lexicon: Any, settings: dict[str, Any]) -> list[tuple[dict[str, Any], Any, float]]:  # fmt: skip
    rows = []
    for part in range(5):
        test = [s for s in stories if fold_of(group_of(s, by), 5) == part]
        if test:
            predict = fit([s for s in stories if fold_of(group_of(s, by), 5) != part])
            for story, p in zip(test, predict(test), strict=True):
                rows.append((story, classify(lexicon, story["title"], story.get("summary") or ""), float(p)))
    return rows


def line(rows: list[tuple[dict[str, Any], Any, float]], settings: dict[str, Any]) -> str:
    lift, weak = settings["learning_lift_probability"], settings["learning_weak_probability"]
    wanted = [r[0]["label"] == "relevant" for r in rows]
    kept = [r[1].relevant or r[2] >= lift for r in rows]
    lane = [not k and ((r[1].weak and r[2] >= learning.WEAK_VETO_PROBABILITY) or r[2] >= weak)
            for k, r in zip(kept, rows, strict=True)]  # fmt: skip
    alone = scores([r[2] >= 0.5 for r in rows], wanted)
    a = scores(kept, wanted)
    both = scores([k or w for k, w in zip(kept, lane, strict=True)], wanted)
    lane_p = scores(lane, wanted)
    return (f"model alone {alone.precision:.2f}/{alone.recall:.2f} | À trier {a.precision:.2f}/{a.recall:.2f}"
            f" | +weak R {both.recall:.2f} | weak lane P {lane_p.precision:.2f} ({lane_p.kept})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument(
        "--models",
        default="numpy-words,numpy-words-chars,lr-binary-words,lr-tfidf-word-char,svm-tfidf-word-char",
    )
    args = parser.parse_args()
    stories = [json.loads(line) for line in args.corpus.open(encoding="utf-8") if line.strip()]
    lexicon = load_lexicon(ROOT / "data" / "topics.yml")
    settings = load_config(ROOT / "data").news
    fits = {"numpy-words": numpy_lr(False), "numpy-words-chars": numpy_lr(True)}
    for name in args.models.split(","):
        fit = fits.get(name) or sklearn_model(name)
        for by in ("outlet", "date"):
            started = time.process_time()
            rows = evaluate(stories, fit, by, lexicon, settings)
            cpu = time.process_time() - started
            print(f"{name:22} by {by:6} all       {line(rows, settings)}  [{cpu:.1f} s CPU]")
            for key, test in (("fr", lambda s: s.get("lang") == "fr"), ("en", lambda s: s.get("lang") == "en"),
                              ("named", lambda s: bool(s.get("named"))),
                              ("described", lambda s: not s.get("named"))):  # fmt: skip
                subset = [r for r in rows if test(r[0])]
                if subset:
                    print(f"{name:22} by {by:6} {key:9} {line(subset, settings)}")


if __name__ == "__main__":
    main()
