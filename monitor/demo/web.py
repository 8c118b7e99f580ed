"""A fictional web on loopback: one HTTP server per site, each on its own address (127.0.1.N).

A site is a folder of files. An optional `_site.yml` in it describes behaviours per path:

    routes:
      "/": {redirect: /fr/, status: 301}     # redirect (status defaults to 302)
      "/big.html": {size_mb: 60}             # a page of that many megabytes
      "/slow.html": {delay_s: 30}            # answer late
      "/agenda/*": {calendar: true}          # an endless calendar (crawl trap)
      "*": {status: 503}                     # every path answers that status
      "/feed": {content_type: text/html}     # serve the file with another Content-Type
      "/big.xml": {gzip: true}               # gzip the body (Content-Encoding: gzip)
      "/p.html": {browser_redirect: URL}     # 302 to URL for a browser (Sec-Fetch-Mode), the file otherwise
      "/q.html": {head_status: 405}          # answer HEAD with that status, GET as usual
      "/r.html": {pad_kb: 600}               # the file, made that many kilobytes heavier (an HTML comment)
    charset: utf-8                           # added to text/html Content-Type (default: none)
    tls: true                                # serve https, with a self-signed certificate
    templated: true                          # {web:NAME} in a text file becomes that site's URL

`FixtureSite.state` switches a site at run time: `None` (normal), `"down"` (503 everywhere), or the
name of a folder `_states/<name>/` whose files take precedence. Used by the demo and the tests.
"""

from __future__ import annotations

import fnmatch
import functools
import gzip
import hashlib
import ipaddress
import mimetypes
import re
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

SITES_DIR = Path(__file__).parent / "sites"
_WEB_NAME = re.compile(r"\{web:([\w-]+)\}")
CONTENT_TYPES = {".html": "text/html", ".css": "text/css", ".xml": "application/xml", ".txt": "text/plain"}


@dataclass
class FixtureSite:
    name: str
    root: Path
    address: str
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    charset: str | None = None
    tls: bool = False
    templated: bool = False
    resolve: Callable[[str], str] | None = None
    state: str | None = None
    server: ThreadingHTTPServer | None = None
    hits: list[str] = field(default_factory=list)
    user_agents: set[str] = field(default_factory=set)
    # (time.monotonic(), method, path) of each request, and how many were ever served at once.
    requests: list[tuple[float, str, str]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server is not None
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.address}:{self.server.server_address[1]}/"

    def route_for(self, path: str) -> dict[str, Any]:
        for pattern, behaviour in self.routes.items():
            if pattern == path or fnmatch.fnmatchcase(path, pattern):
                return behaviour
        return {}

    def file_for(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        folders = [self.root / "_states" / self.state] if self.state else []
        for folder in [*folders, self.root]:
            candidate = (folder / relative).resolve()
            if candidate.is_relative_to(self.root.resolve()) and candidate.is_file():
                return candidate
        return None


class _Handler(BaseHTTPRequestHandler):
    site: FixtureSite
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and delayed
        # ACKs hold every keep-alive response for ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        site = self.site
        path = urlsplit(self.path).path
        site.hits.append(path)
        site.requests.append((time.monotonic(), self.command, path))
        with site.lock:
            site.in_flight += 1
            site.most_in_flight = max(site.most_in_flight, site.in_flight)
        try:
            self._answer(site, path)
        finally:
            with site.lock:
                site.in_flight -= 1

    def _answer(self, site: FixtureSite, path: str) -> None:
        site.user_agents.add(self.headers.get("User-Agent", ""))
        if site.state == "down":
            return self._send(503, b"<h1>Service indisponible</h1>")
        route = site.route_for(path)
        if self.command == "HEAD" and "head_status" in route:
            return self._send(int(route["head_status"]), b"")
        if "delay_s" in route:
            time.sleep(float(route["delay_s"]))
        if "browser_redirect" in route and "Sec-Fetch-Mode" in self.headers:
            return self._send(302, b"", Location=route["browser_redirect"])
        if "redirect" in route:
            return self._send(int(route.get("status", 302)), b"", Location=route["redirect"])
        if "size_mb" in route:
            return self._send_large(int(route["size_mb"]))
        if "calendar" in route:
            return self._send(200, _calendar_page(path).encode())
        if "status" in route:
            return self._send(int(route["status"]), f"<h1>{route['status']}</h1>".encode())
        file = site.file_for(path)
        if file is None:
            return self._send(404, b"<h1>Introuvable</h1>")
        content_type = (
            route.get("content_type")
            or CONTENT_TYPES.get(file.suffix)
            or (mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        )
        if content_type == "text/html" and site.charset:
            content_type += f"; charset={site.charset}"
        body = file.read_bytes()
        if site.templated and site.resolve and file.suffix in CONTENT_TYPES:
            resolve = site.resolve
            body = _WEB_NAME.sub(lambda m: resolve(m.group(1)), body.decode("utf-8")).encode("utf-8")
        validators = {
            "ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            "Last-Modified": formatdate(file.stat().st_mtime, usegmt=True),
            **route.get("headers", {}),
        }
        if self.headers.get("If-None-Match") == validators["ETag"] or (
            "If-None-Match" not in self.headers
            and self.headers.get("If-Modified-Since") == validators["Last-Modified"]
        ):
            return self._send(304, b"", content_type, **validators)
        if "pad_kb" in route:
            body += b"<!--" + b" " * (int(route["pad_kb"]) * 1024) + b"-->"
        if route.get("gzip"):
            body = gzip.compress(body)
            validators["Content-Encoding"] = "gzip"
        self._send(200, body, content_type, **validators)

    def _send_large(self, megabytes: int) -> None:
        chunk = b"<p>" + b"x" * 1020 + b"</p>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(chunk) * 1024 * megabytes))
        self.end_headers()
        try:
            for _ in range(1024 * megabytes):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should past its size cap


def _calendar_page(path: str) -> str:
    """An agenda month linking to the next and previous months, forever."""
    try:
        month = int(path.rstrip("/").rsplit("/", 1)[-1])
    except ValueError:
        month = 0
    return (
        f"<html><body><h1>Agenda, mois {month}</h1>"
        f'<a href="/agenda/{month + 1}">Mois suivant</a> <a href="/agenda/{month - 1}">Mois précédent</a>'
        "</body></html>"
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog (5) drops connections in a burst: the client retries a second later.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (size cap, timeout) resets the connection: not an error here.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """A server context with a throw-away self-signed certificate (crawlers do not verify it)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "veille-fixture")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address(f"127.0.1.{n}")) for n in range(1, 255)]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="veille-tls-"))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    shutil.rmtree(folder)
    return context


class FixtureWeb:
    """Start, hold and stop the servers of a set of fixture sites."""

    def __init__(self, sites_dir: Path = SITES_DIR, first_address: int = 1) -> None:
        self.sites: dict[str, FixtureSite] = {}
        for number, folder in enumerate(sorted(p for p in sites_dir.iterdir() if p.is_dir())):
            spec_file = folder / "_site.yml"
            spec = yaml.safe_load(spec_file.read_text(encoding="utf-8")) if spec_file.exists() else {}
            spec = spec or {}
            self.sites[folder.name] = FixtureSite(
                name=folder.name,
                root=folder,
                address=f"127.0.1.{first_address + number}",
                routes=spec.get("routes") or {},
                charset=spec.get("charset"),
                tls=bool(spec.get("tls")),
                templated=bool(spec.get("templated")),
            )

    def start(self) -> FixtureWeb:
        for site in self.sites.values():
            handler = type(f"Handler_{site.name}", (_Handler,), {"site": site})
            site.server = _Server((site.address, 0), handler)
            if site.tls:
                # The handshake happens in the request's thread, at its first read.
                site.server.socket = _tls_context().wrap_socket(
                    site.server.socket, server_side=True, do_handshake_on_connect=False
                )
            threading.Thread(target=site.server.serve_forever, daemon=True).start()
        for site in self.sites.values():
            site.resolve = self.url
        return self

    def stop(self) -> None:
        for site in self.sites.values():
            if site.server is not None:
                site.server.shutdown()
                site.server.server_close()

    def url(self, name: str, path: str = "") -> str:
        return self.sites[name].url + path.lstrip("/")

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
