"""`veille relevance score`: a blind set's first run, counted as docs/news.md reports it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from monitor.relevance.blind import FirstRun, count, render
from monitor.relevance.classify import Relevance

ROOT = Path(__file__).parent.parent


def story(n: int, label: str, named: bool = False, lang: str = "fr") -> dict[str, object]:
    return {"id": f"s{n}", "title": f"Histoire {n}", "label": label, "named": named, "lang": lang}


def test_a_first_run_counts_each_lane_and_names_the_stories_behind_each_miss() -> None:
    stories = [
        story(1, "relevant", named=True),  # kept
        story(2, "relevant"),  # in the weak lane only
        story(3, "relevant", lang="en"),  # missed
        story(4, "irrelevant"),  # a false alarm in « À trier »
        story(5, "irrelevant", lang="en"),  # a false alarm in the weak lane
        story(6, "irrelevant"),  # left out, rightly
    ]
    judged = [
        Relevance(True, 5.0), Relevance(False, 1.0, weak=True), Relevance(False, 0.0),
        Relevance(True, 4.0), Relevance(False, 1.0, weak=True), Relevance(False, 0.0),
    ]  # fmt: skip
    run = FirstRun(stories, judged)
    assert run.sort() == count([(True, True), (False, True), (False, True), (True, False), (False, False),
                                (False, False)])  # fmt: skip
    assert (run.sort().precision, run.sort().recall) == (0.5, 1 / 3)
    assert (run.with_weak().kept, run.with_weak().wanted_kept, run.weak_lane().precision) == (4, 2, 0.5)
    assert run.sort(lambda s: bool(s["named"])).recall == 1.0
    assert [s["id"] for s in run.missed()] == ["s3"]
    assert [s["id"] for s in run.false_alarms(weak=False)] == ["s4"]
    assert [s["id"] for s in run.false_alarms(weak=True)] == ["s5"]
    text = render("jeu-1", run)
    assert (
        "| jeu-1 | 0.50 (1/2) / 0.33 (1/3) | 0.50 (2/4) / 0.67 (2/3) | 0.50 (1/2) | 1.00 (1/1) | 0.00 (0/2) |"
        in text
    )
    assert "« À trier », langue en : P 0.00 (0/0)" not in text and "langue en : P —, R 0.00 (0/1)" in text
    assert "Voulues, dans aucune file : 1\n  - s3 : Histoire 3" in text


def test_veille_relevance_score_judges_a_file_as_the_night_does(tmp_path: Path) -> None:
    cases = tmp_path / "jeu.jsonl"
    cases.write_text(
        "\n".join(json.dumps(s, ensure_ascii=False) for s in [
            {"id": "a", "title": "Traite des êtres humains : un réseau démantelé à Lyon", "label": "relevant",
             "named": True, "lang": "fr"},
            {"id": "b", "title": "Robot de traite : les éleveurs laitiers investissent", "label": "irrelevant",
             "lang": "fr"},
        ]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "relevance", "score", str(cases), "--config", str(ROOT / "data")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "jeu : 2 histoires, 1 voulue (1 nommée, 0 décrite), 1 piège." in result.stdout
    assert "| jeu | 1.00 (1/1) / 1.00 (1/1) |" in result.stdout
    bad = tmp_path / "mauvais.jsonl"
    bad.write_text('{"title": "x", "label": "peut-être"}\n', encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "monitor", "relevance", "score", str(bad), "--config", str(ROOT / "data")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert refused.returncode != 0 and "mauvais.jsonl, ligne 1 : « label » doit valoir" in refused.stderr
