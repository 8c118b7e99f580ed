"""Datasette's table search for any input: `?_search="` was a 400 (FTS5 syntax error).

Datasette already quotes every word of a search (`escape_fts`), which makes `*`, `(`, `-`, `NEAR` and
`OR` plain words; what remains to fix is a double quote (a search of nothing but quotes becomes an
empty, invalid FTS5 query) and `_searchmode=raw`, which hands FTS5 syntax to the visitor. This
wrapper removes double quotes from `_search…` values, drops the ones left blank, and drops
`_searchmode`, before Datasette reads the query string.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl


def safe_query_string(query_string: str) -> str:
    kept = []
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        if name == "_searchmode":
            continue
        if name.startswith("_search"):
            value = value.replace('"', " ")
            if not value.strip():
                continue
        kept.append((name, value))
    return urlencode(kept)


@hookimpl
def asgi_wrapper() -> Any:
    def wrap(app: Any) -> Any:
        async def searched_safely(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                query = safe_query_string(scope["query_string"].decode("latin-1"))
                scope = {**scope, "query_string": query.encode("latin-1")}
            await app(scope, receive, send)

        return searched_safely

    return wrap
