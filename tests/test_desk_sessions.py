"""Sessions on a real `veille serve`: they end at log-out, when the account is removed or demoted,
and after a working day; Datasette's own `ds_actor` cookie opens nothing; `Secure` behind https."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer

from monitor.desk_sessions import SESSION_S, SessionStore
from monitor.yaml_input import load_yaml
from tests.conftest import TESTS
from tests.serving import logged_in, running_desk
from tests.test_desk_login import attempt
from tests.test_triage import PASSWORD, login, make_desk, run

ROOT = TESTS.parent


@pytest.fixture
def desk(tmp_path: Path) -> Any:
    make_desk(tmp_path)
    with running_desk(tmp_path / "veille.db", tmp_path / "secrets.yml") as url:
        yield url, tmp_path / "secrets.yml"


def session_cookie(opener: urllib.request.OpenerDirector) -> str:
    jar = next(h.cookiejar for h in opener.handlers if hasattr(h, "cookiejar"))
    return next(f"{c.name}={c.value}" for c in jar if c.name == "veille_session")


def visit(url: str, cookie: str) -> tuple[int, str]:
    """Status and final address of `url` with only this cookie (redirects followed)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.url
    except urllib.error.HTTPError as error:
        return error.code, url


def test_log_out_ends_the_session_even_for_a_kept_cookie(desk: Any) -> None:
    url, _ = desk
    opener = logged_in(url, "amicale-du-nid", PASSWORD)
    cookie = session_cookie(opener)
    assert visit(url + "/tri", cookie) == (200, url + "/tri")
    page = opener.open(url + "/-/logout").read().decode()
    token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    opener.open(url + "/-/logout", data=f"csrftoken={token}".encode()).read()
    landed = visit(url + "/tri", cookie)[1]  # the cookie replayed after log-out
    assert "/-/login" in landed


def test_a_removed_or_demoted_account_loses_access_at_once(desk: Any) -> None:
    url, secrets = desk
    cookie = session_cookie(logged_in(url, "secretariat", PASSWORD))
    journal = url + "/veille/journal_des_nuits"
    assert visit(journal, cookie)[0] == 200
    text = secrets.read_text(encoding="utf-8")
    assert load_yaml(text)["users"]["secretariat"]["role"] == "secretariat"
    secrets.write_text(text.replace("role: secretariat", "role: member"), encoding="utf-8")
    assert visit(journal, cookie)[0] == 403
    member = session_cookie(logged_in(url, "amicale-du-nid", PASSWORD))
    data = load_yaml(secrets.read_text(encoding="utf-8"))
    del data["users"]["amicale-du-nid"]
    import yaml

    secrets.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "/-/login" in visit(url + "/tri", member)[1]


def test_a_signed_ds_actor_cookie_opens_nothing(desk: Any) -> None:
    url, secrets = desk
    secret = load_yaml(secrets.read_text(encoding="utf-8"))["cookie_secret"]
    forged = URLSafeSerializer(secret, "actor").dumps({"a": {"id": "secretariat", "role": "secretariat"}})
    assert visit(url + "/veille/journal_des_nuits", f"ds_actor={forged}")[1].startswith(url + "/-/login")


def test_the_cookie_is_secure_behind_the_https_proxy(desk: Any) -> None:
    url, _ = desk

    class Keep(urllib.request.HTTPRedirectHandler):
        def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
            return fp

    for proto, secure in (("https", True), ("", False)):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), Keep())
        form = opener.open(url + "/-/login").read().decode()
        token = re.search(r'name="csrftoken" value="([^"]+)"', form).group(1)
        body = f"username=secretariat&password={PASSWORD}&csrftoken={token}".encode()
        request = urllib.request.Request(url + "/-/login", data=body, headers={"X-Forwarded-Proto": proto})
        answer = opener.open(request)
        set_cookie = next(v for v in answer.headers.get_all("Set-Cookie") if "veille_session" in v)
        assert ("Secure" in set_cookie) is secure, set_cookie
        assert f"Max-Age={SESSION_S}" in set_cookie and "HttpOnly" in set_cookie


def test_a_session_expires_after_a_working_day(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "secrets.yml.sessions")
    session = store.start("amicale-du-nid", now=1000.0)
    assert store.user(session, 1000.0 + SESSION_S - 1) == "amicale-du-nid"
    assert store.user(session, 1000.0 + SESSION_S) is None
    assert SESSION_S == 10 * 3600 and (tmp_path / "secrets.yml.sessions").stat().st_mode & 0o777 == 0o600


def test_what_the_desk_writes_beside_the_secrets_file_is_git_ignored(tmp_path: Path) -> None:
    """A log-in writes `secrets.yml.sessions` (sessions and counted attempts) beside the secrets file
    in data/: git must ignore it as it ignores the secrets file, or a `git add data` would commit it."""
    datasette, _ = make_desk(tmp_path / "data")

    async def log_ins() -> None:
        await login(datasette, "secretariat")
        await attempt(datasette, "secretariat", "devine")

    run(log_ins())
    assert (tmp_path / "data" / "secrets.yml.sessions").exists()
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", "data"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert status == ""
