"""What reaches the desk at all, decided before Datasette and its CSRF check read a request.

- `Authorization` headers are dropped: the desk has no API tokens (its /-/auth-token page is closed),
  and asgi-csrf skips its check for any request carrying `Authorization: Bearer …`, so a forged form
  with a cookie and that header would have gone through unchecked.
- Datasette's own `ds_actor` cookie is dropped: it never expires and cannot be revoked; the desk's
  sessions are its own (plugins/veille_login.py), so a cookie signed before them opens nothing.
- A multipart POST (no desk form sends one; asgi-csrf answered 500) gets a French 400.
- A POST body larger than the desk's forms need gets a French 413 before it is read whole: the
  log-in form at most LOGIN_BODY bytes, other forms FORM_BODY.
- A JSON address with a `_shape` Datasette does not know gets a French 400 (Datasette answers
  « Invalid _shape: … »).
- A JSON address with `_extras=foreign_key_tables` gets a French 400: Datasette would list every table
  pointing at a row, with counts, tables an association may not open among them; the row's page lists
  only those it may.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from datasette import hookimpl

LOGIN_BODY = 4 * 1024
FORM_BODY = 256 * 1024
TOO_BIG = "La demande est trop volumineuse pour le bureau de tri."
MULTIPART = "Le bureau de tri n'accepte pas d'envoi de fichiers."
SHAPES = {"arrays", "objects", "array", "arrayfirst", "object"}
BAD_SHAPE = "Forme de JSON inconnue : « {} » (formes possibles : {})."
NO_EXTRAS = (
    "Le bureau de tri ne publie pas les liens depuis d'autres tables en JSON :"
    " la page de la ligne les montre."
)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def refuse(send: Send, status: int, message: str, as_json: bool = False) -> None:
    body = f'<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><title>Erreur</title><p>{message}</p>'
    kind = b"text/html; charset=utf-8"
    if as_json:
        body, kind = json.dumps({"ok": False, "status": status, "error": message}), b"application/json"
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]})
    await send({"type": "http.response.body", "body": body.encode("utf-8")})


def unknown_shape(query_string: bytes) -> str | None:
    """The `_shape` asked for, when Datasette does not know it."""
    shapes = parse_qs(query_string.decode("latin-1")).get("_shape") or []
    return next((shape for shape in shapes if shape not in SHAPES), None)


def asks_foreign_key_tables(query_string: bytes) -> bool:
    """Whether the address asks for Datasette's `foreign_key_tables` extra."""
    extras = parse_qs(query_string.decode("latin-1")).get("_extras") or []
    return any("foreign_key_tables" in value.split(",") for value in extras)


def without_ds_actor(cookie_header: bytes) -> bytes:
    parts = [part for part in cookie_header.split(b";") if part.strip().split(b"=", 1)[0] != b"ds_actor"]
    return b";".join(parts)


async def read_capped(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` bytes (the rest is never buffered)."""
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return body
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        more = message.get("more_body", False)
    return body


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            headers = [
                (k, without_ds_actor(v) if k.lower() == b"cookie" else v)
                for k, v in scope.get("headers", [])
                if k.lower() != b"authorization"
            ]
            scope = dict(scope, headers=headers)
            if scope.get("method") != "POST":
                query, as_json = scope.get("query_string", b""), scope.get("path", "").endswith(".json")
                shape = unknown_shape(query)
                if shape is not None and as_json:
                    message = BAD_SHAPE.format(shape[:40], ", ".join(sorted(SHAPES)))
                    return await refuse(send, 400, message, as_json=True)
                if as_json and asks_foreign_key_tables(query):
                    return await refuse(send, 400, NO_EXTRAS, as_json=True)
                return await app(scope, receive, send)
            found = dict(headers)
            if found.get(b"content-type", b"").lower().startswith(b"multipart/"):
                return await refuse(send, 400, MULTIPART)
            limit = LOGIN_BODY if scope.get("path", "").endswith("/-/login") else FORM_BODY
            declared = found.get(b"content-length", b"0")
            if not declared.isdigit() or int(declared) > limit:
                return await refuse(send, 413, TOO_BIG)
            body = await read_capped(receive, limit)
            if body is None:
                return await refuse(send, 413, TOO_BIG)
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return await receive()  # http.disconnect when the client leaves
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            return await app(scope, replay, send)

        return guarded

    return wrap
