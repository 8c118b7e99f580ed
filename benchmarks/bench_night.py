"""Benchmark of the night: the whole `veille run` against the separate `veille links run` and `veille
news run` on the same web (the links benchmark's 25 sites × 60 pages and the news benchmark's 50 feeds
× 200 entries with their article pages, served by nginx, together), each on a fresh database, best of two, in the same
run; then the daemon `veille schedule` at rest: its memory and CPU over 20 s between nights.

Target: the night ≤ 1.15× the sum of the two commands; the daemon under 60 MB and ~0 % CPU at rest.

Run: uv run python benchmarks/bench_night.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_links import synthetic_sites, timed  # noqa: E402
from benchmarks.bench_news import HOSTS, newsroom  # noqa: E402
from benchmarks.bytecode import compile_sources  # noqa: E402


def write_config(folder: Path, sites: list[str], feeds: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yml").write_text(
        "collectif: {name: Collectif, site: 'https://www.contrelatraite.org/', domains: [contrelatraite.org]}\n"
        "crawl: {page_budget: 60, max_depth: 2, delay_s: 0, timeout_s: 20, retries: 0, time_budget_s: 120,"
        " browser: 'off'}\n"
        "news: {articles_per_source: 20, max_entries_per_source: 200}\n"
        "night: {schedule: '15 4 * * *', catch_up_h: 0}\n"
        "site: {every_days: 0}\n",
        encoding="utf-8",
    )
    members = "".join(f"  - {{id: site-{n}, name: Site {n}, site: '{url}'}}\n" for n, url in enumerate(sites))
    (folder / "members.yml").write_text(f"members:\n{members}", encoding="utf-8")
    sources = "".join(
        f"  - {{id: feed-{n}, name: Flux {n}, kind: feed, url: '{url}', language: fr}}\n"
        for n, url in enumerate(feeds)
    )
    (folder / "sources.yml").write_text(f"search_engines: {{}}\nsources:\n{sources}", encoding="utf-8")
    for name in ("topics.yml", "relevance-model.json"):  # the lexicon and the model, as a real night
        shutil.copy(ROOT / "data" / name, folder / name)
    return folder


def veille(*args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", *args]


def daemon_at_rest(config: Path, db: Path, seconds: float = 20) -> tuple[float, float]:
    """(resident MB, CPU %) of `veille schedule` between nights."""
    process = subprocess.Popen(veille("schedule", "--config", str(config), "--db", str(db)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)  # fmt: skip
    try:
        time.sleep(5)  # started, the next night hours away

        def cpu_ticks() -> int:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])

        before, started = cpu_ticks(), time.perf_counter()
        time.sleep(seconds)
        cpu = (cpu_ticks() - before) / 100 / (time.perf_counter() - started) * 100
        status = Path(f"/proc/{process.pid}/status").read_text()
        rss = int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024
        return rss, cpu
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    compile_sources(ROOT)
    with newsroom(50, 200) as bases, synthetic_sites(25) as sites:
        bench(bases, sites)


def bench(bases: list[str], sites: list[str]) -> None:
    feeds = [f"{bases[i % HOSTS]}/feed/{i}.xml" for i in range(50)]
    tmp = Path(tempfile.mkdtemp(prefix="veille-bench-night-"))
    config = write_config(tmp / "config", sites, feeds)
    separate, whole = [], []
    for attempt in range(2):
        db = tmp / f"separate-{attempt}.db"
        links_s, _, links_mb, _ = timed(
            veille("links", "run", "-q", "--config", str(config), "--db", str(db))
        )
        news_s, _, news_mb, _ = timed(veille("news", "run", "-q", "--config", str(config), "--db", str(db)))
        separate.append(links_s + news_s)
        db = tmp / f"night-{attempt}.db"
        night_s, _, night_mb, _ = timed(veille("run", "-q", "--config", str(config), "--db", str(db)))
        whole.append(night_s)
        print(f"attempt {attempt + 1}: links {links_s:.2f} s + news {news_s:.2f} s = {links_s + news_s:.2f} s;"
              f" veille run {night_s:.2f} s; peak {max(links_mb, news_mb):.0f} / {night_mb:.0f} MB")  # fmt: skip
    ratio = min(whole) / min(separate)
    print(f"veille run against links run + news run (best of two): {min(whole):.2f} s / {min(separate):.2f} s"
          f" = {ratio:.2f}× (target ≤ 1.15×)")  # fmt: skip
    rss, cpu = daemon_at_rest(config, tmp / "night-0.db")
    print(
        f"veille schedule at rest: {rss:.0f} MB resident, {cpu:.2f} % CPU over 20 s (targets < 60 MB, ~0 %)"
    )


if __name__ == "__main__":
    main()
