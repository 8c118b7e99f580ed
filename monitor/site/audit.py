"""`veille site audit`: crawl the Collectif's own site in a child process (crawler/spiders/site.py),
judge it (checks.py) and store the audit whole, with the outgoing links found working."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.judge.targets import host_of
from monitor.config import Config
from monitor.crawl import CrawlFailed, run_spider
from monitor.labels import PARIS
from monitor.news.export import published
from monitor.site.checks import MemberSite, Published, audit_findings
from monitor.site.model import Finding, SiteCrawl
from monitor.store import Store
from monitor.store.clock import utc


@dataclass
class Audit:
    run_id: int
    crawl: SiteCrawl
    findings: list[Finding]
    stats: dict[str, Any]


def start_url(config: Config) -> str:
    return config.site["start_url"] or config.collectif.site


def site_hosts(config: Config) -> frozenset[str]:
    """The hosts that are the Collectif's site: the start address's, and its domains with `www.`."""
    domains = config.collectif.domains
    return frozenset({host_of(start_url(config)), *domains, *(f"www.{d}" for d in domains)})


def scrapy_settings(config: Config, hosts: frozenset[str]) -> dict[str, Any]:
    """Polite to everyone: the Collectif's own site at its own pace, any other host one request at a
    time with `link_delay_s` between two."""
    site = config.site
    slots = {host: {"concurrency": site["concurrency"], "delay": site["delay_s"]} for host in hosts}
    return {
        **config.scrapy_settings(),
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": site["link_delay_s"],
        "DOWNLOAD_SLOTS": json.dumps(slots),
        "CONCURRENT_REQUESTS": 16,
    }


def crawl_site(config: Config, cached: dict[str, dict[str, Any]], workdir: Path | None) -> SiteCrawl:
    """One audit crawl; links in `cached` are not asked again and keep their stored answer."""
    hosts = site_hosts(config)
    origin = {host_of(m.site) for m in config.members if m.site} | set(hosts)
    with tempfile.TemporaryDirectory(prefix="veille-site-", dir=workdir) as tmp:
        job = Path(tmp) / "job.json"
        job.write_text(
            json.dumps({"start_url": start_url(config), "hosts": sorted(hosts),
                        "origin_hosts": sorted(origin), "page_budget": config.site["page_budget"],
                        "skip_links": sorted(cached)}),
            encoding="utf-8",
        )  # fmt: skip
        output = run_spider(
            "site",
            {"job": str(job)},
            scrapy_settings(config, hosts),
            config.site["timeout_min"] * 60,
            workdir,
        )
    items = output.items + [
        {"type": "link_check", "url": url, "host": row["host"], "ok": True, "status": row["status"],
         "final_url": row["final_url"], "cached": True}
        for url, row in cached.items()
    ]  # fmt: skip
    crawl = SiteCrawl.from_items(start_url(config), hosts, items)
    crawl.stats = {**output.stats, "timed_out": output.timed_out, "returncode": output.returncode}
    return crawl


def audit_due(store: Store, config: Config, moment: datetime) -> bool:
    """Whether the night should audit the site: `every_days` since the last audit that ended (an
    hour early is close enough: nights do not start at the same second)."""
    every = config.site["every_days"]
    if not every:
        return False
    last = store.last_runs("site", 1)
    if not last:
        return True
    started = datetime.fromisoformat(last[0]["started_at"])
    return moment - started >= timedelta(days=every) - timedelta(hours=1)


def run_audit(store: Store, config: Config, now: datetime | None = None) -> Audit:
    """Audit the site and store the audit (one transaction); a site that cannot be read at all is
    recorded as such, with no finding but that one."""
    moment = now or datetime.now(UTC)
    with store.exclusive_run("veille site audit"):
        run_id = store.start_run("site", "static")
        cached = store.fresh_link_checks(moment, config.site["link_cache_days"])
        crawl = crawl_site(config, cached, store.work_dir)
        if not crawl.pages:
            raise CrawlFailed(f"aucune page lue sur {start_url(config)}")
        members = [MemberSite(m.id, m.name, m.site) for m in config.members if m.site]
        recent = [Published(p["title"], p["url"] or "") for p in published(store, limit=10)]
        findings = audit_findings(crawl, config.site, members, recent, moment.astimezone(PARIS).date())
        stats = {
            "pages": len(crawl.pages),
            "links_checked": sum(1 for c in crawl.link_checks if not c.get("cached")),
            "links_from_cache": len(cached),
            "findings": len(findings),
            "timed_out": crawl.stats.get("timed_out", False),
            "complete": crawl.complete,
        }
        with store.db.atomic():
            store.sync_members(config.members)  # the report names a member's findings by its name
            store.save_audit(run_id, crawl.pages, findings, crawl.link_checks, utc(moment))
            store.finish_run(run_id, stats)
    return Audit(run_id, crawl, findings, stats)
