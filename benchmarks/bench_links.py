"""Benchmark of `veille links check` against a bare Scrapy crawl of the same pages, in one run.

Writes 25 synthetic sites × 60 pages as static files and serves them from nginx on loopback
(127.0.2.N, benchmarks/nginx.py), each page carrying a link to the Collectif and a linked stylesheet
(the judgement's worst case), then times, in alternating pairs (`--pairs`):
  - a bare Scrapy spider fetching exactly the pages Veille fetches, same concurrency, same server;
  - `veille links check` on the 25 sites, static mode, politeness delays off;
and once, browser mode on 5 sites, to price a confirmed page.
Prints wall and CPU time (the command and its children: resource.getrusage), pages/s, the median
and range of the pairs' ratios (target ≤ 1.2×), peak memory (target ≤ 250 MB) and the load average.

Run: uv run python benchmarks/bench_links.py [--sites 25] [--pages 60] [--pairs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bytecode import compile_sources  # noqa: E402
from benchmarks.nginx import nginx  # noqa: E402

FANOUT = 8
CSS = b"body{font-family:sans-serif} .partners{color:#333} .old{display:none} nav a{margin:0 1em}\n" * 20


def page(number: int) -> bytes:
    """Page `number` of a synthetic site: French text, links to its FANOUT children, the Collectif's link."""
    links = "".join(
        f'<li><a href="/p{n}">Page {n}</a></li>'
        for n in range(number * FANOUT + 1, number * FANOUT + FANOUT + 1)
    )
    text = "<p>" + "Accueil, hébergement et accompagnement des personnes. " * 40 + "</p>"
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Page</title>'
        '<link rel="stylesheet" href="/site.css"></head>'
        '<body><header><nav><a href="/">Accueil</a></nav></header>'
        f"<main><h1>Page {number}</h1>{text}<ul>{links}</ul></main>"
        '<footer class="partners"><a href="https://www.contrelatraite.org/">Collectif</a></footer>'
        "</body></html>"
    ).encode()


def write_site(root: Path, pages: int) -> None:
    """Every page a crawl within `pages` can reach or see linked (/ is page 0, /pN the others)."""
    (root / "robots.txt").write_bytes(b"User-agent: *\nAllow: /\n")
    (root / "site.css").write_bytes(CSS)
    (root / "index.html").write_bytes(page(0))
    for number in range(1, pages * FANOUT + FANOUT + 1):
        (root / f"p{number}").write_bytes(page(number))


@contextmanager
def synthetic_sites(count: int, pages: int = 60) -> Iterator[list[str]]:
    """`count` synthetic sites (the same files) served by nginx on 127.0.2.1…; yields their URLs."""
    root = Path(tempfile.mkdtemp(prefix="veille-bench-sites-"))
    try:
        write_site(root, pages)
        with nginx(root, [f"127.0.2.{n + 1}" for n in range(count)]) as bases:
            yield [f"{base}/" for base in bases]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MB of the command and its
    descendants, and its stdout."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "sys.stderr.write(r.stderr[-2000:] if r.returncode else '');"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss);"
        "print(r.stdout, end='')"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    first, _, rest = result.stdout.partition("\n")
    seconds, cpu, rss_kb = first.split()
    return float(seconds), float(cpu), int(rss_kb) / 1024, rest


def load() -> str:
    return "load average " + " ".join(f"{n:.2f}" for n in os.getloadavg())


def write_config(folder: Path, pages: int, browser: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yml").write_text(
        "collectif:\n  name: Collectif\n  site: https://www.contrelatraite.org/\n"
        "  domains: [contrelatraite.org]\n"
        f"crawl:\n  page_budget: {pages}\n  max_depth: 2\n  delay_s: 0\n  timeout_s: 10\n"
        f"  retries: 0\n  time_budget_s: 120\n  browser: '{browser}'\n",
        encoding="utf-8",
    )
    (folder / "members.yml").write_text("members: []\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=25)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--browser-sites", type=int, default=5)
    args = parser.parse_args()
    compile_sources(ROOT)
    print(f"before: {load()}")
    with synthetic_sites(args.sites, args.pages) as urls:
        bench(args, urls)
    print(f"after: {load()}")


def bench(args: argparse.Namespace, urls: list[str]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="veille-bench-"))
    static_config = write_config(tmp / "static", args.pages, "off")
    veille = [
        sys.executable,
        "-m",
        "monitor",
        "links",
        "check",
        "--json",
        "-q",
        "--config",
        str(static_config),
    ]

    # Veille first, once, to learn which pages it fetches: the baseline then fetches exactly those.
    output = timed([*veille, "--no-browser", *urls])[3]
    results = json.loads(output)
    fetched = sum(r["pages_crawled"] for r in results)
    statuses = {r["status"] for r in results}
    page_list = tmp / "pages.json"
    page_list.write_text(json.dumps(pages_fetched(urls, args.pages)))
    # Run from a folder without scrapy.cfg: the baseline gets Scrapy's defaults, not Veille's settings.
    bare = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "benchmarks" / "bare_spider.py"),
        "-O", str(tmp / "bare.jsonl"),
        "-a", f"urls={page_list}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "DOWNLOAD_DELAY=0",
        "-s", f"CONCURRENT_REQUESTS={min(64, 2 * args.sites)}", "-s", "LOG_LEVEL=WARNING",
        "-s", "TELNETCONSOLE_ENABLED=False",
    ]  # fmt: skip
    pages = len(json.loads(page_list.read_text()))
    print(f"sites: {args.sites} served by nginx, pages fetched by Veille: {fetched} (bare list: {pages}),"
          f" statuses: {sorted(statuses)}")  # fmt: skip
    bare_runs, veille_runs = [], []
    for pair in range(args.pairs):
        bare_runs.append(timed(bare, cwd=tmp)[:3])
        bare_fetched = len((tmp / "bare.jsonl").read_text().splitlines())
        if bare_fetched != pages:
            sys.exit(
                f"the baseline fetched {bare_fetched} of {pages} pages: the comparison would be meaningless"
            )
        veille_runs.append(timed([*veille, "--no-browser", *urls])[:3])
        (bs, bc, bm), (vs, vc, vm) = bare_runs[-1], veille_runs[-1]
        print(f"  pair {pair + 1}: bare {bs:.2f} s wall / {bc:.2f} s CPU / {bm:.0f} MB | veille (static)"
              f" {vs:.2f} s / {vc:.2f} s CPU / {vm:.0f} MB | {load()}")  # fmt: skip
    for column, unit in ((0, "wall"), (1, "CPU")):
        each = sorted(v[column] / b[column] for v, b in zip(veille_runs, bare_runs, strict=True))
        bare_m = statistics.median(b[column] for b in bare_runs)
        veille_m = statistics.median(v[column] for v in veille_runs)
        print(f"{unit:4}: bare {bare_m:6.2f} s ({pages / bare_m:7.1f} pages per {unit} s), veille {veille_m:6.2f} s"
              f" ({fetched / veille_m:7.1f} pages per {unit} s); veille/bare median {statistics.median(each):.2f}x"
              f" (range {each[0]:.2f}-{each[-1]:.2f}, {len(each)} pairs; target <= 1.2x)")  # fmt: skip
    print(f"peak memory: bare {max(b[2] for b in bare_runs):.0f} MB, veille {max(v[2] for v in veille_runs):.0f} MB"
          " (target <= 250 MB)")  # fmt: skip

    if args.browser_sites:
        browser_cost(args, veille, urls, tmp)


def browser_cost(args: argparse.Namespace, veille: list[str], urls: list[str], tmp: Path) -> None:
    """Extra seconds per page confirmed in Chromium, against static mode on the same sites."""
    browser_config = write_config(tmp / "browser", args.pages, "auto")
    few = urls[: args.browser_sites]
    browser_veille = [*veille[:-2], "--config", str(browser_config)]
    static_s = timed([*browser_veille, "--no-browser", *few])[0]
    browser_s, _, browser_rss, output = timed([*browser_veille, "--browser", *few])
    modes = {r["mode"] for r in json.loads(output)}
    confirmed = sum(min(10, r["pages_crawled"]) for r in json.loads(output))
    print(
        f"browser mode ({args.browser_sites} sites, {confirmed} pages rendered, modes {sorted(modes)}): "
        f"{browser_s - static_s:.2f} s more than static, "
        f"{(browser_s - static_s) / max(confirmed, 1) * 1000:.0f} ms "
        f"per confirmed page, peak {browser_rss:.1f} MB"
    )


def pages_fetched(urls: list[str], budget: int) -> list[str]:
    """The pages a breadth-first crawl within the budget fetches on each synthetic site."""
    pages = []
    for url in urls:
        order, queue = [0], [0]
        while queue and len(order) < budget:
            number = queue.pop(0)
            for child in range(number * FANOUT + 1, number * FANOUT + FANOUT + 1):
                if len(order) < budget:
                    order.append(child)
                    queue.append(child)
        pages += [url if n == 0 else f"{url}p{n}" for n in order]
    return pages


if __name__ == "__main__":
    main()
