"""Serve a folder of fixtures from nginx on loopback addresses, for the benchmarks.

A real web server answers in microseconds and sends ETag/Last-Modified for static files (and 304 to a
conditional request), so a benchmark served this way measures Veille, not the fixture server. nginx runs
as the current user with a generated configuration in a temporary folder (no root-owned paths) and is
stopped when the `with` block ends. Files without an extension are served as HTML (the synthetic sites'
`/p12`, `/x3`), `.xml` as RSS, `.css` and `.txt` as such.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = "/usr/sbin/nginx"


def free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


def nginx_config(prefix: Path, root: Path, listens: list[str]) -> str:
    temp = "".join(
        f"{name}_temp_path {prefix / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} error;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"  access_log off;\n  sendfile on;\n  tcp_nodelay on;\n  keepalive_requests 100000;\n{temp}"
        "  types { application/rss+xml xml; text/html html; text/css css; text/plain txt; }\n"
        "  default_type text/html;\n  charset utf-8;\n"
        "  server {\n"
        + "".join(f"    listen {listen};\n" for listen in listens)
        + f"    root {root};\n  }}\n}}\n"
    )


@contextmanager
def nginx(root: Path, addresses: list[str]) -> Iterator[list[str]]:
    """Serve `root` on each address (a free port each); yields the base URLs ("http://ADDRESS:PORT")."""
    binary = shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)
    if binary is None:
        raise SystemExit(
            "nginx is missing: the benchmarks serve their fixtures from it (apt-get install nginx-light)"
        )
    prefix = Path(tempfile.mkdtemp(prefix="veille-bench-nginx-"))
    root.chmod(0o755)  # started as root, nginx's workers run as `nobody` and must read the fixtures
    listens = [f"{address}:{free_port(address)}" for address in addresses]
    (prefix / "nginx.conf").write_text(nginx_config(prefix, root.resolve(), listens))
    process = subprocess.Popen(
        [
            binary,
            "-p",
            str(prefix),
            "-e",
            str(prefix / "error.log"),
            "-c",
            str(prefix / "nginx.conf"),
            "-g",
            "daemon off;",
        ]
    )
    try:
        deadline = time.monotonic() + 10
        for listen in listens:
            host, port = listen.rsplit(":", 1)
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"nginx did not start: {(prefix / 'error.log').read_text()}")
                try:
                    socket.create_connection((host, int(port)), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
        yield [f"http://{listen}" for listen in listens]
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(prefix, ignore_errors=True)
