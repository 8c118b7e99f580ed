"""Log-in and log-out for the triage desk, and Datasette's introspection pages closed.

Accounts are read from the secrets file (`secrets_file` in this plugin's configuration) at each
log-in: no password hash ever enters Datasette's metadata, which `/-/metadata.json` would publish,
and an account added with `veille users add` works without a restart. The password check runs in a
thread (0.25 s of PBKDF2 would otherwise block every other request), and repeated failures for one
account or one address are refused for a while (`LoginThrottle`) and logged.
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

from monitor.labels import plural
from monitor.passwords import LoginThrottle, verify_password
from monitor.yaml_input import load_yaml

log = logging.getLogger("veille.login")
# Per desk (tests run several in one process): 5 failures per account, 20 per address (an office
# behind one address holds several associations), within 15 minutes.
THROTTLES: WeakKeyDictionary[Any, tuple[LoginThrottle, LoginThrottle]] = WeakKeyDictionary()
# Datasette's own pages about itself: its configuration, plugins, versions, threads, the actor's
# details, permission checks. Nobody on the desk needs them; each is answered « page introuvable ».
CLOSED_PAGES = (
    r"^/-/(metadata|versions|plugins|settings|config|threads|databases|actor)(\.json)?$",
    r"^/-/(auth-token|permissions|messages|allow-debug|patterns|password-tool)$",
)


def _config(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config("veille") or {}


def accounts(datasette: Any) -> dict[str, dict[str, str]]:
    """The accounts of the secrets file: name → {password_hash, role}."""
    path = _config(datasette).get("secrets_file")
    if not path or not Path(path).exists():
        return {}
    data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    return dict(data.get("users") or {})


def client_address(request: Any) -> str:
    """The visitor's address; behind the reverse proxy of the README, the one it forwards."""
    direct = (request.scope.get("client") or ("?",))[0]
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return forwarded if forwarded and direct in ("127.0.0.1", "::1") else direct


async def _render(
    datasette: Any, request: Any, template: str, context: dict[str, Any], status: int
) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


async def login(request: Any, datasette: Any) -> Response:
    if request.method != "POST":
        return await _render(datasette, request, "veille_login.html", {}, 200)
    form = await request.post_vars()
    username, password = (form.get("username") or "").strip(), form.get("password") or ""
    keys = [f"compte:{username}", f"adresse:{client_address(request)}"]
    now = time.monotonic()
    throttles = THROTTLES.setdefault(datasette, (LoginThrottle(attempts=5), LoginThrottle(attempts=20)))
    wait = max(throttle.wait_s([key], now) for throttle, key in zip(throttles, keys, strict=True))
    if wait:
        log.warning("connexion refusée (trop d'essais) : compte %r depuis %s", username, keys[1])
        minutes = max(1, round(wait / 60))
        error = f"Trop de tentatives de connexion : réessayez dans {plural(minutes, 'minute')}."
        return await _render(
            datasette, request, "veille_login.html", {"error": error, "username": username}, 429
        )
    account = accounts(datasette).get(username)
    # The check runs even for an unknown name, so the answer's timing does not tell which names exist.
    password_hash = (account or {}).get("password_hash") or "pbkdf2_sha256$480000$x$"
    valid = await asyncio.to_thread(verify_password, password, password_hash)
    if not (account and valid):
        for throttle, key in zip(throttles, keys, strict=True):
            throttle.failed([key], now)
        log.warning("échec de connexion : compte %r depuis %s", username, keys[1])
        error = "Identifiant ou mot de passe incorrect."
        return await _render(
            datasette, request, "veille_login.html", {"error": error, "username": username}, 403
        )
    throttles[0].succeeded(keys[0])
    members = _config(datasette).get("members") or {}
    actor = {"id": username, "role": account.get("role", "member"), "name": members.get(username, username)}
    response = Response.redirect(datasette.urls.path("/"))
    response.set_cookie("ds_actor", datasette.sign({"a": actor}, "actor"), httponly=True, samesite="lax")
    return response


async def logout(request: Any, datasette: Any) -> Response:
    if request.method == "POST":
        response = Response.redirect(datasette.urls.path("/"))
        response.set_cookie("ds_actor", "", expires=0, max_age=0)
        return response
    if not request.actor:
        return Response.redirect(datasette.urls.path("/"))
    return await _render(datasette, request, "veille_logout.html", {}, 200)


async def closed(request: Any, datasette: Any) -> Response:
    return await _render(datasette, request, "error.html", {"status": 404, "error": "Page introuvable."}, 404)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/login$", login), (r"^/-/logout$", logout), *((page, closed) for page in CLOSED_PAGES)]
