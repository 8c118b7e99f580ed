"""Cross-validation of the lexicon and the model on the corpus, in folds grouped by outlet or by
year (never random rows: a story's siblings from the same outlet or month stay in one fold)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from monitor.relevance.classify import Relevance, classify
from monitor.relevance.corpus import decisions_of, train_model
from monitor.relevance.learning import Model, lift, scores, train
from monitor.relevance.lexicon import Lexicon


def group_of(story: dict[str, Any], by: str) -> str:
    """The fold group: the outlet, or the year (unknown dates form their own group)."""
    if by == "date":
        return str(story.get("date") or "")[:4] or "?"
    return str(story.get("outlet") or "?")


def fold_of(group: str, folds: int) -> int:
    """A group's fold, stable across runs (a hash, not Python's salted one)."""
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % folds


def cross_validate(
    lexicon: Lexicon,
    stories: list[dict[str, Any]],
    settings: dict[str, Any],
    by: str = "outlet",
    folds: int = 5,
) -> list[tuple[dict[str, Any], Relevance, Relevance]]:
    """(story, the lexicon's judgement, the lexicon's lifted by a model trained on the other folds)."""
    results = []
    for fold in range(folds):
        test = [s for s in stories if fold_of(group_of(s, by), folds) == fold]
        if not test:
            continue
        model = train_model([s for s in stories if fold_of(group_of(s, by), folds) != fold])
        for story in test:
            judged = classify(lexicon, story["title"], story.get("summary") or "")
            title, summary = story["title"], story.get("summary") or ""
            results.append((story, judged, lift(judged, model, title, summary, settings, lexicon)))
    return results


def table(
    results: list[tuple[dict[str, Any], Relevance, Relevance]], key: Callable[[dict[str, Any]], str]
) -> str:
    """Precision/recall of « À trier », then with « Signaux faibles », lexicon alone and with model."""
    lines = ["| slice | n | lexicon À trier P/R | +model À trier P/R | lexicon +weak | +model +weak "
             "| weak lane P: lexicon, +model |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    slices: dict[str, list[tuple[dict[str, Any], Relevance, Relevance]]] = {"all": results}
    for row in results:
        slices.setdefault(key(row[0]), []).append(row)
    for name, rows in slices.items():
        wanted = [r[0]["label"] == "relevant" for r in rows]
        cells = []
        for pick in (lambda r: r[1].relevant, lambda r: r[2].relevant,
                     lambda r: r[1].relevant or r[1].weak, lambda r: r[2].relevant or r[2].weak):  # fmt: skip
            s = scores([pick(r) for r in rows], wanted)
            cells.append(f"{s.precision:.2f}/{s.recall:.2f}")
        lanes = [scores([r[i].weak and not r[i].relevant for r in rows], wanted) for i in (1, 2)]
        cells.append(", ".join(f"{lane.precision:.2f} ({lane.kept})" for lane in lanes))
        lines.append(f"| {name} | {len(rows)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def season(lexicon: Lexicon, stories: list[dict[str, Any]], settings: dict[str, Any]) -> str:
    """A simulated season: outlets split in three, one for the corpus, one for the desk's decisions
    (its labels), one as the blind set; what the corpus model and then the desk's lessons add there,
    and how many stories the lexicon kept were removed (none may be)."""
    part = [[s for s in stories if fold_of(group_of(s, "outlet"), 3) == k] for k in range(3)]
    corpus, desk, blind = part
    shipped = train_model(corpus)
    # « train --with-desk » retrains one model; the night lifts with the shipped model, then the desk's.
    models = {"corpus": [shipped], "corpus + desk": [train_model(corpus, decisions_of(desk))],
              "corpus, then desk (the night)": [shipped, train(decisions_of(desk))]}  # fmt: skip
    wanted = [s["label"] == "relevant" for s in blind]
    judged = [classify(lexicon, s["title"], s.get("summary") or "") for s in blind]
    lines = [f"corpus {len(corpus)}, desk decisions {len(desk)}, blind {len(blind)}",
             f"lexicon: À trier {scores([j.relevant for j in judged], wanted).line()}"]  # fmt: skip
    for name, chain in models.items():
        lifted = [_lifted(j, chain, s, settings, lexicon) for j, s in zip(judged, blind, strict=True)]
        removed = sum(1 for j, k in zip(judged, lifted, strict=True) if j.relevant and not k.relevant)
        both = scores([k.relevant or k.weak for k in lifted], wanted).line()
        lines.append(f"lexicon + {name}: À trier {scores([k.relevant for k in lifted], wanted).line()}; "
                     f"with « Signaux faibles » {both}; removed {removed}")  # fmt: skip
    return "\n".join(lines)


def _lifted(
    judged: Relevance, chain: list[Model], story: dict[str, Any], settings: dict[str, Any], lexicon: Lexicon
) -> Relevance:
    for model in chain:
        judged = lift(judged, model, story["title"], story.get("summary") or "", settings, lexicon)
    return judged
