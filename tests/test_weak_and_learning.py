"""« Signaux faibles » (capped per night, never silently dropped, on the desk with their « pourquoi ? »)
and the model learnt from the desk's decisions: on a synthetic decision history it lifts what the
decisions favoured and never removes what the lexicon kept."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config import Config, Member, load_config
from monitor.desk.learning import learn_from_desk
from monitor.desk.queues import WEAK_QUEUE
from monitor.news.run import run_news
from monitor.night.notices import compose, gather
from monitor.relevance import classify, load_lexicon
from monitor.relevance.learning import Decision, lift, train
from monitor.rota import Turn
from monitor.store import Store
from tests.test_triage import login, make_desk, run, token

TESTS = Path(__file__).parent
LEXICON = load_lexicon(TESTS.parent / "data" / "topics.yml")
SETTINGS = load_config(TESTS / "config").news
TOWNS = "Lyon Lille Nantes Rennes Dijon Reims Nîmes Metz Caen Tours Brest Pau Agen Albi Arles Laval".split()


def weak_story(story_id: str, evidence: float, night: int | None = None) -> dict[str, Any]:
    return {"id": story_id, "title": f"Indice {story_id}", "summary": "", "relevant": 0, "weak": 1,
            "evidence": evidence, "weak_night": night, "first_seen": "2026-11-30T04:00:00+00:00",
            "why": json.dumps([f"Indice, personne sous contrainte : « enfermée » ({story_id})"])}  # fmt: skip


def test_a_night_lists_its_strongest_weak_signals_and_keeps_the_others(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "veille.db")
    store.db["stories"].insert_all(weak_story(f"w{n}", evidence=n) for n in range(1, 6))
    store.db["stories"].insert({**weak_story("old", 9), "first_seen": "2026-11-01T04:00:00+00:00"})
    assert store.fill_weak_lane(7, "2026-11-30T00:00:00+00:00", cap=3) == (3, 2)
    listed = {r["id"] for r in store.db.query("SELECT id FROM stories WHERE weak_night = 7")}
    assert listed == {"w5", "w4", "w3"}  # the strongest; one first seen before `since` is not a candidate
    assert store.db["stories"].count == 6  # nothing dropped


def test_a_weak_signal_a_killed_night_left_unlisted_is_listed_the_next_night(
    config: Config, tmp_path: Path
) -> None:
    store = Store.open(tmp_path / "veille.db")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat()
    store.db["stories"].insert_all(
        [
            {**weak_story("killed", 3), "first_seen": yesterday, "article_count": 1},
            {**weak_story("stale", 5), "first_seen": "2020-01-01T00:00:00+00:00", "article_count": 1},
        ]
    )
    run_id, summary = run_news(store, config, LEXICON, fetch_articles=False)
    nights = {r["id"]: r["weak_night"] for r in store.db.query("SELECT id, weak_night FROM stories")}
    assert nights == {"killed": run_id, "stale": None}  # beyond the grouping window: not tonight's
    assert (summary.weak_listed, summary.weak_unlisted) == (1, 0)


def test_the_weak_lane_lists_the_undecided_strongest_first(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "veille.db")
    stories = [weak_story(f"w{n}", evidence=n, night=1) for n in range(1, 5)]
    store.db["stories"].insert_all(
        [*stories, weak_story("unlisted", 9), {**weak_story("ok", 8, 1), "relevant": 1}]
    )
    store.db["picks"].insert({"story_id": "w3", "member_id": "m", "action": "ecarter", "status": "ecarte",
                              "created_at": "2026-11-30T05:00:00+00:00"})  # fmt: skip
    rows = store.db.query(WEAK_QUEUE, {"limit": 2})
    assert [row["id"] for row in rows] == ["w4", "w2"]  # w3 was dismissed; the cap is the limit


def test_the_desk_shows_both_lanes_and_a_weak_signal_can_be_decided(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path)
    store.db["stories"].insert_all([weak_story("w1", 2.0, night=1), weak_story("w2", 1.0)])
    store.db.conn.commit()
    cookies = run(login(datasette, "amicale-du-nid"))
    page = run(datasette.client.get("/tri", cookies=cookies)).text
    lanes = page.split('id="signaux-faibles"')
    assert len(lanes) == 2 and "Indice w1" in lanes[1] and "Indice w1" not in lanes[0]
    assert "« enfermée » (w1)" in lanes[1] and "Indice w2" not in page  # w2: beyond the cap
    assert "1 autre reste dans" in lanes[1] and "weak_night__isnull=1" in lanes[1]
    data = {
        "story_id": "w1",
        "action": "ecarter",
        "position": "2",
        "csrftoken": run(token(datasette, cookies)),
    }
    response = run(datasette.client.post("/tri/action", data=data, cookies=cookies))
    assert response.status_code == 302
    after = run(datasette.client.get("/tri", cookies=cookies)).text
    assert 'data-histoire="w1"' not in after and "Indice w1 (Amicale du Nid" in after  # « écartée »


def history(count: int, seed: int = 3) -> list[Decision]:
    """Decisions of a desk that keeps picking stories of underpaid seasonal workers in containers
    (which the lexicon alone does not keep) and dismisses football and weather."""
    rng = random.Random(seed)
    wanted = ["Des saisonniers sous-payés logés dans des conteneurs à {t}",
              "À {t}, des cueilleurs sous-payés dorment dans des conteneurs",
              "Conteneurs et salaires de misère pour des saisonniers près de {t}"]  # fmt: skip
    unwanted = ["Football : {t} s'impose à domicile", "Météo : orages attendus sur {t}",
                "Le marché de Noël de {t} ouvre ses portes", "Football : le club de {t} recrute"]  # fmt: skip
    decisions = []
    for _ in range(count):
        keep = rng.random() < 0.3
        title = rng.choice(wanted if keep else unwanted).format(t=rng.choice(TOWNS))
        decisions.append(Decision(title, "", keep))
    return decisions


def test_the_model_lifts_what_the_decisions_favoured_and_never_removes() -> None:
    model = train(history(300))
    story = ("Saisonniers sous-payés : des conteneurs en guise de logement à Valence", "")
    lexicon_alone = classify(LEXICON, *story)
    assert not lexicon_alone.relevant  # the lexicon alone misses it
    lifted = lift(lexicon_alone, model, *story, SETTINGS)
    assert lifted.relevant and lifted.why[-1].startswith("Appris des choix de la veille")
    assert "sous payes" in lifted.why[-1] or "conteneurs" in lifted.why[-1]
    football = ("Football : Valence s'impose à domicile", "")
    assert (
        model.probability(*football) < 0.2
        and not lift(classify(LEXICON, *football), model, *football, SETTINGS).relevant
    )
    # A story the lexicon kept stays kept, even in the words the desk dismissed.
    kept = ("Proxénétisme : un réseau démantelé autour du stade de football", "")
    assert (
        classify(LEXICON, *kept).relevant and lift(classify(LEXICON, *kept), model, *kept, SETTINGS).relevant
    )


def test_the_night_learns_only_from_enough_decisions_of_both_kinds(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "veille.db")
    config = load_config(TESTS / "config")
    config = replace(config, news={**config.news, "learning_min_decisions": 50})
    save_history(store, history(40))
    assert learn_from_desk(store, config, datetime.now(UTC)) is None and store.latest_model() is None
    save_history(store, history(40, seed=4), start=40)
    model = learn_from_desk(store, config, datetime.now(UTC))
    assert model is not None and model.trained_on == 80 and store.latest_model() is not None
    # The night counts before it reads (the model's module, with numpy, only when there is enough).
    decisions = store.desk_decisions()
    assert store.desk_decision_counts() == (len(decisions), sum(d.wanted for d in decisions))
    assert 0 < sum(d.wanted for d in decisions) < len(decisions)


def save_history(store: Store, decisions: list[Decision], start: int = 0) -> None:
    store.sync_categories(["Autre"])
    for n, decision in enumerate(decisions, start=start):
        story = f"s{n}"
        store.db["stories"].insert({"id": story, "title": decision.title, "summary": "", "relevant": 1})
        action, status = ("choisir", "propose") if decision.wanted else ("ecarter", "ecarte")
        store.db["picks"].insert({"story_id": story, "member_id": "m", "action": action, "status": status,
                                  "summary": "R." if decision.wanted else None,
                                  "created_at": f"2026-11-{1 + n // 10:02d}T10:{n % 60:02d}:00"})  # fmt: skip
    store.db.conn.commit()


def test_the_relevance_report_compares_model_and_lexicon(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "veille.db")
    save_history(store, history(240))
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "relevance", "report", "--db", str(tmp_path / "veille.db"),
         "--config", str(TESTS / "config"), "--topics", str(TESTS.parent / "data" / "topics.yml")],
        capture_output=True, text=True, timeout=120, check=True, cwd=TESTS.parent,
    )  # fmt: skip
    out = result.stdout
    assert "Décisions du bureau : 240" in out and "évalué sur les 60 plus récentes" in out
    lexicon_line = next(line for line in out.splitlines() if "Lexique seul" in line)
    both_line = next(line for line in out.splitlines() if "Lexique puis modèle" in line)
    assert "rappel 0.00" in lexicon_line and "rappel 1.00" in both_line
    assert "conteneurs" in out.split("Mots qui comptent")[1]


def test_the_digest_says_how_many_weak_signals_wait(tmp_path: Path) -> None:
    config = load_config(TESTS / "config")
    config = Config(**{**vars(config), "members": (Member("m", "Membre", contact_email="m@asso.example"),)})
    store = Store.open(tmp_path / "veille.db")
    store.sync_members(config.members)
    now = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    store.save_duty([Turn(now.date(), now.date(), "m")])
    store.db["stories"].insert_all([weak_story("w1", 2.0, night=1), weak_story("w2", 1.5, night=1)])
    [message] = compose(gather(store, config, now), config, now.date(), [])
    [digest] = [part for part in message.parts if part.kind == "digest"]
    assert digest.title == "Signaux faibles à regarder"
    # Alone in the digest, the count is its own sentence (issue 17: it used to start « Et … »).
    assert "Sous le seuil de pertinence : 2 signaux faibles à lire vite dans « À trier »." in digest.lines[-1]
