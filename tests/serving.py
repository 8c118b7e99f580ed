"""Start a real `veille serve` on a free loopback port for a test or a benchmark, and stop it."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def first_answer(
    url: str, server: subprocess.Popen[bytes] | subprocess.Popen[str], wait_s: float, log: Path | None = None
) -> str:
    """The body of `url` once the server started in `server` answers it (its output: `log` or stderr)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5).read().decode()
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                if log is not None:
                    output: str | bytes = log.read_text(encoding="utf-8", errors="replace")
                else:
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
    # The server's output goes to a file: a pipe nobody reads fills up with access-log lines after a
    # few thousand requests, and the server then blocks on writing to it.
    with tempfile.NamedTemporaryFile(prefix="veille-serve-", suffix=".log") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "monitor", "serve", "--port", str(port), "--db", str(db), "--secrets",
             str(secrets), "--base-url", base_url, *options],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}{base_url.rstrip('/')}"
        try:
            first_answer(url + "/actualites.json", server, wait_s, Path(log.name))
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def logged_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """An HTTP client holding the desk's cookies after logging in as `username`."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(base + "/-/login").read().decode()
    token = re.search(r'name="csrftoken" value="([^"]+)"', form)
    assert token, form[:500]
    data = {"username": username, "password": password, "csrftoken": token.group(1)}
    opener.open(base + "/-/login", data=urllib.parse.urlencode(data).encode()).read()
    return opener
