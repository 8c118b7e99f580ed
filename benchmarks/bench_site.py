"""Benchmark of `veille site audit` against a bare Scrapy crawl of the same site, in one run.

A synthetic Collectif site of 2,000 pages (plus its home page) is served from its own process on
127.0.3.1: French pages of real length (about 600 words), a navigation bar, links down a tree and
across it, sharing tags and structured data on some pages, near-duplicate titles, images with and
without `alt`, a sitemap and robots.txt; and 20 outgoing links to four other sites (127.0.3.2–5),
half of them broken. Then, alternately and `--repeat` times:
  - the bare crawl (benchmarks/bare_site_crawl.py): follows every same-host link, nothing else;
  - the whole audit (crawl, page facts, link checks, judgement, storing, in a fresh database).
Both without politeness delay and with the same concurrency. Prints medians, the median of the
rounds' ratios (target ≤ 1.3×) and the audit's peak memory, parent and crawl child added (target < 300 MB).

Run: uv run python benchmarks/bench_site.py [--pages 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE, OTHERS = "127.0.3.1", [f"127.0.3.{n}" for n in range(2, 6)]
WORDS = (
    "traite êtres humains victimes associations accompagnement hébergement exploitation travail forcé "
    "prostitution mineurs justice procès réseau enquête protection droits formation professionnels "
    "sensibilisation rapport plan national ministère police magistrats santé logement insertion "
    "Collectif membres action prévention jeunes migrants frontières Europe coopération écoute"
).split()


def page_body(number: int, pages: int, others: list[str], site_url: str) -> bytes:
    rng = random.Random(number)
    text = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(100)).capitalize() + ".</p>" for _ in range(6)
    )
    children = [n for n in range(number * 8 + 1, number * 8 + 9) if n <= pages]
    across = [rng.randint(1, pages) for _ in range(4)]
    links = "".join(f'<li><a href="/p{n}.html">Page {n}</a></li>' for n in [*children, *across])
    nav = "".join(f'<a href="/p{n}.html">Rubrique {n}</a> ' for n in range(1, 21))
    external = others[number % len(others)]
    title = f"Rubrique {number // 50} : dossier" if number % 50 == 0 else f"Dossier {number} du Collectif"
    article = number % 3 == 0
    head = (
        f'<meta charset="utf-8"><title>{title}</title><meta name="viewport" content="width=device-width">'
        + ("" if number % 7 == 0 else f'<meta name="description" content="Page {number} du Collectif.">')
        + f'<link rel="canonical" href="{site_url}p{number}.html">'
        + (f'<meta property="og:title" content="{title}"><meta property="og:image" content="/i.png">' if article else "")
    )  # fmt: skip
    image = '<img src="/i.png">' if number % 5 == 0 else '<img src="/i.png" alt="Illustration">'
    body = (
        f'<!doctype html><html lang="fr"><head>{head}</head><body><header><nav>{nav}</nav></header>'
        f"<main>{'<article>' if article else ''}<h1>{title}</h1>{image}{text}"
        f'<ul>{links}</ul><p>Voir aussi <a href="{external}x{number % 10}">un partenaire</a>.</p>'
        f'{"</article>" if article else ""}<time datetime="2026-11-{1 + number % 28:02d}">date</time></main>'
        '<footer><a href="/">Accueil</a></footer></body></html>'
    )
    return body.encode()


def serve_site(pages: int, ports: dict[str, int], ready: object) -> None:
    port = ports[SITE]
    others = [f"http://{host}:{ports[host]}/" for host in OTHERS]
    site_url = f"http://{SITE}:{port}/"
    bodies = {f"/p{n}.html": page_body(n, pages, others, site_url) for n in range(1, pages + 1)}
    bodies["/"] = page_body(0, pages, others, site_url).replace(
        b"</head>",
        b'<script type="application/ld+json">{"@type": "NGO", "name": "Collectif"}</script></head>',
    )
    sitemap = "".join(f"<url><loc>http://{SITE}:{port}/p{n}.html</loc></url>" for n in range(1, pages + 1, 1))
    bodies["/sitemap.xml"] = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap}</urlset>'
    ).encode()
    for number in range(5):  # half the outgoing links work, half are broken (404)
        bodies[f"/x{number}"] = b"<!doctype html><title>Partenaire</title><p>Page d'un partenaire.</p>"
    bodies["/robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: http://{SITE}:{port}/sitemap.xml\n".encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            status = 200 if body is not None else 404
            body = body if body is not None else b"<h1>404</h1>"
            self.send_response(status)
            kind = "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
            self.send_header("Content-Type", "text/plain" if self.path.endswith(".txt") else kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    servers = [Server((host, ports[host]), Handler) for host in [SITE, *OTHERS]]
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.put(True)  # type: ignore[attr-defined]
    servers[0].serve_forever()


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if result.returncode:
        sys.exit(f"{command[:4]} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, result.stdout


AUDIT = """
import json, resource, sys
from dataclasses import replace
from monitor.config import load_config
from monitor.site.audit import run_audit
from monitor.store import Store
config = load_config(sys.argv[1])
# No politeness delay and the bare crawl's concurrency: what is measured is the work, not the waiting.
config = replace(config, site={**config.site, "delay_s": 0, "link_delay_s": 0, "concurrency": 8})
audit = run_audit(Store.open(sys.argv[2]), config)
print(json.dumps({"pages": audit.stats["pages"], "findings": len(audit.findings),
                  "links": audit.stats["links_checked"],
                  "crawl_mb": audit.crawl.stats.get("memusage/max", 0) / 2**20,
                  "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ports = {host: free_port(host) for host in [SITE, *OTHERS]}
    port = ports[SITE]
    ready: multiprocessing.Queue[bool] = multiprocessing.Queue()
    # The site is served from its own process: the crawls measured do not share its interpreter.
    holder = multiprocessing.Process(target=serve_site, args=(args.pages, ports, ready), daemon=True)
    holder.start()
    ready.get(timeout=120)
    tmp = Path(tempfile.mkdtemp(prefix="veille-bench-site-"))
    config = tmp / "config"
    config.mkdir()
    (config / "config.yml").write_text(
        "collectif: {name: Collectif, site: 'https://www.contrelatraite.org/', domains: [contrelatraite.org]}\n"
        f"site: {{start_url: 'http://{SITE}:{port}/', page_budget: {args.pages + 10}, timeout_min: 30}}\n",
        encoding="utf-8",
    )
    members = "".join(f"  - {{id: m{n}, name: M{n}, site: 'http://{h}:{p}/'}}\n"
                      for n, (h, p) in enumerate((h, ports[h]) for h in OTHERS))  # fmt: skip
    (config / "members.yml").write_text("members:\n" + members, encoding="utf-8")
    bare = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "bare_site_crawl.py"),
        "-a", f"site=http://{SITE}:{port}/", "-O", str(tmp / "bare.jsonl"),
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "CONCURRENT_REQUESTS=16", "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=True",
        "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "COOKIES_ENABLED=False",
    ]  # fmt: skip
    bare_s, audit_s, facts = [], [], {}
    for round_ in range(args.repeat):
        seconds, _ = timed(bare, tmp)
        bare_s.append(seconds)
        bare_pages = len((tmp / "bare.jsonl").read_text().splitlines())
        db = tmp / f"audit-{round_}.db"
        seconds, out = timed([sys.executable, "-c", AUDIT, str(config), str(db)], ROOT)
        audit_s.append(seconds)
        facts = json.loads(out.strip().splitlines()[-1])
        print(
            f"round {round_ + 1}: bare {bare_s[-1]:.2f} s ({bare_pages} pages), audit {seconds:.2f} s ({facts})"
        )
    bare_m, audit_m = statistics.median(bare_s), statistics.median(audit_s)
    peak = facts["crawl_mb"] + facts["parent_mb"]
    print(f"bare Scrapy crawl : {bare_m:6.2f} s median  {bare_pages / bare_m:7.1f} pages/s")
    print(f"veille site audit : {audit_m:6.2f} s median  {facts['pages'] / audit_m:7.1f} addresses/s"
          f"  ({facts['links']} outgoing links checked, {facts['findings']} findings)")  # fmt: skip
    ratios = sorted(a / b for a, b in zip(audit_s, bare_s, strict=True))
    print(f"ratio audit/bare  : {statistics.median(ratios):.2f}x median of the rounds"
          f" ({ratios[0]:.2f}–{ratios[-1]:.2f}x; target <= 1.3x)")  # fmt: skip
    print(f"peak memory       : {peak:.0f} MB = crawl child {facts['crawl_mb']:.0f} + parent"
          f" {facts['parent_mb']:.0f} (target < 300 MB)")  # fmt: skip
    holder.terminate()


if __name__ == "__main__":
    main()
