"""The backlink check: crawl member sites, confirm in a browser, judge, and (for a run) remember.

`check_sites` needs no database (`veille links check`); `run_links` stores results and history
(`veille links run`).
"""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.browser import find_chromium
from crawler.judge.targets import host_of, on_same_site
from monitor.config import Config
from monitor.crawl import global_concurrency, read_items, run_spider
from monitor.links.confirmation import apply_browser
from monitor.links.history import reconcile
from monitor.links.verdict import SiteOutcome, links_status, no_site_outcome, site_outcome
from monitor.store import Store, utc_now

ProgressCallback = Callable[[str, int, int], None]
ABSENCE_VERDICTS = ("missing", "hidden", "linked_nofollow")


@dataclass(frozen=True)
class SiteTarget:
    """A site to check: who it belongs to, where it starts, and pages to re-check at any depth."""

    id: str
    url: str | None
    known_pages: tuple[str, ...] = ()


@dataclass
class CheckResult:
    outcomes: dict[str, SiteOutcome] = field(default_factory=dict)
    mode: str = "static"
    crawl_stats: dict[str, Any] = field(default_factory=dict)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def browser_executable(config: Config, browser: bool | None) -> str | None:
    """Chromium to confirm links with, or None: `browser` forces it on or off, None follows config."""
    if browser is False or (browser is None and config.crawl["browser"] == "off"):
        return None
    return find_chromium()


def _crawl_timeout_s(config: Config, site_count: int) -> float:
    crawl = config.crawl
    per_page_worst = (
        crawl["timeout_s"] * (crawl["retries"] + 1) + crawl["retry_backoff_s"] * 2 ** crawl["retries"]
    )
    return crawl["time_budget_s"] + per_page_worst * 2 + 30 + math.ceil(site_count / 8) * 10


def _pages_to_render(outcome: SiteOutcome, limit: int) -> list[str]:
    pages = [outcome.final_url] if outcome.final_url else []
    pages += [link["page"] for link in outcome.links]
    return list(dict.fromkeys(pages))[:limit]


def _confirm_in_browser(
    outcomes: dict[str, SiteOutcome],
    config: Config,
    executable: str,
    items: dict[str, list[dict]],
    origin_hosts: list[str],
    workdir: Path | None,
) -> None:
    pages = []
    for outcome in outcomes.values():
        if not outcome.was_read:
            continue
        depth_of = {p["url"]: p.get("depth") for p in items[outcome.site] if p.get("type") == "page"}
        hosts = sorted({host_of(p["url"]) for p in items[outcome.site] if p.get("type") == "page"})
        for url in _pages_to_render(outcome, config.crawl["browser_pages_per_site"]):
            pages.append({"site": outcome.site, "url": url, "hosts": hosts, "depth": depth_of.get(url)})
    if not pages:
        return
    with tempfile.TemporaryDirectory(prefix="veille-browser-", dir=workdir) as tmp:
        job, out = Path(tmp) / "job.json", Path(tmp) / "rendered.jsonl"
        job.write_text(
            json.dumps(
                {
                    "domains": list(config.collectif.domains),
                    "timeout_s": config.crawl["timeout_s"],
                    "user_agent": config.crawl["user_agent"],
                    "executable": executable,
                    "origin_hosts": origin_hosts,
                    "pages": pages,
                }
            ),
            encoding="utf-8",
        )
        timeout = 60 + len(pages) * (config.crawl["timeout_s"] + 5)
        # Past the timeout, the pages rendered so far are used; the others keep the static judgement.
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                [sys.executable, "-m", "crawler.browser", str(job), str(out)],
                timeout=timeout,
                capture_output=True,
                check=False,
            )
        rendered, _ = read_items(out)
    by_site: dict[str, list[dict]] = defaultdict(list)
    for render in rendered:
        by_site[render["site"]].append(render)
    for site, renders in by_site.items():
        outcome = outcomes[site]
        if not any(r.get("ok") for r in renders):
            continue
        outcome.links = apply_browser(outcome.links, renders)
        outcome.mode = "browser"
        outcome.status = links_status(outcome.links) if outcome.status != "unreachable" else outcome.status


def check_sites(
    targets: list[SiteTarget],
    config: Config,
    browser: bool | None = None,
    on_progress: Callable[[int], None] | None = None,
    workdir: Path | None = None,
) -> CheckResult:
    """Crawl and judge the given sites; nothing is stored. Temporary files go in `workdir`."""
    result = CheckResult()
    crawlable = [t for t in targets if t.url]
    for target in targets:
        if not target.url:
            result.outcomes[target.id] = no_site_outcome(target.id)
    if not crawlable:
        return result
    with tempfile.TemporaryDirectory(prefix="veille-job-", dir=workdir) as tmp:
        job = Path(tmp) / "sites.json"
        job.write_text(
            json.dumps(
                {"sites": [{"id": t.id, "url": t.url, "known_pages": list(t.known_pages)} for t in crawlable]}
            ),
            encoding="utf-8",
        )
        per_host = config.crawl["concurrency_per_site"]
        urls = [t.url for t in crawlable if t.url] + [p for t in crawlable for p in t.known_pages]
        settings = {**config.scrapy_settings(), "CONCURRENT_REQUESTS": global_concurrency(urls, per_host)}

        pages_read = 0

        def progress(items: list[dict[str, Any]]) -> None:
            nonlocal pages_read
            pages_read += sum(1 for item in items if item.get("type") == "page")
            if on_progress:
                on_progress(pages_read)

        output = run_spider(
            "backlinks",
            {"job": str(job)},
            settings,
            _crawl_timeout_s(config, len(crawlable)),
            workdir=workdir,
            on_items=progress,
        )
    result.crawl_stats = output.stats
    items: dict[str, list[dict]] = defaultdict(list)
    for item in output.items:
        items[item["site"]].append(item)
    result.items = items
    # Absence (no link, no visible link, no followed link) is concluded only from a crawl that
    # finished: a crawl killed or cut short may not have reached the page where the link stands.
    finished = output.returncode == 0 and output.stats.get("finish_reason") == "finished"
    for target in crawlable:
        outcome = site_outcome(target.id, items[target.id])
        if not finished and outcome.status in ABSENCE_VERDICTS:
            outcome.status = "unreachable"
            outcome.error = (
                "exploration interrompue avant la fin du site : l'absence du lien n'est pas établie"
            )
        elif output.timed_out and outcome.status == "unreachable":
            outcome.error = "exploration interrompue (durée maximale dépassée)"
        result.outcomes[target.id] = outcome
    executable = browser_executable(config, browser)
    if executable:
        origin_hosts = sorted({host_of(t.url) for t in crawlable if t.url})
        _confirm_in_browser(result.outcomes, config, executable, items, origin_hosts, workdir)
        result.mode = "browser"
    return result


def run_links(
    store: Store,
    config: Config,
    browser: bool | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[int, CheckResult]:
    """Check every configured member, store checks, links and events; return the run id.

    Nothing of the night is stored until every site is judged, then all of it at once with the run's
    end: a run killed at any point leaves the history as it was (and its run `interrupted`).
    """
    with store.exclusive_run("veille links run"):
        store.sync_members(config.members)
        targets = [SiteTarget(m.id, m.site, tuple(store.known_link_pages(m))) for m in config.members]
        executable = browser_executable(config, browser)
        run_id = store.start_run("links", "browser" if executable else "static")
        result = check_sites(
            targets, config, browser=bool(executable), on_progress=on_progress, workdir=store.work_dir
        )
        now = utc_now()
        counts: dict[str, int] = defaultdict(int)
        with store.db.atomic():
            for member in config.members:
                outcome = result.outcomes[member.id]
                counts[outcome.status] += 1
                changes = reconcile(
                    member.id, store.backlinks_of(member.id), store.previous_status(member.id), outcome, now
                )
                store.record_check(run_id, member.id, outcome, changes, now)
                if member.site:
                    feeds = [f for f in outcome.feeds if on_same_site(f["url"], member.site)]
                    store.add_discovered_feeds(member.id, feeds)
            pages = result.crawl_stats.get("response_received_count")
            store.finish_run(run_id, {"statuses": counts, "pages": pages})
    return run_id, result
