"""Benchmark of `veille site audit` against a bare Scrapy crawl of the same site, in one run.

A synthetic Collectif site of 2,000 pages (plus its home page) is written as static files and served
by nginx (benchmarks/nginx.py) on 127.0.3.1: French pages of real length (about 600 words), a navigation bar, links down a tree and
across it, sharing tags and structured data on some pages, near-duplicate titles, images with and
without `alt`, a sitemap and robots.txt; and 20 outgoing links to four other sites (127.0.3.2–5),
half of them broken. Then, alternately and `--repeat` times (same server, same files):
  - the bare crawl (benchmarks/bare_site_crawl.py): follows every same-host link, nothing else;
  - the whole audit (crawl, page facts, link checks, judgement, storing, in a fresh database).
Both without politeness delay and with the same concurrency. Prints wall and CPU time (the command
and its children, resource.getrusage), medians, the median of the rounds' ratios (target ≤ 1.3×), the
audit's peak memory, parent and crawl child added (target < 300 MB), and the load average.

Run: uv run python benchmarks/bench_site.py [--pages 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_links import load  # noqa: E402
from benchmarks.nginx import nginx  # noqa: E402

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


def write_site(root: Path, pages: int, site_url: str, others: list[str]) -> None:
    """The site's files: /, /pN.html, sitemap.xml, robots.txt, and the partners' pages /x0–/x4 (the
    other hosts serve the same folder: half the outgoing links, /x5–/x9, are 404s)."""
    for n in range(1, pages + 1):
        (root / f"p{n}.html").write_bytes(page_body(n, pages, others, site_url))
    (root / "index.html").write_bytes(
        page_body(0, pages, others, site_url).replace(
            b"</head>",
            b'<script type="application/ld+json">{"@type": "NGO", "name": "Collectif"}</script></head>',
        )
    )
    sitemap = "".join(f"<url><loc>{site_url}p{n}.html</loc></url>" for n in range(1, pages + 1))
    (root / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap}</urlset>'
    )
    for number in range(5):
        (root / f"x{number}").write_bytes(
            b"<!doctype html><title>Partenaire</title><p>Page d'un partenaire.</p>"
        )
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {site_url}sitemap.xml\n")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall s, CPU s of the command and its children, stdout)."""
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if result.returncode:
        sys.exit(f"{command[:4]} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, children_cpu() - cpu, result.stdout


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
    print(f"before: {load()}")
    root = Path(tempfile.mkdtemp(prefix="veille-bench-site-root-"))
    try:
        with nginx(root, [SITE, *OTHERS]) as bases:
            write_site(root, args.pages, f"{bases[0]}/", [f"{base}/" for base in bases[1:]])
            bench(args, bases)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"after: {load()}")


def bench(args: argparse.Namespace, bases: list[str]) -> None:
    site_url, others = f"{bases[0]}/", bases[1:]
    tmp = Path(tempfile.mkdtemp(prefix="veille-bench-site-"))
    config = tmp / "config"
    config.mkdir()
    (config / "config.yml").write_text(
        "collectif: {name: Collectif, site: 'https://www.contrelatraite.org/', domains: [contrelatraite.org]}\n"
        f"site: {{start_url: '{site_url}', page_budget: {args.pages + 10}, timeout_min: 30}}\n",
        encoding="utf-8",
    )
    members = "".join(f"  - {{id: m{n}, name: M{n}, site: '{base}/'}}\n" for n, base in enumerate(others))
    (config / "members.yml").write_text("members:\n" + members, encoding="utf-8")
    bare = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "bare_site_crawl.py"),
        "-a", f"site={site_url}", "-O", str(tmp / "bare.jsonl"),
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "CONCURRENT_REQUESTS=16", "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=True",
        "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "COOKIES_ENABLED=False",
    ]  # fmt: skip
    bare_runs, audit_runs, facts = [], [], {}
    for round_ in range(args.repeat):
        seconds, cpu, _ = timed(bare, tmp)
        bare_runs.append((seconds, cpu))
        bare_pages = len((tmp / "bare.jsonl").read_text().splitlines())
        db = tmp / f"audit-{round_}.db"
        seconds, cpu, out = timed([sys.executable, "-c", AUDIT, str(config), str(db)], ROOT)
        audit_runs.append((seconds, cpu))
        facts = json.loads(out.strip().splitlines()[-1])
        print(f"round {round_ + 1}: bare {bare_runs[-1][0]:.2f} s wall / {bare_runs[-1][1]:.2f} s CPU"
              f" ({bare_pages} pages), audit {seconds:.2f} s / {cpu:.2f} s CPU ({facts}) | {load()}")  # fmt: skip
    for column, unit in ((0, "wall"), (1, "CPU")):
        bare_m = statistics.median(b[column] for b in bare_runs)
        audit_m = statistics.median(a[column] for a in audit_runs)
        ratios = sorted(a[column] / b[column] for a, b in zip(audit_runs, bare_runs, strict=True))
        print(f"{unit:4}: bare crawl {bare_m:6.2f} s median ({bare_pages / bare_m:7.1f} pages per {unit} s),"
              f" site audit {audit_m:6.2f} s ({facts['pages'] / audit_m:7.1f} addresses per {unit} s);"
              f" audit/bare {statistics.median(ratios):.2f}x median of the rounds"
              f" ({ratios[0]:.2f}-{ratios[-1]:.2f}x; target <= 1.3x)")  # fmt: skip
    print(f"the audit checked {facts['links']} outgoing links, {facts['findings']} findings")
    peak = facts["crawl_mb"] + facts["parent_mb"]
    print(f"peak memory       : {peak:.0f} MB = crawl child {facts['crawl_mb']:.0f} + parent"
          f" {facts['parent_mb']:.0f} (target < 300 MB)")  # fmt: skip


if __name__ == "__main__":
    main()
