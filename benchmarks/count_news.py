"""The feed stage in instructions: `veille news run --no-articles` (first night on a fresh database,
then the all-304 second night) against bare Scrapy + `feedparser.parse` of the same feeds, each
process counted by valgrind's callgrind, children included.

CPU seconds on a shared 2-core machine move by ±20 % from one minute to the next, the bare run's
too; an instruction count is the same whatever the machine is doing, so a change of a few percent
can be seen. Instructions are not time (imports and start-up run at fewer instructions per cycle
than parsing), so the seconds of `bench_news.py` stay the figures the targets are read against;
this is the repeatable ratio beside them. About ten minutes (valgrind runs Python ~50× slower): run
it alone, as two at once can make a feed time out (it stops if any did).

Run: uv run python benchmarks/count_news.py [--feeds 50] [--entries 200]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_news import HOSTS, newsroom, write_config  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.crawl import global_concurrency  # noqa: E402


def counted(label: str, command: list[str], cwd: Path, out: Path) -> dict[str, int]:
    """Instructions of each process `command` starts (the command itself first), by process id."""
    if not shutil.which("valgrind"):
        sys.exit("valgrind is missing (apt-get install valgrind)")
    files = out / label
    files.mkdir()
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={files}/%p", *command],
        cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    counts = {}
    for path in sorted(files.iterdir(), key=lambda p: int(p.name)):
        lines = (line for line in path.read_text().splitlines() if line.startswith(("summary:", "totals:")))
        counts[path.name] = int(next(lines, "summary: 0").split()[1])
    return counts


def _one(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(sql).fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="veille-count-news-"))
    try:
        with newsroom(args.feeds, args.entries) as bases:
            feeds = [f"{bases[i % HOSTS]}/feed/{i}.xml" for i in range(args.feeds)]
            config = write_config(tmp / "config", feeds, args.entries)
            night = [sys.executable, "-m", "monitor", "news", "run", "--no-articles", "-q",
                     "--config", str(config), "--db", str(tmp / "veille.db")]  # fmt: skip
            first = counted("first", night, ROOT, tmp)
            stored = _one(tmp / "veille.db", "select count(*) from articles")
            if stored != args.feeds * args.entries:
                sys.exit(f"the first night stored {stored} articles, not {args.feeds * args.entries}: a feed timed"
                         " out under valgrind (run this benchmark alone), the counts would not compare")  # fmt: skip
            second = counted("second", night, ROOT, tmp)
            unchanged = _one(tmp / "veille.db", "select count(*) from sources where last_status = 304")
            if unchanged != args.feeds:
                sys.exit(
                    f"the second night had {unchanged} answers 304 of {args.feeds}: not an all-304 night"
                )
            per_host = load_config(config).crawl["concurrency_per_site"]
            listing = tmp / "urls.json"
            listing.write_text(json.dumps(feeds))
            bare = counted("bare", [
                sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "bare_feeds.py"),
                "-a", f"urls={listing}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_host}", "-s", "DOWNLOAD_DELAY=0",
                "-s", "LOG_LEVEL=ERROR", "-s", f"CONCURRENT_REQUESTS={global_concurrency(feeds, per_host)}",
                "-s", "TELNETCONSOLE_ENABLED=False",
            ], tmp, tmp)  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    giga = {
        name: sum(counts.values()) / 1e9
        for name, counts in (("first", first), ("second", second), ("bare", bare))
    }
    cli, *children = first.values()
    print(
        f"feeds: {args.feeds} x {args.entries} entries on {HOSTS} hosts served by nginx; instructions (callgrind)"
    )
    print(
        f"  first night: {giga['first']:.2f} G (CLI {cli / 1e9:.2f} G, its children {sum(children) / 1e9:.2f} G)"
    )
    print(f"  bare Scrapy + feedparser: {giga['bare']:.2f} G")
    print(f"  second night (all 304): {giga['second']:.2f} G")
    print(f"  feed stage / bare: {giga['first'] / giga['bare']:.2f}x (target <= 1.5x, in wall-clock seconds)")
    print(
        f"  second night / first: {giga['second'] / giga['first']:.2f}x (target <= 0.15x, in wall-clock seconds)"
    )
    print(f"  CLI per 10,000 entries: {cli / 1e9 * 10_000 / (args.feeds * args.entries):.2f} G")


if __name__ == "__main__":
    main()
