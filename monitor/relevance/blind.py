"""A blind set's first run: how the night's judgement (the lexicon, then the learnt model) does on
labelled real stories it never saw, in the figures docs/news.md reports for each set — « À trier »
precision and recall, recall with « Signaux faibles », the weak lane's own precision, recall of named
and of described stories, by language — and the stories behind each miss. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.labels import plural
from monitor.relevance.classify import Relevance


@dataclass(frozen=True)
class Counted:
    """Stories kept and how many of them were wanted; stories wanted and how many were kept."""

    kept: int
    kept_wanted: int
    wanted: int
    wanted_kept: int

    @property
    def precision(self) -> float | None:
        return self.kept_wanted / self.kept if self.kept else None

    @property
    def recall(self) -> float | None:
        return self.wanted_kept / self.wanted if self.wanted else None


def count(pairs: Sequence[tuple[bool, bool]]) -> Counted:
    """(kept, wanted) pairs counted."""
    kept = [wanted for is_kept, wanted in pairs if is_kept]
    wanted = [is_kept for is_kept, is_wanted in pairs if is_wanted]
    return Counted(len(kept), sum(kept), len(wanted), sum(wanted))


@dataclass(frozen=True)
class FirstRun:
    stories: list[dict[str, Any]]
    judged: list[Relevance]

    def _pairs(self, kept: Callable[[Relevance], bool], only: Callable[[dict[str, Any]], bool]) -> Counted:
        return count([(kept(j), s["label"] == "relevant")
                      for s, j in zip(self.stories, self.judged, strict=True) if only(s)])  # fmt: skip

    def sort(self, only: Callable[[dict[str, Any]], bool] = lambda s: True) -> Counted:
        """« À trier »."""
        return self._pairs(lambda j: j.relevant, only)

    def with_weak(self, only: Callable[[dict[str, Any]], bool] = lambda s: True) -> Counted:
        """« À trier » and « Signaux faibles » together."""
        return self._pairs(lambda j: j.relevant or j.weak, only)

    def weak_lane(self) -> Counted:
        """« Signaux faibles » alone."""
        return self._pairs(lambda j: j.weak and not j.relevant, lambda s: True)

    def missed(self) -> list[dict[str, Any]]:
        """Wanted stories in neither lane."""
        return [s for s, j in zip(self.stories, self.judged, strict=True)
                if s["label"] == "relevant" and not (j.relevant or j.weak)]  # fmt: skip

    def false_alarms(self, weak: bool) -> list[dict[str, Any]]:
        """Unwanted stories in « À trier » (or, `weak`, in « Signaux faibles » alone)."""
        return [s for s, j in zip(self.stories, self.judged, strict=True) if s["label"] != "relevant"
                and (j.weak and not j.relevant if weak else j.relevant)]  # fmt: skip


def _ratio(counted: Counted, of: str = "precision") -> str:
    value = counted.precision if of == "precision" else counted.recall
    part = (counted.kept_wanted, counted.kept) if of == "precision" else (counted.wanted_kept, counted.wanted)
    return "—" if value is None else f"{value:.2f} ({part[0]}/{part[1]})"


def render(name: str, run: FirstRun) -> str:
    """The first run in French: the table row of docs/news.md, then the stories behind each miss."""
    relevant = [s for s in run.stories if s["label"] == "relevant"]
    named = sum(bool(s.get("named")) for s in relevant)
    sort, both = run.sort(), run.with_weak()
    lines = [
        f"{name} : {plural(len(run.stories), 'histoire')}, {plural(len(relevant), 'voulue')} ("
        f"{plural(named, 'nommée')}, {plural(len(relevant) - named, 'décrite')}),"
        f" {plural(len(run.stories) - len(relevant), 'piège')}.",
        "",
        "| jeu | « À trier » P / R | + « Signaux faibles » P / R | signaux faibles seuls P"
        " | R des nommées | R des décrites |",
        "|---|---|---|---|---|---|",
        f"| {name} | {_ratio(sort)} / {_ratio(sort, 'recall')} | {_ratio(both)} / {_ratio(both, 'recall')}"
        f" | {_ratio(run.weak_lane())} | {_ratio(run.sort(lambda s: bool(s.get('named'))), 'recall')}"
        f" | {_ratio(run.sort(lambda s: not s.get('named')), 'recall')} |",
        "",
    ]
    for lang in sorted({str(s.get("lang") or "?") for s in run.stories}):
        by_lang = run.sort(lambda s, lang=lang: str(s.get("lang") or "?") == lang)
        lines.append(f"« À trier », langue {lang} : P {_ratio(by_lang)}, R {_ratio(by_lang, 'recall')}")
    for title, found in (
        ("Voulues, dans aucune file", run.missed()),
        ("Pièges dans « À trier »", run.false_alarms(weak=False)),
        ("Pièges dans « Signaux faibles »", run.false_alarms(weak=True)),
    ):
        lines.append(f"{title} : {len(found)}")
        lines += [f"  - {s.get('id', '?')} : {s['title'][:110]}" for s in found]
    return "\n".join(lines)
