"""`veille run`: the night, once. Stages in order — member sites (links and feed discovery), news, the
rota's handover, the audit of the Collectif's own site (weekly), notices, reports — each isolated:
one that fails is recorded with its error and the next ones still run. The night is one row of
`nights`, its stages written after each one; it holds the database's run lock throughout (a second
night says so and stops).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.config import Config
from monitor.labels import PARIS, plural
from monitor.store import Store, utc_now

log = logging.getLogger("veille.night")
Send = Callable[[list[Any]], list[tuple[Any, str]]]


@dataclass
class Night:
    id: int
    stages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(stage["status"] == "ok" for stage in self.stages)

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [stage for stage in self.stages if stage["status"] != "ok"]


def run_night(
    store: Store,
    config: Config,
    sources: Any,
    lexicon: Any,
    send: Send | None = None,
    now: datetime | None = None,
    browser: bool | None = None,
) -> Night:
    """The whole night; `send` delivers the notices (None: the configured SMTP server)."""
    with store.exclusive_run("veille run"):
        night = Night(store.start_night(utc_now()))
        moment = now or datetime.now(PARIS)
        stages: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("liens", lambda: _links(store, config, browser)),
            ("actualités", lambda: _news(store, config, sources, lexicon)),
            ("roulement", lambda: _rota(store, config, moment)),
            ("site", lambda: _site(store, config, moment)),
            ("avis", lambda: send_notices(store, config, moment, night.failures, send, night.id)),
            ("rapports", lambda: _reports(store, config)),
        ]
        for name, stage in stages:
            started = utc_now()
            try:
                counts, status, error = stage(), "ok", None
            except Exception as exc:  # a stage's failure is recorded; the next stages still run
                log.error("étape %s en échec :\n%s", name, traceback.format_exc())
                counts, status, error = {}, "failed", f"{type(exc).__name__}: {exc}"[:500]
            stage_row = {"name": name, "status": status, "started_at": started, "finished_at": utc_now()}
            night.stages.append({**stage_row, "counts": counts, "error": error})
            store.record_stages(night.id, night.stages)
        store.finish_night(night.id, "ok" if night.ok else "failed", utc_now())
    return night


def _links(store: Store, config: Config, browser: bool | None) -> dict[str, Any]:
    from monitor.links.run import run_links

    run_id, result = run_links(store, config, browser=browser)
    statuses: dict[str, int] = {}
    for outcome in result.outcomes.values():
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return {"run": run_id, "sites": len(result.outcomes), **statuses}


def _news(store: Store, config: Config, sources: Any, lexicon: Any) -> dict[str, Any]:
    from monitor.news.run import run_news

    store.sync_sources(sources.sources)
    run_id, summary = run_news(store, config, lexicon)
    if summary.sources and summary.failed == summary.sources:
        raise RuntimeError(f"aucune des {summary.sources} sources n'a pu être lue")
    return {"run": run_id, "sources": summary.sources, "new_articles": summary.new_articles,
            "relevant": summary.relevant, "failed": summary.failed}  # fmt: skip


def _rota(store: Store, config: Config, moment: datetime) -> dict[str, Any]:
    from monitor.rota import on_duty, planned_turns

    rota = config.rota
    if not rota.start or not rota.members:
        return {"turns": 0}
    today = moment.astimezone(PARIS).date()
    turns = planned_turns(rota.start, rota.turn_weeks, list(rota.members), list(rota.overrides), today)
    store.save_duty(turns)
    current = on_duty(turns, today)
    return {"turns": len(turns), "on_duty": current.member_id if current else None}


def _site(store: Store, config: Config, moment: datetime) -> dict[str, Any]:
    """The audit of the Collectif's own site, every `site.every_days` (0: never)."""
    from monitor.site.audit import audit_due, run_audit

    if not audit_due(store, config, moment):
        return {"audit": "pas ce soir"}
    audit = run_audit(store, config, now=moment)
    return {"run": audit.run_id, "pages": audit.stats["pages"], "findings": audit.stats["findings"]}


def send_notices(
    store: Store,
    config: Config,
    moment: datetime,
    failures: list[dict[str, Any]] | None = None,
    send: Send | None = None,
    night_id: int | None = None,
) -> dict[str, Any]:
    """Compose tonight's messages, send them, record them; a message not sent fails the stage."""
    from monitor.night.mail import outbox_rows
    from monitor.night.mail import send as smtp_send
    from monitor.night.notices import compose, gather

    facts = gather(store, config, moment)
    messages = compose(facts, config, moment.astimezone(PARIS).date(), failures or [])
    results = (send or (lambda found: smtp_send(found, config.mail, config.collectif.name)))(messages)
    store.record_messages(outbox_rows(results, night_id, utc_now(), config.collectif.name))
    sent = sum(1 for _, status in results if status == "envoyé")
    if sent < len(results):
        unsent = plural(len(results) - sent, "message non envoyé", "messages non envoyés")
        raise RuntimeError(f"{unsent} sur {len(results)} : {results[-1][1]}")
    return {"messages": len(results)}


def _reports(store: Store, config: Config) -> dict[str, Any]:
    written = 0
    if config.night["report_file"]:
        from monitor.links.report import build_report, render

        _write(Path(config.night["report_file"]), render(build_report(store, config), "html"))
        written += 1
    if config.night["export_file"]:
        from monitor.news.export import published
        from monitor.news.export import render as render_export

        _write(Path(config.night["export_file"]), render_export(published(store), "html"))
        written += 1
    return {"files": written}


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partiel")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
