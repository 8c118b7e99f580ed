"""The model's two thresholds, chosen on spent blind sets left out one at a time. For each set named, the
corpus model is trained again without it (data/corpus/stories.jsonl and the other spent sets, as
`veille relevance train` does), and the set is judged as the night judges it: the lexicon of the
configuration folder first, then the model's lift at each pair of thresholds (« À trier » at
`learning_lift_probability`, « Signaux faibles » at `learning_weak_probability`, a lexicon weak signal
leaving the lane under 0.3, a vetoed story never lifted). The sets are spent: this chooses among
settings, it does not measure them on unseen news (only a blind set's first run does).

    uv run python benchmarks/relevance_thresholds.py --sets 83-100
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.relevance.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent.parent
LIFTS = (0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
WEAKS = (0.4, 0.5, 0.6, 0.7)


class KnownProbability:
    """The model's answer for one story, computed once: the grid asks it at every pair of thresholds."""

    details: dict[str, Any] = {}

    def __init__(self, probability: float) -> None:
        self.known = probability

    def probability(self, title: str, summary: str) -> float:
        return self.known

    def reasons(self, title: str, summary: str) -> list[str]:
        return []


def judged_sets(sets: list[int], config: Path) -> tuple[Lexicon, list[dict[str, Any]]]:
    """The lexicon, and each story of the sets: its label, the lexicon's verdict and the model's
    probability (the model trained without the story's set)."""
    from monitor.relevance import load_lexicon
    from monitor.relevance.classify import classify
    from monitor.relevance.corpus import read_corpus_files, train_model

    lexicon = load_lexicon(config / "topics.yml")
    stories = read_corpus_files([ROOT / "data/corpus/stories.jsonl", ROOT / "data/corpus/spent.jsonl"])
    rows = []
    for number in sets:
        prefix = f"b{number}-"
        model = train_model([s for s in stories if not str(s.get("id", "")).startswith(prefix)])
        for line in (ROOT / "tests" / "cases" / f"blind-{number}.jsonl").open(encoding="utf-8"):
            story = json.loads(line)
            title, summary = story["title"], story.get("summary") or ""
            rows.append({"wanted": story["label"] == "relevant", "named": bool(story.get("named")),
                         "title": title, "summary": summary, "verdict": classify(lexicon, title, summary),
                         "model": KnownProbability(model.probability(title, summary))})  # fmt: skip
    return lexicon, rows


def table(lexicon: Lexicon, rows: list[dict[str, Any]]) -> list[str]:
    """Precision and recall at each pair of thresholds, the lift decided by `learning.lift` itself."""
    from monitor.relevance.learning import lift

    wanted = sum(r["wanted"] for r in rows)
    named = sum(r["wanted"] and r["named"] for r in rows)
    lines = [
        "| lift | weak | « À trier » P / R | + weak lane R | weak lane P | named R |",
        "|---|---|---|---|---|---|",
    ]
    for top, low in itertools.product(LIFTS, WEAKS):
        if low >= top:
            continue
        settings = {"learning_lift_probability": top, "learning_weak_probability": low}
        found = [
            (lift(r["verdict"], r["model"], r["title"], r["summary"], settings, lexicon), r) for r in rows
        ]
        kept = [r for judged, r in found if judged.relevant]
        shown = [r for judged, r in found if judged.weak and not judged.relevant]
        right, right_weak = sum(r["wanted"] for r in kept), sum(r["wanted"] for r in shown)
        lines.append(
            f"| {top} | {low} | {right / len(kept):.3f} ({right}/{len(kept)}) / {right / wanted:.3f} "
            f"| {(right + right_weak) / wanted:.3f} | {right_weak / max(len(shown), 1):.3f} "
            f"({right_weak}/{len(shown)}) | {sum(r['wanted'] and r['named'] for r in kept) / named:.3f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="83-100", help="spent blind sets, e.g. 83-100")
    parser.add_argument("--config", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    first, _, last = args.sets.partition("-")
    lexicon, rows = judged_sets(list(range(int(first), int(last or first) + 1)), args.config)
    print(f"{len(rows)} stories, {sum(r['wanted'] for r in rows)} wanted")
    print("\n".join(table(lexicon, rows)))


if __name__ == "__main__":
    main()
