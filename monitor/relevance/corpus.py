"""The labelled corpus (data/corpus/stories.jsonl) and the model trained on it.

A corpus line is a real story: {"id", "title", "summary", "url", "outlet", "date", "lang", "label":
"relevant"|"irrelevant", "form", "trap", "named", …}. The model is the desk's logistic regression
(monitor/relevance/learning.py) trained on the corpus and, when given, the desk's decisions: the
same input gives a byte-identical model file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from monitor.relevance.learning import MAX_EXAMPLES, Decision, Model, train
from monitor.relevance.text import fold

MODEL_VERSION = 1
LABELS = ("relevant", "irrelevant")
# Two titles sharing this share of their words are one story told twice.
DUPLICATE_OVERLAP = 0.8


class CorpusError(ValueError):
    """A corpus line that cannot be read, named by its line number."""


def read_corpus(lines: Iterable[str], name: str = "corpus", labelled: bool = True) -> list[dict[str, Any]]:
    """The stories of a corpus file; a bad line is an error naming the file and line. A test set
    (`labelled` False) may carry other labels (« borderline »)."""
    stories = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            story = json.loads(line)
        except ValueError as exc:
            raise CorpusError(f"{name}, ligne {number} : JSON illisible ({exc})") from exc
        if not isinstance(story, dict) or not isinstance(story.get("title"), str):
            raise CorpusError(f"{name}, ligne {number} : un objet avec un « title » est attendu")
        if labelled and story.get("label") not in LABELS:
            raise CorpusError(f"{name}, ligne {number} : « label » doit valoir relevant ou irrelevant")
        stories.append(story)
    return stories


def read_corpus_files(paths: Iterable[Path], labelled: bool = True) -> list[dict[str, Any]]:
    """The stories of corpus files, one after the other, in the order given."""
    stories: list[dict[str, Any]] = []
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            stories += read_corpus(lines, str(path), labelled)
    return stories


def title_words(title: str) -> frozenset[str]:
    """The folded words of a title, for spotting a story told twice."""
    return frozenset(w for w in re.findall(r"\w+", fold(title)) if len(w) > 2)


def near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two titles' words overlap enough to be the same story."""
    if not a or not b:
        return a == b
    return len(a & b) / min(len(a), len(b)) >= DUPLICATE_OVERLAP


def without_duplicates(stories: list[dict[str, Any]], others: list[str]) -> list[dict[str, Any]]:
    """The stories, first of each near-duplicate kept, none near a title in `others` (test sets)."""
    banned = [title_words(t) for t in others]
    kept: list[dict[str, Any]] = []
    seen: list[frozenset[str]] = []
    for story in stories:
        found = title_words(story["title"])
        if any(near_duplicate(found, b) for b in banned) or any(near_duplicate(found, s) for s in seen):
            continue
        seen.append(found)
        kept.append(story)
    return kept


def decisions_of(stories: Iterable[dict[str, Any]]) -> list[Decision]:
    """The labelled stories as decisions: relevant is wanted."""
    return [
        Decision(s["title"], s.get("summary") or "", s["label"] == "relevant")
        for s in stories
        if s.get("label")
    ]


def train_model(stories: list[dict[str, Any]], desk: list[Decision] | None = None) -> Model:
    """The model from the whole corpus, then the desk's newest decisions (newest last)."""
    corpus, newest = decisions_of(stories), (desk or [])[-MAX_EXAMPLES:]
    model = train([*corpus, *newest], limit=None)
    model.details = {"version": MODEL_VERSION, "corpus": len(corpus), "desk": len(newest),
                     "source": "corpus"}  # fmt: skip
    return model
