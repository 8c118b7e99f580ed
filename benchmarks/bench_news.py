"""Benchmark of the news harvest against bare Scrapy baselines, in one run.

Serves 50 feeds × 200 entries (10 hosts on 127.0.3.N) plus their article pages, shaped like a real
night (benchmarks/realistic.py: 30–60-word summaries, HTML in some, a third relevant, traps, bursts of
near-identical titles, English feeds, article pages of 5–50 kB), then prints:
  - feed stage (download + parse + classify + store, no article pages) against a plain Scrapy spider
    downloading the same feeds and calling feedparser.parse on each (target ≤ 1.5×);
  - article stage: the `articles` spider against a plain Scrapy spider fetching the same pages and
    extracting them with trafilatura (target ≤ 1.3×);
  - a second night over the unchanged web: share of requests answered 304 or skipped (target ≥ 95 %)
    and its wall time against the first night (target ≤ 15 %);
  - `veille classify` throughput on titles and summaries (target ≥ 10,000 items/s) and the peak
    memory of the whole run.

Run: uv run python benchmarks/bench_news.py [--feeds 50] [--entries 200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realistic import article, entry  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.crawl import global_concurrency, run_spider  # noqa: E402
from monitor.news.entries import plain_text  # noqa: E402
from monitor.news.harvest import run_news  # noqa: E402
from monitor.news.sources import Source  # noqa: E402
from monitor.relevance import load_lexicon  # noqa: E402
from monitor.store import Store  # noqa: E402

HOSTS = 10


def feed_xml(host: int, feed: int, entries: int) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{path}</link><description>{escape(summary)}</description>"
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


class Newsroom(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    entries = 200
    cache: dict[str, bytes] = {}

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = int(self.server.server_address[0].rsplit(".", 1)[1])
        if self.path.startswith("/feed/"):
            feed = int(self.path.split("/")[2].split(".")[0])
            key = f"feed{feed}"
            if key not in self.cache:
                self.cache[key] = feed_xml(host, feed, self.entries)
            body, kind = self.cache[key], "application/rss+xml"
        elif self.path.startswith("/a/"):
            feed, index = article_path_entry(self.path)
            title, summary, _ = entry(feed, index)
            body, kind = article(feed, index, title, summary), "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve_forever(entries: int, connection: Connection) -> None:
    Newsroom.entries = entries
    bases = []
    for n in range(1, HOSTS + 1):
        server = ThreadingHTTPServer((f"127.0.3.{n}", 0), Newsroom)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.3.{n}:{server.server_address[1]}")
    connection.send(bases)
    threading.Event().wait()


def serve(entries: int) -> list[str]:
    """Start the newsroom in a process of its own: a real web does not share our interpreter."""
    parent, child = Pipe()
    Process(target=_serve_forever, args=(entries, child), daemon=True).start()
    return parent.recv()


def bare(spider: str, urls: list[str], tmp: Path, per_host: int, *extra: str) -> float:
    listing = tmp / f"{spider}-urls.json"
    listing.write_text(json.dumps(urls))
    command = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / spider), "-a", f"urls={listing}",
        "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_host}", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=ERROR",
        "-s", f"CONCURRENT_REQUESTS={global_concurrency(urls, per_host)}", "-s", "TELNETCONSOLE_ENABLED=False", *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=tmp, check=True)  # a folder without scrapy.cfg: Scrapy's defaults
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--classify-items", type=int, default=50_000)
    args = parser.parse_args()
    bases = serve(args.entries)
    tmp = Path(tempfile.mkdtemp(prefix="veille-bench-news-"))
    feeds = [f"{bases[i % HOSTS]}/feed/{i}.xml" for i in range(args.feeds)]
    config_dir = tmp / "config"
    config_dir.mkdir()
    (config_dir / "config.yml").write_text(
        "collectif: {name: Collectif, site: 'https://www.contrelatraite.org/', domains: [contrelatraite.org]}\n"
        "crawl: {delay_s: 0, timeout_s: 20, retries: 0}\n"
        f"news: {{articles_per_source: 20, max_entries_per_source: {args.entries}}}\n"
    )
    (config_dir / "members.yml").write_text("members: []\n")
    config = load_config(config_dir)
    lexicon = load_lexicon(ROOT / "data" / "topics.yml")
    per_host = config.crawl["concurrency_per_site"]
    sources = [
        Source(id=f"feed-{i}", name=f"Flux {i}", url=url, kind="feed", language="fr")
        for i, url in enumerate(feeds)
    ]

    bare_feeds = min(bare("bare_feeds.py", feeds, tmp, per_host) for _ in range(3))
    feed_times = []
    for attempt in range(3):
        store = Store.open(tmp / f"feeds-{attempt}.db")
        store.sync_sources(sources)
        started = time.perf_counter()
        _, feed_summary = run_news(store, config, lexicon, fetch_articles=False)
        feed_times.append(time.perf_counter() - started)
    print(f"feeds: {args.feeds} × {args.entries} entries on {HOSTS} hosts; stored {feed_summary.new_articles}, "
          f"relevant {feed_summary.relevant}")  # fmt: skip
    print(
        f"feed stage  bare (download + feedparser) {bare_feeds:6.2f} s | veille (download + parse + classify"
        f" + store) {min(feed_times):6.2f} s | ratio {min(feed_times) / bare_feeds:.2f}x (target <= 1.5x)"
    )

    # Article stage: the pages a night fetches (20 per source), through the same spider as run_news.
    pages = [f"{bases[i % HOSTS]}{entry(i, j)[2]}" for i in range(args.feeds) for j in range(20)]
    job = tmp / "articles.json"
    origin_hosts = [b.split("//")[1].split(":")[0] for b in bases]
    job.write_text(json.dumps({"articles": [{"url": u} for u in pages], "origin_hosts": origin_hosts}))
    settings = {**config.scrapy_settings(), "CONCURRENT_REQUESTS": global_concurrency(pages, per_host)}
    article_times, bare_times = [], []
    for _ in range(2):
        started = time.perf_counter()
        extracted = run_spider("articles", {"job": str(job)}, settings, 900).items
        article_times.append(time.perf_counter() - started)
        bare_times.append(bare("bare_articles.py", pages, tmp, per_host))
    ok = sum(1 for item in extracted if item.get("ok") and item.get("text"))
    size = sum(len(article(*article_path_entry(p), *entry(*article_path_entry(p))[:2])) for p in pages) / len(
        pages
    )
    print(
        f"article stage ({len(pages)} pages of {size / 1024:.0f} kB on average)  bare (fetch + trafilatura)"
        f" {len(pages) / min(bare_times):6.1f} pages/s | veille {len(pages) / min(article_times):6.1f} pages/s"
        f" ({ok}/{len(pages)} with text) | ratio {min(article_times) / min(bare_times):.2f}x (target <= 1.3x)"
    )

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
        f"second night: {second.not_modified}/{second.fetched} feeds answered 304, {second.articles_fetched} "
        f"article pages fetched; {saved / first_requests:.1%} of the first night's requests answered 304 or "
        f"skipped (target >= 95%); {second_s:.2f} s vs {first_s:.2f} s = {second_s / first_s:.1%} (target <= 15%)"
    )

    items = tmp / "classify.jsonl"
    with items.open("w") as out:
        for n in range(args.classify_items):
            title, summary, _ = entry(n % 97, n)
            out.write(json.dumps({"id": n, "title": title, "summary": plain_text(summary)}) + "\n")
    started = time.perf_counter()
    with items.open() as stdin:
        subprocess.run([sys.executable, "-m", "monitor", "classify"], stdin=stdin, stdout=subprocess.DEVNULL,
                       check=True, cwd=ROOT)  # fmt: skip
    classify_s = time.perf_counter() - started
    print(
        f"veille classify (title + 30-60-word summary): {args.classify_items / classify_s:,.0f} items/s including"
        f" start-up (target >= 10,000 items/s)"
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
