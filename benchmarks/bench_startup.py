"""Benchmark of start-up: the time from `veille news run` to the moment it starts its crawl child, and
from there to the child's first request (robots.txt of the one feed's host), five runs each, against
a bare `python -c pass` measured in the same run.

Targets: each ≤ 0.5 s on the project's 2-core machine.

Run: uv run python benchmarks/bench_startup.py
"""

from __future__ import annotations

import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bytecode import compile_sources  # noqa: E402

# Runs the veille command in-process and notes when it starts a child process (the crawl).
SPY = """
import subprocess, sys, time
started = time.perf_counter()
spawn = subprocess.Popen.__init__
def noted(self, *args, **kwargs):
    now = time.perf_counter()  # CLOCK_MONOTONIC: the same clock as the benchmark's
    print(f"SPAWN {now - started:.4f} {now:.6f}", file=sys.stderr, flush=True)
    return spawn(self, *args, **kwargs)
subprocess.Popen.__init__ = noted
sys.argv = ["veille", *sys.argv[1:]]
from monitor.cli import main
main()
"""


def main() -> None:
    compile_sources(ROOT)
    hits: list[float] = []

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(time.perf_counter())
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.4.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = Path(tempfile.mkdtemp(prefix="veille-bench-startup-"))
    (folder / "config.yml").write_text(
        "collectif: {name: C, site: 'https://www.contrelatraite.org/', domains: [contrelatraite.org]}\n"
        "crawl: {delay_s: 0, retries: 0}\n"
    )
    (folder / "members.yml").write_text("members: []\n")
    url = f"http://127.0.4.1:{server.server_address[1]}/feed.xml"
    (folder / "sources.yml").write_text(
        f"search_engines: {{}}\nsources:\n  - {{id: f, name: F, kind: feed, url: '{url}', language: fr}}\n"
    )
    (folder / "topics.yml").write_text((ROOT / "data" / "topics.yml").read_text(encoding="utf-8"))
    bare, parent, child = [], [], []
    for attempt in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - started)
        hits.clear()
        command = [sys.executable, "-c", SPY, "news", "run", "-q", "--config", str(folder),
                   "--db", str(folder / f"veille-{attempt}.db")]  # fmt: skip
        started = time.perf_counter()
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        line = next(line for line in run.stderr.splitlines() if line.startswith("SPAWN"))
        parent.append(float(line.split()[1]))
        child.append(hits[0] - float(line.split()[2]))
    print(f"bare python start: {statistics.median(bare):.2f} s (median of 5)")
    print(f"veille news run until the crawl child starts: {statistics.median(parent):.2f} s"
          f" (min {min(parent):.2f}, max {max(parent):.2f}; target <= 0.5 s)")  # fmt: skip
    print(f"crawl child until its first request: {statistics.median(child):.2f} s"
          f" (min {min(child):.2f}, max {max(child):.2f}; target <= 0.5 s)")  # fmt: skip


if __name__ == "__main__":
    main()
