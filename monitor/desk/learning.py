"""The nightly lesson from the desk: when enough decisions exist, train the model on them (the
pure part is monitor/relevance/learning.py) and keep it in the store for the night's judgements."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from monitor.config import Config
from monitor.store import Store

if TYPE_CHECKING:  # imported when there is something to learn: the model's module imports numpy
    from monitor.relevance.learning import Model


def learn_from_desk(store: Store, config: Config, now: datetime) -> Model | None:
    """Tonight's model, trained on every decision so far; None while there are too few."""
    count, wanted = store.desk_decision_counts()
    if count < config.news["learning_min_decisions"] or wanted == 0 or wanted == count:
        return None
    from monitor.relevance.learning import train

    model = train(store.desk_decisions())
    store.save_model(model, now.replace(microsecond=0).isoformat())
    return model
