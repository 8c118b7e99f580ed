"""The desk's front door on a real `veille serve`: no CSRF bypass with an `Authorization` header,
multipart and oversized POSTs refused in French before they are read."""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.serving import logged_in, running_desk
from tests.test_triage import PASSWORD, make_desk


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp_path = tmp_path_factory.mktemp("desk")
    make_desk(tmp_path)
    with running_desk(tmp_path / "veille.db", tmp_path / "secrets.yml") as url:
        yield url


def post(
    opener: urllib.request.OpenerDirector, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def member(desk_url: str) -> urllib.request.OpenerDirector:
    return logged_in(desk_url, "amicale-du-nid", PASSWORD)


def test_a_bearer_header_does_not_skip_the_csrf_check(desk_url: str) -> None:
    opener = member(desk_url)
    form = urllib.parse.urlencode({"story_id": "s1", "action": "ecarter"}).encode()
    bearer = {"Authorization": "Bearer dstok_nimporte", "Content-Type": "application/x-www-form-urlencoded"}
    status, _ = post(opener, desk_url + "/tri/action", form, bearer)
    assert status == 403
    page = opener.open(desk_url + "/tri").read().decode()
    token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    with_token = urllib.parse.urlencode({"story_id": "s1", "action": "ecarter", "csrftoken": token}).encode()
    status, page = post(opener, desk_url + "/tri/action", with_token, bearer)  # the real form works
    assert status == 200 and "écartée" in page, page[:3000]


def test_multipart_and_oversized_posts_get_a_french_answer(desk_url: str) -> None:
    opener = member(desk_url)
    multipart = b'--x\r\nContent-Disposition: form-data; name="action"\r\n\r\necarter\r\n--x--\r\n'
    status, text = post(
        opener, desk_url + "/tri/action", multipart, {"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert status == 400 and "n'accepte pas d'envoi de fichiers" in text
    # A 2 MB log-in announced: refused on its headers, before the body is sent.
    parts = urllib.parse.urlsplit(desk_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("POST", "/-/login")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(2_000_000))
    connection.endheaders()
    connection.send(b"username=" + b"x" * 1000)
    answer = connection.getresponse()
    assert answer.status == 413 and "trop volumineuse" in answer.read().decode()
    connection.close()
    assert opener.open(desk_url + "/tri").status == 200  # the desk still answers
