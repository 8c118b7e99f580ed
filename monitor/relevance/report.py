"""`veille relevance report`: the desk's decisions split in time — the model trained on the older
ones, tested on the newest — against the lexicon alone and the two together, in French."""

from __future__ import annotations

from typing import Any

from monitor.relevance.classify import classify
from monitor.relevance.learning import lift, scores, train
from monitor.relevance.lexicon import Lexicon


def desk_report(store: Any, lexicon: Lexicon, settings: dict[str, Any], held_out: float) -> str:
    decisions = store.desk_decisions()
    minimum = settings["learning_min_decisions"]
    lines = [f"Décisions du bureau : {len(decisions)} ({sum(d.wanted for d in decisions)} choisies ou"
             f" signalées, {sum(not d.wanted for d in decisions)} écartées)."]  # fmt: skip
    cut = int(len(decisions) * (1 - held_out))
    older, newest = decisions[:cut], decisions[cut:]
    if not newest or not any(d.wanted for d in older) or all(d.wanted for d in older):
        lines.append("Pas assez de décisions, ou pas des deux sortes, pour apprendre : rien à évaluer.")
        return "\n".join(lines)
    model = train(older)
    wanted = [d.wanted for d in newest]
    judged = [classify(lexicon, d.title, d.summary) for d in newest]
    both = [
        lift(j, model, d.title, d.summary, settings, lexicon) for j, d in zip(judged, newest, strict=True)
    ]
    at = settings["learning_lift_probability"]
    lines += [
        f"Entraîné sur les {len(older)} plus anciennes, évalué sur les {len(newest)} plus récentes :",
        "  Lexique seul (« À trier »)      : " + scores([j.relevant for j in judged], wanted).line(),
        f"  Modèle seul (probabilité ≥ {at:.2f}) : "
        + scores([model.probability(d.title, d.summary) >= at for d in newest], wanted).line(),
        "  Lexique puis modèle (« À trier ») : " + scores([b.relevant for b in both], wanted).line(),
        "  Avec « Signaux faibles »          : "
        + scores([b.relevant or b.weak for b in both], wanted).line(),
        "Mots qui comptent le plus pour le modèle : "
        + ", ".join(f"{word} ({weight:+.2f})" for word, weight in model.top_words(12)),
    ]
    if len(decisions) < minimum:
        lines.append(
            f"La nuit n'utilisera le modèle qu'à partir de {minimum} décisions (news.learning_min_decisions)."
        )
    return "\n".join(lines)
