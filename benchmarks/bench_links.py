"""Benchmark of `veille links check` against a bare Scrapy crawl of the same pages, in one run.

Serves 25 synthetic sites × 60 pages on loopback (127.0.2.N), each page carrying a link to the
Collectif and a linked stylesheet (the judgement's worst case), then times:
  - `veille links check` on the 25 sites, static mode, politeness delays off;
  - a bare Scrapy spider fetching exactly the pages Veille fetched, same concurrency;
  - browser mode on 5 sites, to price a confirmed page.
Prints pages/s, the ratio (target ≤ 1.2×) and peak memory (target ≤ 250 MB).

Run: uv run python benchmarks/bench_links.py [--sites 25] [--pages 60] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FANOUT = 8
CSS = b"body{font-family:sans-serif} .partners{color:#333} .old{display:none} nav a{margin:0 1em}\n" * 20


class SyntheticSite(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle stall on keep-alive

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        elif self.path == "/site.css":
            body, kind = CSS, "text/css"
        else:
            number = int(self.path.strip("/").removeprefix("p") or 0)
            links = "".join(
                f'<li><a href="/p{n}">Page {n}</a></li>'
                for n in range(number * FANOUT + 1, number * FANOUT + FANOUT + 1)
            )
            text = "<p>" + "Accueil, hébergement et accompagnement des personnes. " * 40 + "</p>"
            body = (
                '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Page</title>'
                '<link rel="stylesheet" href="/site.css"></head>'
                '<body><header><nav><a href="/">Accueil</a></nav></header>'
                f"<main><h1>Page {number}</h1>{text}<ul>{links}</ul></main>"
                '<footer class="partners"><a href="https://www.contrelatraite.org/">Collectif</a></footer>'
                "</body></html>"
            ).encode()
            kind = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(count: int) -> list[str]:
    urls = []
    for n in range(count):
        server = ThreadingHTTPServer((f"127.0.2.{n + 1}", 0), SyntheticSite)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        urls.append(f"http://127.0.2.{n + 1}:{server.server_address[1]}/")
    return urls


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB of the command and its descendants, and its stdout."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "sys.stderr.write(r.stderr[-2000:] if r.returncode else '');"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
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
    seconds, rss_kb = first.split()
    return float(seconds), int(rss_kb) / 1024, rest


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
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--browser-sites", type=int, default=5)
    args = parser.parse_args()
    urls = serve(args.sites)
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
    _, _, output = timed([*veille, "--no-browser", *urls])
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
    bare_times, veille_times, bare_rss, veille_rss = [], [], 0.0, 0.0
    for _ in range(args.repeat):
        seconds, rss, _ = timed(bare, cwd=tmp)
        bare_times.append(seconds)
        bare_rss = max(bare_rss, rss)
        seconds, rss, _ = timed([*veille, "--no-browser", *urls])
        veille_times.append(seconds)
        veille_rss = max(veille_rss, rss)
    bare_s, veille_s = min(bare_times), min(veille_times)
    pages = len(json.loads(page_list.read_text()))
    bare_fetched = len((tmp / "bare.jsonl").read_text().splitlines())
    if bare_fetched != pages:
        sys.exit(f"the baseline fetched {bare_fetched} of {pages} pages: the comparison would be meaningless")
    print(
        f"sites: {args.sites}, pages fetched by Veille: {fetched} (bare list: {pages}),"
        f" statuses: {sorted(statuses)}"
    )
    print(f"bare Scrapy     : {bare_s:6.2f} s  {pages / bare_s:7.1f} pages/s  peak {bare_rss:6.1f} MB")
    print(
        f"veille (static) : {veille_s:6.2f} s  {fetched / veille_s:7.1f} pages/s  peak {veille_rss:6.1f} MB"
    )
    print(f"ratio veille/bare: {veille_s / bare_s:.2f}x (target <= 1.2x); peak memory target <= 250 MB")

    if args.browser_sites:
        browser_cost(args, veille, urls, tmp)


def browser_cost(args: argparse.Namespace, veille: list[str], urls: list[str], tmp: Path) -> None:
    """Extra seconds per page confirmed in Chromium, against static mode on the same sites."""
    browser_config = write_config(tmp / "browser", args.pages, "auto")
    few = urls[: args.browser_sites]
    browser_veille = [*veille[:-2], "--config", str(browser_config)]
    static_s, _, _ = timed([*browser_veille, "--no-browser", *few])
    browser_s, browser_rss, output = timed([*browser_veille, "--browser", *few])
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
