"""The desk's CSV exports (`.csv`, `?_format=csv`, tables and queries alike) with no cell a
spreadsheet would run as a formula: Datasette writes what the web gave (a story's title
`=HYPERLINK(…)`) as it is, and the secretariat opens exports in a spreadsheet. Datasette writes one
record per chunk; a record split across chunks waits for its end."""

from __future__ import annotations

import codecs
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

from monitor.spreadsheet import complete_records, spreadsheet_csv

Send = Callable[[dict[str, Any]], Awaitable[None]]


def is_csv_request(scope: dict[str, Any]) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    return scope.get("path", "").endswith(".csv") or "_format=csv" in query.split("&")


class SafeCsv:
    """The body of one CSV response, rewritten as it passes (bytes in, bytes out)."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self.pending = ""

    def feed(self, chunk: bytes, final: bool) -> bytes:
        text = self.pending + self.decoder.decode(chunk, final=final)
        if not final and not complete_records(text):
            self.pending = text
            return b""
        self.pending = ""
        return spreadsheet_csv(text).encode("utf-8")


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    def wrap(app: Any) -> Any:
        async def safe_csv(scope: dict[str, Any], receive: Any, send: Send) -> None:
            if scope["type"] != "http" or not is_csv_request(scope):
                return await app(scope, receive, send)
            body: SafeCsv | None = None

            async def rewriting(message: dict[str, Any]) -> None:
                nonlocal body
                if message["type"] == "http.response.start":
                    headers = dict(message.get("headers") or [])
                    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
                    if message.get("status") == 200 and kind in (b"text/csv", b"text/plain"):
                        body = SafeCsv()
                        message = dict(message, headers=[
                            (k, v) for k, v in message.get("headers") or [] if k.lower() != b"content-length"
                        ])  # fmt: skip
                elif message["type"] == "http.response.body" and body is not None:
                    final = not message.get("more_body", False)
                    message = dict(message, body=body.feed(message.get("body", b""), final))
                await send(message)

            return await app(scope, receive, rewriting)

        return safe_csv

    return wrap
