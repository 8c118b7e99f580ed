"""What the spent blind sets teach the model, measured on sets it did not learn from.

Each block of spent blind sets (tests/cases/blind-N.jsonl, grouped by the session that ran them) is left
out in turn; a model trained on the corpus and the other blocks (near-duplicates of the block's titles
dropped from both) judges it as the night judges (lexicon, then the lift), against a model trained on
the corpus alone. The table of docs/news.md « The spent blind sets join the training », measured on the
sets spent at the time (blind-5 to 52: `SETS`; blind-53 to 56, written after, are left out of it). No
block shares a near-duplicate with the corpus or another block today (each set was cleared of them when
it was judged): the clearing guards the measure, it changes nothing in it. Blind-5 to 9 do not say which
stories name the crime: they count in neither the named nor the described column.

`--through 56` adds blind-53 to 56 as a block of their own; `--l2` trains with another penalty, `--lift`
and `--weak` judge with other thresholds (the measure of « A stronger penalty, a lower lift »).

Run: uv run python benchmarks/relevance_blocks.py [--through 56] [--l2 10 --lift 0.7 --weak 0.5]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import load_config  # noqa: E402
from monitor.relevance import Lexicon, classify, load_lexicon  # noqa: E402
from monitor.relevance.blind import FirstRun  # noqa: E402
from monitor.relevance.classify import Relevance  # noqa: E402
from monitor.relevance.corpus import decisions_of, near_duplicate, read_corpus_files, title_words  # noqa: E402
from monitor.relevance.learning import Model, lift, train  # noqa: E402

SETS = range(5, 53)
BLOCKS = {"5-18": range(5, 19), "19-32": range(19, 33), "33-40": range(33, 41), "41-44": range(41, 45),
          "45-48": range(45, 49), "49-52": range(49, 53), "53-56": range(53, 57)}  # fmt: skip


def spent_sets(through: int) -> dict[int, list[dict[str, Any]]]:
    """The blind sets of `SETS` and up to `through`, by number."""
    found: dict[int, list[dict[str, Any]]] = {}
    for path in (ROOT / "tests" / "cases").glob("blind-*.jsonl"):
        number = re.search(r"blind-(\d+)", path.name)
        if number and SETS.start <= int(number.group(1)) <= through:
            found[int(number.group(1))] = read_corpus_files([path])
    return found


def judged(
    lexicon: Lexicon, model: Model, settings: dict[str, Any], stories: list[dict[str, Any]]
) -> list[Relevance]:
    """The stories judged as the night judges them: the lexicon, then the model's lift."""
    return [lift(classify(lexicon, s["title"], s.get("summary") or ""), model, s["title"], s.get("summary") or "",
                 settings, lexicon) for s in stories]  # fmt: skip


def row(name: str, run: FirstRun) -> str:
    """One line of the table."""
    sort, weak, lane = run.sort(), run.with_weak(), run.weak_lane()
    described = run.sort(lambda s: s.get("named") is False)
    return (f"| {name} | {sort.precision:.3f} / {sort.recall:.3f} | {weak.recall:.3f} | "
            f"{lane.precision or 0:.2f} ({lane.kept}) | {described.recall:.3f} |")  # fmt: skip


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--through", type=int, default=SETS.stop - 1, help="the last spent set measured")
    parser.add_argument("--l2", type=float, default=None, help="the training's L2 penalty (default: train's)")
    parser.add_argument("--lift", type=float, default=None, help="learning_lift_probability")
    parser.add_argument("--weak", type=float, default=None, help="learning_weak_probability")
    args = parser.parse_args()
    data = ROOT / "data"
    lexicon, settings = load_lexicon(data / "topics.yml"), load_config(data).news
    asked = {"learning_lift_probability": args.lift, "learning_weak_probability": args.weak}
    settings = {**settings, **{name: value for name, value in asked.items() if value is not None}}
    corpus = read_corpus_files([data / "corpus" / "stories.jsonl"])
    sets = spent_sets(args.through)

    penalty = {} if args.l2 is None else {"l2": args.l2}

    def train_model(stories: list[dict[str, Any]]) -> Model:
        return train(decisions_of(stories), limit=None, **penalty)

    alone = train_model(corpus)
    pooled: dict[str, tuple[list[dict[str, Any]], list[Relevance]]] = {
        "corpus": ([], []),
        "+ other blocks": ([], []),
    }
    print("| block left out, model | « À trier » P / R | + weak lane R | weak lane P (n) | described R |")
    for name, numbers in BLOCKS.items():
        block = [s for n in numbers for s in sets.get(n, [])]
        if not block:
            continue
        banned = [title_words(s["title"]) for s in block]

        def clear(
            stories: list[dict[str, Any]], banned: list[frozenset[str]] = banned
        ) -> list[dict[str, Any]]:
            return [s for s in stories if not any(near_duplicate(title_words(s["title"]), b) for b in banned)]

        others = [s for n, stories in sorted(sets.items()) if n not in numbers for s in stories]
        taught = train_model(clear(corpus) + clear(others))
        for label, model in (("corpus", alone), ("+ other blocks", taught)):
            verdicts = judged(lexicon, model, settings, block)
            pooled[label][0].extend(block)
            pooled[label][1].extend(verdicts)
            print(row(f"blind-{name}, {label}", FirstRun(block, verdicts)), flush=True)
    for label, (stories, verdicts) in pooled.items():
        print(row(f"all ({len(stories)}), {label}", FirstRun(stories, verdicts)))


if __name__ == "__main__":
    main()
