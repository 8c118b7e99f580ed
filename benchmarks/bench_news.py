"""Benchmark of the news harvest against bare Scrapy baselines, in one run.

Serves 50 feeds × 200 entries (10 hosts on 127.0.3.N) plus their article pages, then prints:
  - feed stage (download + parse + classify + store, no article pages) against a plain Scrapy spider
    downloading the same feeds and calling feedparser.parse on each (target ≤ 1.5×);
  - article stage: pages/s of the `articles` spider (trafilatura) against a bare fetch of the same pages;
  - a second night over the unchanged web: share of requests answered 304 or skipped (target ≥ 95 %)
    and its wall time against the first night (target ≤ 20 %);
  - `veille classify` throughput (target ≥ 10,000 items/s) and the peak memory of the whole run.

Run: uv run python benchmarks/bench_news.py [--feeds 50] [--entries 200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import load_config  # noqa: E402
from monitor.crawl import global_concurrency, run_spider  # noqa: E402
from monitor.news import run_news  # noqa: E402
from monitor.relevance import load_lexicon  # noqa: E402
from monitor.sources import Source  # noqa: E402
from monitor.store import Store  # noqa: E402

HOSTS = 10
RELEVANT = [
    "Proxénétisme : un réseau démantelé à {city}, {n} victimes mises à l'abri",
    "Travail forcé dans des exploitations viticoles près de {city} : {n} saisonniers libérés",
    "Traite des êtres humains : procès d'un réseau à {city}",
    "Mendicité forcée : {n} enfants exploités dans le métro de {city}",
]
ORDINARY = [
    "{city} : le conseil municipal vote le budget {n}",
    "Réforme des retraites : mobilisation à {city}",
    "Trafic perturbé sur l'autoroute près de {city}",
    "Au salon de l'agriculture de {city}, la traite des vaches fascine",
    "Football : {city} s'impose {n} à 1",
    "Météo : épisode de pluie attendu sur {city}",
    "Le traité de coopération signé à {city}",
    "Trafic de stupéfiants : {n} interpellations à {city}",
    "Culture : un festival de cinéma à {city}",
]
CITIES = ["Lyon", "Lille", "Nantes", "Rennes", "Marseille", "Toulouse", "Bordeaux", "Nice", "Metz", "Dijon"]
LEAD = (
    "Les faits se sont déroulés la semaine dernière selon les informations recueillies par notre rédaction. "
)


def entry_title(feed: int, index: int) -> str:
    rnd = random.Random(feed * 1000 + index)
    templates = RELEVANT if rnd.random() < 0.1 else ORDINARY
    return rnd.choice(templates).format(city=rnd.choice(CITIES), n=rnd.randint(2, 40)) + f" ({feed}-{index})"


def feed_xml(host: int, feed: int, entries: int) -> bytes:
    items = "".join(
        f"<item><title>{entry_title(feed, i)}</title><link>/a/{feed}/{i}-article-de-test.html</link>"
        f"<description>{LEAD * 2}</description><pubDate>{formatdate(1_790_000_000 - i * 3600, usegmt=True)}"
        f"</pubDate><guid>f{feed}-{i}</guid></item>"
        for i in range(entries)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Flux {feed}</title>'
            f"<link>/</link><description>Banc d'essai</description>{items}</channel></rss>").encode()  # fmt: skip


def article_html(feed: int, index: int) -> bytes:
    title = entry_title(feed, index)
    body = "".join(f"<p>{LEAD * 3} Paragraphe {p}.</p>" for p in range(8))
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="2026-10-01T08:00:00+02:00"></head>'
            f"<body><header><nav><a href='/'>Accueil</a></nav></header><main><article><h1>{title}</h1>"
            f"{body}</article></main><footer>Pied de page</footer></body></html>").encode()  # fmt: skip


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
            _, _, feed, rest = self.path.split("/", 3)
            body, kind = article_html(int(feed), int(rest.split("-")[0])), "text/html; charset=utf-8"
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
    pages = [
        f"{bases[i % HOSTS]}/a/{i}/{j}-article-de-test.html" for i in range(args.feeds) for j in range(20)
    ]
    job = tmp / "articles.json"
    job.write_text(
        json.dumps(
            {
                "articles": [{"url": u} for u in pages],
                "origin_hosts": [b.split("//")[1].split(":")[0] for b in bases],
            }
        )
    )
    settings = {**config.scrapy_settings(), "CONCURRENT_REQUESTS": global_concurrency(pages, per_host)}
    started = time.perf_counter()
    extracted = run_spider("articles", {"job": str(job)}, settings, 900).items
    article_s = time.perf_counter() - started
    bare_pages = bare("bare_feeds.py", pages, tmp, per_host, "-a", "parse=0")
    ok = sum(1 for item in extracted if item.get("ok") and item.get("text"))
    print(
        f"article stage  bare fetch {len(pages) / bare_pages:6.1f} pages/s | veille (fetch + trafilatura) "
        f"{len(pages) / article_s:6.1f} pages/s ({ok}/{len(pages)} with text)"
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
        f"skipped (target >= 95%); {second_s:.2f} s vs {first_s:.2f} s = {second_s / first_s:.1%} (target <= 20%)"
    )

    items = tmp / "classify.jsonl"
    with items.open("w") as out:
        for n in range(args.classify_items):
            out.write(json.dumps({"id": n, "title": entry_title(n % 97, n), "summary": LEAD}) + "\n")
    started = time.perf_counter()
    with items.open() as stdin:
        subprocess.run([sys.executable, "-m", "monitor", "classify"], stdin=stdin, stdout=subprocess.DEVNULL,
                       check=True, cwd=ROOT)  # fmt: skip
    classify_s = time.perf_counter() - started
    print(
        f"veille classify: {args.classify_items / classify_s:,.0f} items/s including start-up "
        f"(target >= 10,000 items/s)"
    )
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(f"peak memory: {peak / 1024:.0f} MB (largest of this process and its children)")


if __name__ == "__main__":
    main()
