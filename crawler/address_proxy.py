"""The browser stage's only way out: a forward HTTP proxy on loopback that applies the crawler's address
rule to every request Chromium makes — navigations, the redirects Chromium follows by itself (which
Playwright's `page.route` never sees), sub-resources, `CONNECT` tunnels for https.

The proxy resolves each name once, checks every address, and connects to the address it checked: a
name that answers differently the second time (DNS rebinding) cannot lead Chromium elsewhere.
A refused request gets `403` and is listed in `refused`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.judge.safety import Network, configured_network, refusal_reason

HEADER_LIMIT = 64 * 1024
HOP_BY_HOP = {b"proxy-connection", b"proxy-authorization", b"connection", b"keep-alive"}


class AddressCheckingProxy:
    """Start with `start()` (returns the proxy's address), stop with `stop()`."""

    def __init__(self, origin_hosts: Iterable[str]) -> None:
        self.origin_hosts = {host.lower() for host in origin_hosts}
        self.refused: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0, limit=HEADER_LIMIT), self._loop
        )
        self._server = future.result(timeout=10)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _destination(self, scheme: str, host: str, port: int) -> tuple[str | None, str]:
        """(refusal reason or None, the checked address to connect to)."""
        try:
            infos = await self._loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            return f"{host}: nom de domaine introuvable", ""
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed = configured_network(host) if host in self.origin_hosts else Network.PUBLIC
        return refusal_reason(scheme, addresses, allowed), addresses[0]

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            head = await client_reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            client_writer.close()
            return
        request_line, *header_lines = head[:-4].split(b"\r\n")
        try:
            method, target, version = request_line.decode("latin-1").split(" ")
        except ValueError:
            return await _answer(client_writer, 400, "requête illisible")
        if method == "CONNECT":
            host, _, port_text = target.rpartition(":")
            scheme, port, path = "https", int(port_text or 443), ""
        else:
            parts = urlsplit(target)
            host, scheme = parts.hostname or "", parts.scheme
            port = parts.port or (443 if scheme == "https" else 80)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = host.strip("[]").lower()
        reason, address = await self._destination(scheme, host, port)
        if reason:
            self.refused.append(f"{target}: {reason}")
            return await _answer(client_writer, 403, reason)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(address, port)
        except OSError as exc:
            return await _answer(client_writer, 502, f"connexion impossible : {exc}")
        if method == "CONNECT":
            client_writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            headers = [h for h in header_lines if h.split(b":", 1)[0].strip().lower() not in HOP_BY_HOP]
            upstream_writer.write(
                b"\r\n".join([f"{method} {path} {version}".encode("latin-1"), *headers, b"Connection: close"])
                + b"\r\n\r\n"
            )
        await asyncio.gather(
            _pipe(client_reader, upstream_writer),
            _pipe(upstream_reader, client_writer),
            return_exceptions=True,
        )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _answer(writer: asyncio.StreamWriter, status: int, reason: str) -> None:
    body = f"Veille: {reason}\n".encode()
    writer.write(
        f"HTTP/1.1 {status} Refused\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(Exception):
        await writer.drain()
        writer.close()
