"""Start a real `veille serve` on a free loopback port for a test or a benchmark, and stop it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def first_answer(url: str, server: subprocess.Popen[bytes] | subprocess.Popen[str], wait_s: float) -> str:
    """The body of `url` once the server started in `server` answers it."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5).read().decode()
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                output = server.stderr.read() if server.stderr else ""
                output = output.decode() if isinstance(output, bytes) else output
                raise RuntimeError(f"{url} did not answer: {output[-2000:]}") from None
            time.sleep(0.1)


@contextmanager
def running_desk(
    db: Path, secrets: Path, *options: str, wait_s: float = 30, base_url: str = "/"
) -> Iterator[str]:
    """`veille serve` on the database; yields its base URL (without the final slash) once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve", "--port", str(port), "--db", str(db), "--secrets", str(secrets),
         "--base-url", base_url, *options],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}{base_url.rstrip('/')}"
    try:
        first_answer(url + "/actualites.json", server, wait_s)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
