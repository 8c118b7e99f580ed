"""Benchmark of the news harvest against bare Scrapy baselines, in one run.

Serves 50 feeds × 200 entries (10 hosts on 127.0.3.N) plus their article pages, shaped like a real
night (benchmarks/realistic.py: the labelled corpus's real titles and summaries, HTML in some, a third
relevant, traps, bursts of near-identical titles, English feeds, tracking parameters, article pages of
5–50 kB), then prints:
  - feed stage (download + parse + classify + store, no article pages) against a plain Scrapy spider
    downloading the same feeds and calling feedparser.parse on each (target ≤ 1.5×);
  - article stage: the `articles` spider against a plain Scrapy spider fetching the same pages and
    extracting them with trafilatura (target ≤ 1.3×);
  - a second night over the unchanged web: share of requests answered 304 or skipped (target ≥ 95 %)
    and its wall time against the first night (target ≤ 15 %);
  - `veille classify` throughput on titles and summaries (target ≥ 10,000 items/s) and the peak
    memory of the whole run.

Run: uv run python benchmarks/bench_news.py [--feeds 50] [--entries 200] [--pairs 3] [--feeds-only]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bytecode import compile_sources  # noqa: E402
from benchmarks.nginx import nginx  # noqa: E402
from benchmarks.realistic import article, entry, tracking  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.crawl import global_concurrency, run_spider  # noqa: E402
from monitor.news.entries import plain_text  # noqa: E402
from monitor.news.run import run_news  # noqa: E402
from monitor.news.sources import Source  # noqa: E402
from monitor.relevance import load_lexicon  # noqa: E402
from monitor.store import Store  # noqa: E402

HOSTS = 10


def feed_xml(host: int, feed: int, entries: int) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(path + tracking(feed))}</link><description>{escape(summary)}</description>"
        f"<pubDate>{formatdate(1_790_000_000 - i * 3600, usegmt=True)}</pubDate><guid>f{feed}-{i}</guid></item>"
        for i, (title, summary, path) in ((i, entry(feed, i)) for i in range(entries))
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Flux {feed}</title>'
            f"<link>/</link><description>Banc d'essai</description>{items}</channel></rss>").encode()  # fmt: skip


def article_path_entry(path: str) -> tuple[int, int]:
    """(feed, index) of an article path: /a/FEED/INDEX.html or /a/burst-STORY-FEED-INDEX.html."""
    name = path.split("/a/", 1)[1].removesuffix(".html")
    if name.startswith("burst-"):
        _, _, feed, index = name.split("-")
        return int(feed), int(index)
    feed, index = name.split("/")
    return int(feed), int(index)


def write_newsroom(root: Path, feeds: int, entries: int) -> None:
    """The feeds (/feed/N.xml) and every entry's article page (/a/...) as static files."""
    (root / "feed").mkdir(parents=True, exist_ok=True)
    for feed in range(feeds):
        (root / "feed" / f"{feed}.xml").write_bytes(feed_xml(0, feed, entries))
        for index in range(entries):
            title, summary, path = entry(feed, index)
            page = root / path.lstrip("/")
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(article(feed, index, title, summary))


@contextmanager
def newsroom(feeds: int, entries: int) -> Iterator[list[str]]:
    """Serve the newsroom from nginx on HOSTS loopback addresses; yields their base URLs."""
    root = Path(tempfile.mkdtemp(prefix="veille-bench-newsroom-"))
    try:
        write_newsroom(root, feeds, entries)
        with nginx(root, [f"127.0.3.{n}" for n in range(1, HOSTS + 1)]) as bases:
            yield bases
    finally:
        shutil.rmtree(root, ignore_errors=True)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare(spider: str, urls: list[str], tmp: Path, per_host: int, *extra: str) -> tuple[float, float]:
    """(wall s, CPU s) of a plain Scrapy spider over `urls`."""
    listing = tmp / f"{spider}-urls.json"
    listing.write_text(json.dumps(urls))
    command = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / spider), "-a", f"urls={listing}",
        "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_host}", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=ERROR",
        "-s", f"CONCURRENT_REQUESTS={global_concurrency(urls, per_host)}", "-s", "TELNETCONSOLE_ENABLED=False", *extra,
    ]  # fmt: skip
    return timed(command, tmp)  # a folder without scrapy.cfg: Scrapy's defaults


# `veille` as `python -m monitor` runs it, noting at exit the CPU time (user + sys) of its children,
# the crawl children, all waited for by then, in the file named by its first argument. The note is the
# first exit handler registered, so the last to run; what the CLI spends after it (Python's teardown)
# is its own and is counted: its CPU is the whole command's less its children's.
OWN_CPU = (
    "import atexit, resource, sys\n"
    "out = sys.argv.pop(1)\n"
    "def note():\n"
    "    usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    open(out, 'w').write(str(usage.ru_utime + usage.ru_stime))\n"
    "atexit.register(note)\n"
    "sys.argv[0] = 'veille'\n"
    "from monitor.program import main\n"
    "main()\n"
)


def timed_veille(arguments: list[str], tmp: Path) -> tuple[float, float, float]:
    """(wall s, CPU s of the CLI and its crawl child, CPU s of the CLI alone, its exit included) of one
    `veille` command."""
    note = tmp / "children-cpu.txt"
    wall, cpu = timed([sys.executable, "-c", OWN_CPU, str(note), *arguments], ROOT)
    return wall, cpu, cpu - float(note.read_text())


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall s, CPU s of the process and its children) of one command."""
    cpu, started = children_cpu(), time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def write_config(folder: Path, feeds: list[str], entries: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yml").write_text(
        "collectif: {name: Collectif, site: 'https://www.contrelatraite.org/', domains: [contrelatraite.org]}\n"
        "crawl: {delay_s: 0, timeout_s: 20, retries: 0}\n"
        f"news: {{articles_per_source: 20, max_entries_per_source: {entries}}}\n"
    )
    (folder / "members.yml").write_text("members: []\n")
    sources = "".join(
        f"  - {{id: feed-{n}, name: Flux {n}, kind: feed, url: '{url}', language: fr}}\n"
        for n, url in enumerate(feeds)
    )
    (folder / "sources.yml").write_text(f"search_engines: {{}}\nsources:\n{sources}", encoding="utf-8")
    # The lexicon and the learnt model a real night reads beside it: without the model, the night
    # would skip the lift of every story the lexicon does not keep (earlier runs measured that).
    for name in ("topics.yml", "relevance-model.json"):
        shutil.copy(ROOT / "data" / name, folder / name)
    return folder


def ratios(label: str, pairs: list[tuple[float, float]], target: str) -> None:
    """The median of the per-pair ratios (each pair measured back to back), and their range."""
    each = sorted(a / b for a, b in pairs)
    print(f"  {label}: median {statistics.median(each):.2f}x (range {each[0]:.2f}-{each[-1]:.2f}, "
          f"{len(each)} pairs; target {target})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--classify-items", type=int, default=50_000)
    parser.add_argument(
        "--feeds-only", action="store_true", help="stop after the feed stage and second night"
    )
    args = parser.parse_args()
    compile_sources(ROOT)
    with newsroom(args.feeds, args.entries) as bases:
        bench(args, bases)


def bench(args: argparse.Namespace, bases: list[str]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="veille-bench-news-"))
    feeds = [f"{bases[i % HOSTS]}/feed/{i}.xml" for i in range(args.feeds)]
    config_dir = write_config(tmp / "config", feeds, args.entries)
    config = load_config(config_dir)
    lexicon = load_lexicon(ROOT / "data" / "topics.yml")
    per_host = config.crawl["concurrency_per_site"]
    sources = [
        Source(id=f"feed-{i}", name=f"Flux {i}", url=url, kind="feed", language="fr")
        for i, url in enumerate(feeds)
    ]

    # Feed stage, CLI against bare, in alternating pairs; then the second night (all 304) on the same
    # database, start-up included, against the first.
    print(f"feeds: {args.feeds} x {args.entries} entries on {HOSTS} hosts served by nginx")
    bare_runs, first_runs, second_runs = [], [], []
    for attempt in range(args.pairs):
        bare_runs.append(bare("bare_feeds.py", feeds, tmp, per_host))
        db = tmp / f"feeds-{attempt}.db"
        run = ["news", "run", "--no-articles", "-q", "--config", str(config_dir), "--db", str(db)]
        first_runs.append(timed_veille(run, tmp))
        second_runs.append(timed_veille(run, tmp))
        (first_wall, first_cpu, first_own), (second_wall, second_cpu, second_own) = (
            first_runs[-1],
            second_runs[-1],
        )
        print(f"  pair {attempt + 1}: bare {bare_runs[-1][0]:.2f} s wall / {bare_runs[-1][1]:.2f} s CPU | veille "
              f"news run --no-articles {first_wall:.2f} s / {first_cpu:.2f} s CPU (CLI {first_own:.2f} + crawl "
              f"{first_cpu - first_own:.2f}) | second night (all 304) {second_wall:.2f} s / {second_cpu:.2f} s CPU"
              f" (CLI {second_own:.2f} + crawl {second_cpu - second_own:.2f})")  # fmt: skip
    counted = Store.open(tmp / "feeds-0.db").db
    stored = counted.execute("select count(*) from articles").fetchone()[0]
    relevant = counted.execute("select count(*) from articles where relevant").fetchone()[0]
    print(f"  stored {stored} articles, {relevant} relevant")
    for label, runs, against, target in (
        ("feed stage / bare", first_runs, bare_runs, "<= 1.5x"),
        ("second night / first", second_runs, first_runs, "<= 0.15x"),
    ):
        for column, unit in ((0, "wall"), (1, "CPU")):
            ratios(
                f"{label}, {unit}",
                [(a[column], b[column]) for a, b in zip(runs, against, strict=True)],
                target,
            )
    per_10k = sorted(run[2] * 10_000 / (args.feeds * args.entries) for run in first_runs)
    print(f"  CLI's own CPU per 10,000 entries (first night, start-up and exit included): median "
          f"{statistics.median(per_10k):.2f} s (range {per_10k[0]:.2f}-{per_10k[-1]:.2f}; target <= 2 s)")  # fmt: skip
    if args.feeds_only:
        return

    # Article stage: the pages a night fetches (20 per source), through the same spider as run_news.
    pages = [f"{bases[i % HOSTS]}{entry(i, j)[2]}" for i in range(args.feeds) for j in range(20)]
    job = tmp / "articles.json"
    origin_hosts = [b.split("//")[1].split(":")[0] for b in bases]
    job.write_text(json.dumps({"articles": [{"url": u} for u in pages], "origin_hosts": origin_hosts}))
    settings = {**config.scrapy_settings(), "CONCURRENT_REQUESTS": global_concurrency(pages, per_host)}
    article_pairs = []
    for _ in range(args.pairs):
        bare_s = bare("bare_articles.py", pages, tmp, per_host)[0]
        started = time.perf_counter()
        extracted = run_spider("articles", {"job": str(job)}, settings, 900).items
        article_pairs.append((time.perf_counter() - started, bare_s))
    ok = sum(1 for item in extracted if item.get("ok") and item.get("text"))
    size = sum(len(article(*article_path_entry(p), *entry(*article_path_entry(p))[:2])) for p in pages) / len(
        pages
    )
    print(
        f"article stage ({len(pages)} pages of {size / 1024:.0f} kB on average, {ok}/{len(pages)} with text):"
        f" veille {len(pages) / statistics.median(a for a, _ in article_pairs):.1f} pages/s"
    )
    ratios("article stage / bare (fetch + trafilatura), wall", article_pairs, "<= 1.3x")

    # Two nights with articles: the second over the unchanged web.
    store = Store.open(tmp / "nights.db")
    store.sync_sources(sources)
    started = time.perf_counter()
    _, first = run_news(store, config, lexicon)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    _, second = run_news(store, config, lexicon)
    second_s = time.perf_counter() - started
    first_requests = first.fetched + first.articles_fetched
    saved = second.not_modified + (first.articles_fetched - second.articles_fetched)
    print(
        f"second night with articles: {second.not_modified}/{second.fetched} feeds answered 304, "
        f"{second.articles_fetched} article pages fetched; {saved / first_requests:.1%} of the first night's "
        f"requests answered 304 or skipped (target >= 95%); {second_s:.2f} s vs {first_s:.2f} s in-process"
    )

    items = tmp / "classify.jsonl"
    with items.open("w") as out:
        for n in range(args.classify_items):
            title, summary, _ = entry(n % 97, n)
            out.write(json.dumps({"id": n, "title": title, "summary": plain_text(summary)}) + "\n")
    # Twice on a database of its own: first with no compiled lexicon beside it (read from the YAML),
    # then with the one the first run kept there, as every later night or run has it.
    for state in ("lexicon read from the YAML", "compiled lexicon kept beside the database"):
        started = time.perf_counter()
        with items.open() as stdin:
            subprocess.run([sys.executable, "-m", "monitor", "classify", "--db", str(tmp / "classify.db")],
                           stdin=stdin, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)  # fmt: skip
        classify_s = time.perf_counter() - started
        print(
            f"veille classify (title + 30-60-word summary, {state}): {args.classify_items / classify_s:,.0f}"
            f" items/s including start-up (target >= 10,000 items/s)"
        )
    # Story grouping: the cost per entry with a burst of near-identical entries, small and large.
    from monitor.news.dedup import StoryIndex, signature

    costs = {}
    for burst in (50, 2000):
        index, started = StoryIndex(0.6), time.perf_counter()
        for n in range(burst):
            title = f"Proxénétisme : un réseau démantelé à Lyon, douze victimes {'(mise à jour)' if n % 3 else ''} {n % 7}"
            lead = "Six personnes interpellées pour proxénétisme aggravé après une enquête de plusieurs mois"
            story = index.story_of([(title, lead)]) or f"story-{n}"
            index.add(f"a{n}", story, title, lead)
            signature.cache_clear()
        costs[burst] = (time.perf_counter() - started) / burst * 1e6
    print(
        f"story grouping: {costs[50]:.0f} µs per entry in a burst of 50, {costs[2000]:.0f} µs in a burst of 2,000"
        f" (ratio {costs[2000] / costs[50]:.2f}, target: not growing)"
    )
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(f"peak memory: {peak / 1024:.0f} MB (largest of this process and its children)")


if __name__ == "__main__":
    main()
