"""The nightly lesson from the desk: when enough decisions exist, train the model on them (the
pure part is monitor/relevance/learning.py) and keep it in the store for the night's judgements."""

from __future__ import annotations

from datetime import datetime

from monitor.config import Config
from monitor.relevance.learning import Model, train
from monitor.store import Store


def learn_from_desk(store: Store, config: Config, now: datetime) -> Model | None:
    """Tonight's model, trained on every decision so far; None while there are too few."""
    decisions = store.desk_decisions()
    wanted = sum(1 for d in decisions if d.wanted)
    if len(decisions) < config.news["learning_min_decisions"] or wanted == 0 or wanted == len(decisions):
        return None
    model = train(decisions)
    store.save_model(model, now.replace(microsecond=0).isoformat())
    return model
