"""Rules that recognise exploitation described without being named: evidence of a person under
coercion or control, and of an exploitation context, found close together.

`data/topics.yml` declares `signals` (named groups of phrases, e.g. `contrainte`: *jamais payés*,
*passeport confisqué*, *sous la menace*; `travail`: *saisonniers*, *employée de maison*) and
`rules` (e.g. « Travail sous contrainte » = `contrainte` + `travail`). A rule holds when each of its
groups matches within `window` characters of the others, in the headline (title and summary read
as one) or in one stretch of the article's text. What made it hold is kept, in words, for the
« pourquoi ? ». A group that matches alone is a weak signal (see `classify`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

# (start, end, matched words) of each group's matches in one stretch of text.
Positions = dict[str, list[tuple[int, int, str]]]


@dataclass(frozen=True)
class SignalGroup:
    name: str
    # What the group means, in French, for the « pourquoi ? » of a weak signal.
    label: str
    # A strong group (coercion) is evidence on its own; a context group (work, marriage) is not.
    strong: bool = False
    # Frequent in the news (work, children, family): looked for only where another group matched.
    context: bool = False


@dataclass(frozen=True)
class Rule:
    name: str
    # Each slot is one group, or several of which any one will do.
    slots: tuple[tuple[str, ...], ...]
    weight: float
    topics: tuple[str, ...] = ()
    window: int = 160

    @cached_property
    def _slot_sets(self) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(slot) for slot in self.slots)

    def holds(self, positions: Positions) -> list[str] | None:
        """The words that make the rule hold in one stretch of text (one per slot, each somewhere
        else in the text: « fake job » is not both a deception and a job), or None."""
        found = positions.keys()
        for slot in self._slot_sets:
            if found.isdisjoint(slot):
                return None
        candidates = [[m for group in slot for m in positions.get(group, ())] for slot in self.slots]
        first, *others = candidates
        for start, end, words in first:
            found, taken = [words], [(start, end)]
            for matches in others:
                near = [
                    (abs(s - start), s, e, w) for s, e, w in matches
                    if abs(s - start) <= self.window and all(e <= a or s >= b for a, b in taken)
                ]  # fmt: skip
                if not near:
                    break
                _, s, e, w = min(near)
                found.append(w)
                taken.append((s, e))
            else:
                return found
        return None

    def explain(self, words: list[str]) -> str:
        return f"{self.name} : " + " + ".join(f"« {w} »" for w in words)


def rules_holding(rules: tuple[Rule, ...], stretches: list[Positions]) -> list[tuple[Rule, list[str]]]:
    """Each rule that holds in one of the stretches, once, with the words that made it."""
    held = []
    for rule in rules:
        for positions in stretches:
            words = rule.holds(positions)
            if words is not None:
                held.append((rule, words))
                break
    return held
