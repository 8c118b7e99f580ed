"""Log-in and log-out for the triage desk, and Datasette's introspection pages closed.

Accounts are read from the secrets file (`secrets_file` in this plugin's configuration) at each
log-in: no password hash ever enters Datasette's metadata, which `/-/metadata.json` would publish,
and an account added with `veille users add` works without a restart. The password check runs in a
thread (0.25 s of PBKDF2 would otherwise block every other request), and repeated failures for one
account or one address are refused for a while (`LoginThrottle`) and logged. The attempts counted
are kept beside the sessions (`AttemptLog`): a restart of the desk does not reset the count.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from datasette import hookimpl
from datasette.utils.asgi import Response
from itsdangerous import BadSignature

from monitor.desk_login import MAX_NAME, loggable_name, safe_next
from monitor.desk_sessions import SESSION_S, AttemptLog, SessionStore
from monitor.labels import plural
from monitor.passwords import LoginThrottle, verify_password
from monitor.yaml_input import load_yaml

log = logging.getLogger("veille.login")
# Per desk (tests run several in one process): 5 failures per account, 20 per address (an office
# behind one address holds several associations), within 15 minutes.
THROTTLE_WINDOW_S = 15 * 60
THROTTLES: WeakKeyDictionary[Any, tuple[LoginThrottle, LoginThrottle]] = WeakKeyDictionary()
# Datasette's own pages about itself: its configuration, plugins, versions, threads, the actor's
# details, permission checks. Nobody on the desk needs them; each is answered « page introuvable ».
MAX_PASSWORD = 1000
SESSION_COOKIE = "veille_session"
CLOSED_PAGES = (
    r"^/-/(metadata|versions|plugins|settings|config|threads|databases|actor)(\.json)?$",
    r"^/-/(auth-token|permissions|messages|allow-debug|patterns|password-tool)$",
)


def _config(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config("veille") or {}


_ACCOUNTS: dict[str, tuple[tuple[int, int], dict[str, dict[str, str]]]] = {}


def accounts(datasette: Any) -> dict[str, dict[str, str]]:
    """The accounts of the secrets file: name → {password_hash, role}; read again whenever the file
    changed (every request asks: a removed or demoted account loses its access at once)."""
    path = _config(datasette).get("secrets_file")
    if not path or not Path(path).exists():
        return {}
    stat = Path(path).stat()
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _ACCOUNTS.get(path)
    if cached is None or cached[0] != version:
        data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
        cached = _ACCOUNTS[path] = (version, dict(data.get("users") or {}))
    return cached[1]


def _sessions_file(datasette: Any) -> Path | None:
    """Beside the secrets file: the sessions and the log-in attempts counted."""
    path = _config(datasette).get("secrets_file")
    return Path(f"{path}.sessions") if path else None


def sessions(datasette: Any) -> SessionStore | None:
    path = _sessions_file(datasette)
    return SessionStore(path) if path else None


def attempt_log(datasette: Any) -> AttemptLog | None:
    path = _sessions_file(datasette)
    return AttemptLog(path, THROTTLE_WINDOW_S) if path else None


def over_https(request: Any) -> bool:
    """Served over https: directly, or behind the README's reverse proxy on this machine, which says
    so with `X-Forwarded-Proto` (trusted from a loopback peer only, like `X-Forwarded-For`)."""
    if request.scope.get("scheme") == "https":
        return True
    direct = (request.scope.get("client") or ("?",))[0]
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return direct in ("127.0.0.1", "::1") and proto == "https"


def _session_id(datasette: Any, request: Any) -> str | None:
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    try:
        session_id = datasette.unsign(value, SESSION_COOKIE)
    except BadSignature:
        return None
    return session_id if isinstance(session_id, str) else None


@hookimpl
def actor_from_request(datasette: Any, request: Any) -> Any:
    """The actor of a live session, with the role the secrets file gives it now and the name a
    person reads (the page header, the desk's messages): the configuration's, else the members
    table's, else « Le secrétariat » for a secretariat account; never the account's id."""
    session_id, store = _session_id(datasette, request), sessions(datasette)
    if not session_id or store is None:
        return None
    username = store.user(session_id, time.time())
    account = accounts(datasette).get(username or "")
    if not username or account is None:
        return None
    role = account.get("role", "member")
    named = (_config(datasette).get("members") or {}).get(username)

    async def actor() -> dict[str, str]:
        name = named
        if not name:
            found = await datasette.get_database().execute(
                "SELECT name FROM members WHERE id = ?", [username]
            )
            name = found.rows[0][0] if found.rows else None
        if not name:
            name = "Le secrétariat" if role == "secretariat" else username
        return {"id": username, "role": role, "name": name}

    return actor


def client_address(request: Any) -> str:
    """The visitor's address; behind the reverse proxy of docs/operations.md, the one it forwards."""
    direct = (request.scope.get("client") or ("?",))[0]
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return forwarded if forwarded and direct in ("127.0.0.1", "::1") else direct


async def _render(
    datasette: Any, request: Any, template: str, context: dict[str, Any], status: int
) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


def _throttles(datasette: Any, now: float) -> tuple[LoginThrottle, LoginThrottle]:
    """The desk's throttles (accounts, addresses); at the first log-in after a start, they count
    again the attempts kept by the previous process."""
    throttles = THROTTLES.get(datasette)
    if throttles is None:
        throttles = THROTTLES[datasette] = (
            LoginThrottle(attempts=5, window_s=THROTTLE_WINDOW_S),
            LoginThrottle(attempts=20, window_s=THROTTLE_WINDOW_S),
        )
        kept = attempt_log(datasette)
        for key, at in kept.recent(now) if kept is not None else []:
            throttles[0 if key.startswith("compte:") else 1].attempt([key], at)
    return throttles


def _throttled(datasette: Any, keys: list[str], now: float) -> float:
    """Count this attempt for the account and the address before its password is checked, or return
    the wait when either is over its limit. No await here: parallel requests cannot slip through."""
    throttles = _throttles(datasette, now)
    wait = max(throttle.wait_s([key], now) for throttle, key in zip(throttles, keys, strict=True))
    if not wait:
        for throttle, key in zip(throttles, keys, strict=True):
            throttle.attempt([key], now)
        kept = attempt_log(datasette)
        if kept is not None:
            kept.add(keys, now)
    return wait


async def login(request: Any, datasette: Any) -> Response:
    base = datasette.urls.path("/")
    if request.method != "POST":
        target = safe_next(request.args.get("next"), base)
        return await _render(datasette, request, "veille_login.html", {"next": target}, 200)
    form = await request.post_vars()
    username, password = (form.get("username") or "").strip(), form.get("password") or ""
    target = safe_next(form.get("next"), base)
    page = {"username": username[:MAX_NAME], "next": target}
    if len(username) > MAX_NAME or len(password) > MAX_PASSWORD:
        log.warning("connexion refusée (champ trop long) : compte %s", loggable_name(username))
        page["error"] = "Identifiant ou mot de passe trop long."
        return await _render(datasette, request, "veille_login.html", page, 400)
    keys = [f"compte:{username}", f"adresse:{client_address(request)}"]
    now = time.time()  # wall-clock: the attempts kept outlive the process
    wait = _throttled(datasette, keys, now)
    if wait:
        shown = loggable_name(username)
        log.warning("connexion refusée (trop d'essais) : compte %s depuis %s", shown, keys[1])
        minutes = max(1, round(wait / 60))
        page["error"] = f"Trop de tentatives de connexion : réessayez dans {plural(minutes, 'minute')}."
        return await _render(datasette, request, "veille_login.html", page, 429)
    account = accounts(datasette).get(username)
    # The check runs even for an unknown name, so the answer's timing does not tell which names exist.
    password_hash = (account or {}).get("password_hash") or "pbkdf2_sha256$480000$x$"
    valid = await asyncio.to_thread(verify_password, password, password_hash)
    if not (account and valid):
        log.warning("échec de connexion : compte %s depuis %s", loggable_name(username), keys[1])
        page["error"] = "Identifiant ou mot de passe incorrect."
        return await _render(datasette, request, "veille_login.html", page, 403)
    throttles, kept = THROTTLES[datasette], attempt_log(datasette)
    throttles[0].forget(keys[0])
    throttles[1].refund(keys[1])
    if kept is not None:
        kept.logged_in(*keys)
    session_id = sessions(datasette).start(username, time.time())  # type: ignore[union-attr]
    response = Response.redirect(target or base)
    response.set_cookie(
        SESSION_COOKIE, datasette.sign(session_id, SESSION_COOKIE), max_age=SESSION_S,
        httponly=True, samesite="lax", secure=over_https(request),
    )  # fmt: skip
    return response


async def logout(request: Any, datasette: Any) -> Response:
    if request.method == "POST":
        session_id, store = _session_id(datasette, request), sessions(datasette)
        if session_id and store is not None:
            store.end(session_id)  # the cookie, even if kept, opens nothing any more
        response = Response.redirect(datasette.urls.path("/"))
        response.set_cookie(SESSION_COOKIE, "", expires=0, max_age=0, secure=over_https(request))
        return response
    if not request.actor:
        return Response.redirect(datasette.urls.path("/"))
    return await _render(datasette, request, "veille_logout.html", {}, 200)


async def closed(request: Any, datasette: Any) -> Response:
    return await _render(datasette, request, "error.html", {"status": 404, "error": "Page introuvable."}, 404)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/login$", login), (r"^/-/logout$", logout), *((page, closed) for page in CLOSED_PAGES)]
