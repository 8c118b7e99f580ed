"""Run a test in a network namespace of its own (`unshare -n -m`): a loopback interface holding the
addresses the test needs (a "public" 93.184.216.34, the metadata address 169.254.169.254…) and an
`/etc/hosts` of the test's own, bind-mounted. Nothing leaves the namespace: it has no other interface.

A test calls `in_private_network(...)` first: in the namespace it returns True and the test goes on;
outside, it runs the same test again in a namespace (a pytest child), fails if the child fails, and
returns False. Where the kernel refuses namespaces the test is skipped, except under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ENV = "VEILLE_PRIVATE_NETWORK"
SETUP = (
    'ip link set lo up && for a in $VEILLE_ADDRESSES; do ip addr add "$a/32" dev lo; done'
    ' && mount --bind "$VEILLE_HOSTS" /etc/hosts && exec "$0" -m pytest -q -p no:cacheprovider "$1"'
)


def in_private_network(nodeid: str, addresses: list[str], hosts: dict[str, str]) -> bool:
    if os.environ.get(ENV) == nodeid:
        return True
    probe = subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"unshare -n -m refused under CI: {probe.stderr.strip()}")
        pytest.skip(f"the kernel refuses network namespaces here (unshare -n -m: {probe.stderr.strip()})")
    with tempfile.TemporaryDirectory() as folder:
        hosts_file = Path(folder) / "hosts"
        lines = ["127.0.0.1 localhost", *(f"{address} {name}" for name, address in hosts.items())]
        hosts_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {
            **os.environ,
            ENV: nodeid,
            "VEILLE_ADDRESSES": " ".join(addresses),
            "VEILLE_HOSTS": str(hosts_file),
        }
        child = subprocess.run(
            ["unshare", "-n", "-m", "sh", "-c", SETUP, sys.executable, nodeid],
            env=env, capture_output=True, text=True, timeout=900, cwd=Path(__file__).parent.parent,
        )  # fmt: skip
    assert child.returncode == 0, child.stdout[-4000:] + child.stderr[-2000:]
    assert " passed" in child.stdout, child.stdout[-2000:]
    return False


@contextmanager
def recorder(address: str, port: int = 0) -> Iterator[tuple[int, list[str]]]:
    """A web server on `address` answering a small page to everything; yields (port, paths asked)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b"<html><body><p>public</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()
