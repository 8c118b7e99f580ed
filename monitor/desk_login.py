"""Pure judgements for the desk's log-in: where a log-in may land after it (`safe_next`) and how a
user name is written to the log (`loggable_name`). No I/O; plugins/veille_login.py uses them."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

# Longest user name and `next` path the log-in form accepts; longer ones are refused before any check.
MAX_NAME = 100
MAX_NEXT = 2000


def safe_next(target: str | None, base: str = "/") -> str | None:
    """`target` when it is a path of this desk (under `base`, same site), else None.

    Refused: anything with a scheme or a host (`https://evil`, `//evil`), a backslash (browsers read
    `/\\evil` as `//evil`), control characters, and the same once percent-decoded (`/%2F%2Fevil`)."""
    if not target or len(target) > MAX_NEXT:
        return None
    for form in (target, unquote(target), unquote(unquote(target))):
        if "\\" in form or any(ord(c) < 32 or ord(c) == 127 for c in form):
            return None
        if not form.startswith("/") or form.startswith("//"):
            return None
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return None
    if not target.startswith(base if base.endswith("/") else base + "/"):
        return None
    return target


def loggable_name(username: str, limit: int = 40) -> str:
    """The user name as the log shows it: at most `limit` characters, control characters escaped."""
    shown = username[:limit] + ("…" if len(username) > limit else "")
    return repr(shown)


def login_url(base: str, path: str, query: str = "") -> str:
    """The log-in page that brings the visitor back to `path?query` afterwards."""
    target = path + (f"?{query}" if query else "")
    login = base.rstrip("/") + "/-/login"
    return f"{login}?next={quote(target, safe='')}" if safe_next(target, base) else login
