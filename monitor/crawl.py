"""Run a spider of `crawler/` in a child process and read back its items and stats.

The calling process never imports Scrapy or Twisted: each crawl is `python -m scrapy crawl …` with a
timeout, so a crawl that hangs or crashes cannot take the nightly job down with it.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class CrawlFailed(RuntimeError):
    """The crawl process could not run at all (not: some sites failed, which is normal)."""


@dataclass
class CrawlOutput:
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    returncode: int
    log_tail: str = ""
    timed_out: bool = False
    bad_lines: list[str] = field(default_factory=list)


def read_items(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Items of a JSON Lines file, and the lines that were not JSON (a crash mid-write)."""
    items, bad = [], []
    if not path.exists():
        return items, bad
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError:
                bad.append(line[:200])
    return items, bad


class ItemStream:
    """Complete JSON lines appended to a file by a running crawl, read as they arrive."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.bad: list[str] = []

    def read_new(self) -> list[dict[str, Any]]:
        try:
            with self.path.open("rb") as data:
                data.seek(self.offset)
                chunk = data.read()
        except FileNotFoundError:
            return []
        end = chunk.rfind(b"\n") + 1  # a line the crawler is still writing waits for next time
        self.offset += end
        items = []
        for line in chunk[:end].splitlines():
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError:
                    self.bad.append(line[:200].decode("utf-8", "replace"))
        return items


def _prctl() -> Any:
    """libc's prctl, found once in the parent: between fork and exec (where die_with_parent runs, in a
    process that may have threads) nothing may load libraries, import or take locks."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None  # not Linux: children simply do not follow their parent's death


_PRCTL = _prctl()


def die_with_parent() -> None:
    """In the child, before exec: be killed when the parent dies (Linux), so a `veille` run killed
    with SIGKILL leaves no crawl running on behind it."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


# The folder holding `monitor` and `crawler`: the checkout this process runs from.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def child_environment() -> dict[str, str]:
    """The crawl child's environment: Scrapy pointed at `crawler.settings`, and, run from a checkout,
    `crawler` imported from this very checkout, first on the path, not from wherever the virtual
    environment's editable install points (another checkout sharing it ran its own crawler before).
    An installed Veille (no checkout: `PROJECT_ROOT` is site-packages) leaves the path as it is, so
    that site-packages never comes before the standard library."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONUNBUFFERED": "1"}
    env.pop("SCRAPY_PROJECT", None)
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        env["PYTHONPATH"] = os.pathsep.join(
            [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    return env


def run_spider(
    spider: str,
    arguments: dict[str, str],
    settings: dict[str, Any],
    timeout_s: float,
    workdir: Path | None = None,
    on_items: Callable[[list[dict[str, Any]]], None] | None = None,
) -> CrawlOutput:
    """Run `scrapy crawl SPIDER` in a child process.

    `on_items(items)` receives the items as the crawl writes them, a few times a second, so the caller
    can work (or show progress) while the child downloads.
    """
    with tempfile.TemporaryDirectory(prefix="veille-crawl-", dir=workdir) as tmp:
        folder = Path(tmp).absolute()  # the child runs in it: every path it is given must be absolute
        items_path, stats_path, log_path = folder / "items.jsonl", folder / "stats.json", folder / "crawl.log"
        # The soft limit lets Scrapy close cleanly and flush its items before the hard one kills it.
        settings = {"CLOSESPIDER_TIMEOUT": int(timeout_s), **settings, "VEILLE_STATS_FILE": str(stats_path)}
        command = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", f"{items_path}:jsonlines"]
        for name, value in arguments.items():
            command += ["-a", f"{name}={value}"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        env = child_environment()
        timed_out = False
        stream = ItemStream(items_path)
        streamed: list[dict[str, Any]] = []

        def deliver() -> None:
            if on_items:
                items = stream.read_new()
                streamed.extend(items)
                if items:
                    on_items(items)

        with log_path.open("wb") as log:
            try:
                process = subprocess.Popen(
                    command, cwd=folder, env=env, stdout=log, stderr=log, preexec_fn=die_with_parent
                )
            except OSError as exc:
                raise CrawlFailed(f"cannot start the crawler: {exc}") from exc
            deadline = time.monotonic() + timeout_s + 60
            while True:
                try:
                    process.wait(timeout=0.25)
                    break
                except subprocess.TimeoutExpired:
                    deliver()
                if time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    timed_out = True
                    break
        deliver()
        items, bad = (streamed, stream.bad) if on_items else read_items(items_path)
        stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
        log_tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        if process.returncode != 0 and not items and not timed_out:
            raise CrawlFailed(f"the crawler exited with code {process.returncode}:\n{log_tail}")
        return CrawlOutput(items, stats, process.returncode, log_tail, timed_out, bad)


def global_concurrency(urls: list[str], per_host: int, ceiling: int = 64) -> int:
    """CONCURRENT_REQUESTS for a crawl of these URLs: per-host concurrency times distinct hosts.

    Measured with Scrapy 2.19 and ROBOTSTXT_OBEY: when the global limit exceeds what the hosts can
    take, requests waiting in the (async) robots.txt middleware fill the downloader's active set and
    the engine stalls until its 5-second heartbeat; 300 feeds on one host took 17 s instead of 0.9 s.
    """
    hosts = {urlsplit(url).netloc for url in urls}
    return max(1, min(ceiling, per_host * len(hosts)))
