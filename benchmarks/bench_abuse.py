"""Benchmark of the desk under abuse: what a visitor's page costs while others guess passwords or
fetch missing pages, against the same page on an idle server (the bare baseline, same run).

Three loads of four clients each, as fast as they can: scanners fetching missing pages; guessers
from one address (past the per-address limit, 20 in 15 minutes, each attempt is refused without a
password check); guessers changing account and (forwarded) address at every attempt, so that every
attempt costs a full PBKDF2 check (an attacker with many addresses). Prints the median and p95 of the
home page on the idle server (the baseline), then under each load, and what the abusers' requests
cost. On 2 cores the clients and the server share the CPU: a load slows the page by taking CPU, and
must never stop it.

Run: uv run python benchmarks/bench_abuse.py [--requests 40]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.serve import Secrets  # noqa: E402
from monitor.store import Store  # noqa: E402
from tests.serving import running_desk  # noqa: E402


def timed(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    try:
        urllib.request.urlopen(
            urllib.request.Request(url, data=data, headers=headers or {}), timeout=30
        ).read()
    except urllib.error.HTTPError as error:
        error.read()
    return time.perf_counter() - start


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms"


def under_load(page: Callable[[], float], abuser: Callable[[int], float], requests: int) -> tuple[list, list]:
    stop = threading.Event()
    abuse: list[float] = []

    def loop(number: int) -> None:
        while not stop.is_set():
            abuse.append(abuser(number))

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    samples = [page() for _ in range(requests)]
    stop.set()
    for thread in threads:
        thread.join()
    return samples, abuse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    Store.open(folder / "veille.db")
    secrets = Secrets(folder / "secrets.yml")
    secrets.add_user("secretariat", "banc-d-essai", "secretariat")
    secrets.save()
    with running_desk(folder / "veille.db", secrets.path, "--config", str(ROOT / "tests" / "config")) as base:
        form = urllib.request.urlopen(base + "/-/login").read().decode()
        token = re.search(r'name="csrftoken" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        cookie = {"Cookie": f"ds_csrftoken={token}"}

        def home() -> float:
            return timed(base + "/")

        attempts = iter(range(10**9))

        def guess(number: int) -> float:
            body = urllib.parse.urlencode(
                {"username": f"devin-{number}", "password": "x", "csrftoken": token}
            )
            return timed(base + "/-/login", body.encode(), cookie)

        def guess_everywhere(number: int) -> float:
            attempt = next(attempts)
            body = urllib.parse.urlencode(
                {"username": f"compte-{attempt}", "password": "x", "csrftoken": token}
            )
            address = f"198.51.{attempt // 250 % 250}.{attempt % 250}"
            return timed(base + "/-/login", body.encode(), {**cookie, "X-Forwarded-For": address})

        def scan(number: int) -> float:
            return timed(f"{base}/a/b/c/{number}/{time.perf_counter_ns()}")

        for _ in range(5):
            home()
        idle = [home() for _ in range(args.requests)]
        print(f"home page, idle server:           {figures(idle)}")
        samples, abuse = under_load(home, scan, args.requests)
        print(f"home page, 4 scanners of 404s:    {figures(samples)}  ({len(abuse)} 404s, {figures(abuse)})")
        samples, abuse = under_load(home, guess, args.requests)
        print(
            f"home page, 4 guessers, 1 address: {figures(samples)}  ({len(abuse)} log-ins, {figures(abuse)})"
        )
        samples, abuse = under_load(home, guess_everywhere, args.requests)
        print(
            f"home page, 4 guessers, many addr: {figures(samples)}  ({len(abuse)} log-ins, {figures(abuse)})"
        )
        print(
            f"ratio of medians, every attempt checked vs idle: {statistics.median(samples) / statistics.median(idle):.2f}×"
        )


if __name__ == "__main__":
    main()
