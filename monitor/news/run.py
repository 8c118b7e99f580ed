"""A news night: the feed stage and the article stage, each a crawl child whose items the harvest
keeps (harvest.py), then the night's stories refreshed and its weak lane filled, in one run that a
kill at any line leaves resumable.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from crawler.judge.targets import host_of
from monitor.config import Config
from monitor.crawl import global_concurrency, run_spider
from monitor.news.harvest import Harvest, LexiconSource, NewsSummary
from monitor.store import Store, utc_now

# A night's feed stage is cut after this long, whatever the number of sources.
FEED_STAGE_TIMEOUT_S = 900


def choose_for_text(
    waiting: list[dict[str, Any]], per_source: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(to fetch, not to fetch) among the articles waiting for their page.

    `queued` ones were chosen by a run killed before it fetched them: they are fetched first and
    count in their source's budget; then `new` ones, best scores first, `per_source` per source.
    """
    taken: Counter[str] = Counter()
    chosen, skipped = [], []
    queued = [row for row in waiting if row["text_status"] == "queued"]
    new = sorted(
        (row for row in waiting if row["text_status"] == "new"), key=lambda r: (-(r["score"] or 0), r["id"])
    )
    for row in [*queued, *new]:
        if row["text_status"] == "queued" or taken[row["source_id"]] < per_source:
            taken[row["source_id"]] += 1
            chosen.append(row)
        else:
            skipped.append(row)
    return chosen, skipped


def configured_hosts(config: Config, sources: list[dict[str, Any]]) -> list[str]:
    """Hosts the Collectif wrote in its configuration (sources, member sites): only these may be on a
    private or loopback network. A feed discovered on a member's page is on the member's own host or
    judged like any web address."""
    hosts = {host_of(s["url"]) for s in sources if s["origin"] == "config"}
    return sorted(hosts | {host_of(m.site) for m in config.members if m.site})


def run_news(
    store: Store,
    config: Config,
    lexicon: LexiconSource,
    on_progress: Callable[[str], None] | None = None,
    fetch_articles: bool = True,
) -> tuple[int, NewsSummary]:
    """Harvest every due source into the store; returns the run id and what happened.

    Killed at any line, the next run loses nothing: a feed's validators are stored after the entries
    they vouch for (else the rerun's 304 would hide them), and articles wait for their page as `new`
    (not yet chosen) or `queued` (chosen, not yet fetched) until a run fetches them.
    """
    with store.exclusive_run("veille news run"):
        now = datetime.now(UTC)
        run_id = store.start_run("news", "static")
        harvest = Harvest(store, config, lexicon, run_id, now)
        _feed_stage(store, config, harvest, on_progress)
        if fetch_articles:
            _article_stage(store, config, harvest, on_progress)
        harvest.merge_new_stories()
        with store.db.atomic():
            store.refresh_stories(harvest.touched_stories | set(store.unrefreshed_stories()))
            # Candidates: every weak story not listed yet from the grouping window, not only tonight's,
            # so that those of a night killed before this line, or first seen by an earlier run whose
            # page came tonight, are not left out.
            cap = config.news["weak_signals_per_night"]
            listed, unlisted = store.fill_weak_lane(run_id, harvest.window_start, cap)
            harvest.summary.weak_listed, harvest.summary.weak_unlisted = listed, unlisted
            store.finish_run(run_id, harvest.summary.to_json())
    return run_id, harvest.summary


def _feed_stage(
    store: Store, config: Config, harvest: Harvest, on_progress: Callable[[str], None] | None
) -> None:
    now_iso = utc_now()
    sources = store.due_sources(now_iso)
    harvest.summary.sources = len(sources)
    backoff = config.news["failing_backoff_max_days"]
    job = store.work_dir / "sources.json"
    job.write_text(json.dumps({"sources": [
        {"id": s["id"], "url": s["url"], "kind": "page" if s["kind"] == "page" else "feed",
         "etag": s["etag"], "last_modified": s["last_modified"]} for s in sources
    ], "origin_hosts": configured_hosts(config, sources)}), encoding="utf-8")  # fmt: skip
    if on_progress:
        on_progress(f"Lecture de {len(sources)} sources…")
    languages = {s["id"]: s["language"] for s in sources}

    def keep(fetches: list[dict[str, Any]]) -> None:
        """Store one batch of sources as the crawl delivers them: entries first, then validators."""
        fetches = [f for f in fetches if f.get("type") == "fetch"]
        entries = [entry for fetch in fetches for entry in fetch.pop("items", [])]
        harvest.summary.entries += len(entries)
        harvest.keep_entries(entries, languages)
        store.record_fetches(fetches, now_iso, backoff)
        for fetch in fetches:
            harvest.summary.fetched += 1
            harvest.summary.not_modified += int(bool(fetch.get("not_modified")))
            if fetch.get("error"):
                harvest.summary.failed += 1
                harvest.summary.errors.append(f"{fetch['source']}: {fetch['error']}")

    settings = _crawl_settings(config, [s["url"] for s in sources])
    output = run_spider(
        "news", {"job": str(job)}, settings, FEED_STAGE_TIMEOUT_S, workdir=store.work_dir, on_items=keep
    )
    answered = {f["source"] for f in output.items if f.get("type") == "fetch"}
    silent = [{"source": s["id"], "error": "pas de réponse (exploration interrompue)"}
              for s in sources if s["id"] not in answered]  # fmt: skip
    store.record_fetches(silent, now_iso, backoff)
    harvest.summary.failed += len(silent)


def _article_stage(
    store: Store, config: Config, harvest: Harvest, on_progress: Callable[[str], None] | None
) -> None:
    chosen, skipped = choose_for_text(store.articles_awaiting_text(), config.news["articles_per_source"])
    store.set_text_status({row["id"]: "queued" for row in chosen} | {row["id"]: "skipped" for row in skipped})
    if not chosen:
        return
    if on_progress:
        on_progress(f"Lecture de {len(chosen)} articles…")
    job = store.work_dir / "articles.json"
    origin_hosts = configured_hosts(config, store.active_sources())
    job.write_text(
        json.dumps({"articles": [{"url": r["link"]} for r in chosen], "origin_hosts": origin_hosts})
    )
    settings = _crawl_settings(config, [r["link"] for r in chosen])
    pages = run_spider(
        "articles", {"job": str(job)}, settings, FEED_STAGE_TIMEOUT_S, workdir=store.work_dir
    ).items
    by_link = defaultdict(list)
    for row in chosen:
        by_link[row["link"]].append(row["id"])
    answered = [{**page, "id": i} for page in pages for i in by_link.pop(page["url"], [])]
    # A page the crawl never answered for (a crash in the spider, the time limit) is said so.
    unanswered = [
        {"id": i, "ok": False, "error": "aucune réponse du robot"} for ids in by_link.values() for i in ids
    ]
    harvest.keep_pages(answered + unanswered)


def _crawl_settings(config: Config, urls: list[str]) -> dict[str, Any]:
    per_host = config.crawl["concurrency_per_site"]
    return {**config.scrapy_settings(), "CONCURRENT_REQUESTS": global_concurrency(urls, per_host)}
