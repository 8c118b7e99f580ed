"""What a feed may carry into what Veille publishes: control characters XML cannot hold and titles of
megabytes. Harvested on loopback, picked and published at the desk, then read from every published
output (the Atom feed, `veille export` in HTML and JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import lxml.etree
from datasette.app import Datasette

from monitor.config import Config
from monitor.demo.web import FixtureWeb
from monitor.desk.actions import Actor, act_on_story, review_pick
from monitor.news.entries import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, capped, plain_text, xml_safe
from monitor.news.export import published, render
from monitor.news.harvest import run_news
from monitor.news.sources import Source
from monitor.relevance import load_lexicon
from tests.conftest import TESTS
from tests.test_triage import make_desk, run

LEXICON = load_lexicon(TESTS.parent / "data" / "topics.yml")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Presse</title>
<item><title>Procès pour traite des êtres humains&#x1; à Lyon</title><link>/a.html</link>
<description>Un réseau de traite\x0b démantelé.</description></item>
<item><title>Traite des êtres humains : {long}</title><link>/b.html</link>
<description>Proxénétisme : {long}</description></item>
</channel></rss>"""
ARTICLE = (
    "<html><body><article><p>Un réseau de traite des êtres humains\x0c démantelé.</p></article></body></html>"
)


def test_text_helpers() -> None:
    assert xml_safe("a\x01b\x0bc\x0cd\ud800e\tf\ng") == "abcde\tf\ng"
    assert plain_text("Un <b>titre</b>&#1; \x02long", 8) == "Un titr…"
    assert capped("court", 5) == "court" and len(capped("x" * 500, TITLE_MAX_CHARS)) == TITLE_MAX_CHARS


def test_control_characters_and_huge_titles_never_reach_what_is_published(
    config: Config, tmp_path: Path
) -> None:
    site = tmp_path / "web" / "presse"
    site.mkdir(parents=True)
    (site / "flux.xml").write_text(RSS.replace("{long}", "procès " * 100_000), encoding="utf-8")
    (site / "a.html").write_text(ARTICLE, encoding="utf-8")
    (site / "b.html").write_text(ARTICLE, encoding="utf-8")
    datasette, store = make_desk(tmp_path / "desk")
    with FixtureWeb(tmp_path / "web", first_address=232) as web:
        store.sync_sources([Source(id="presse", name="Presse", url=web.url("presse", "flux.xml"), kind="feed",
                                   language="fr")])  # fmt: skip
        run_news(store, config, LEXICON)
    rows = list(store.db.query("SELECT title, summary, text FROM articles"))
    assert len(rows) == 2
    for row in rows:
        assert not any(CONTROL.search(row[c] or "") for c in ("title", "summary", "text")), row["title"]
        assert len(row["title"]) <= TITLE_MAX_CHARS and len(row["summary"]) <= SUMMARY_MAX_CHARS
    assert sorted(r["title"][-1] for r in rows) == ["n", "…"]
    stories = [r["id"] for r in store.db.query("SELECT id FROM stories WHERE id NOT IN ('s1', 's2')")]
    assert len(stories) == 2
    member, secretariat = (
        Actor("amicale-du-nid", "Amicale du Nid", on_duty=True),
        Actor("s", "S", secretariat=True),
    )
    conn, now = store.db.conn, "2026-11-26T10:00:00+00:00"
    for story in stories:  # summaries typed at the desk, with control characters pasted in
        assert act_on_story(conn, member, story, "choisir", now, summary="Résumé\x01 du\x0b choix").done
    for pick in [r["id"] for r in store.db.query("SELECT id FROM picks")]:
        assert review_pick(conn, secretariat, pick, "accepter_publier", now, summary="Revu\x08 !").done
    summaries = [r["summary"] for r in store.db.query("SELECT summary FROM picks")]
    assert summaries == ["Revu !", "Revu !"]

    atom = run(_get(datasette, "/actualites.atom"))
    assert atom.status_code == 200
    entries = lxml.etree.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 2
    items = published(store)
    assert len(items) == 2
    assert len(json.loads(render(items, "json"))["items"]) == 2
    html = render(items, "html")
    assert not CONTROL.search(html) and "Procès pour traite des êtres humains à Lyon" in html


async def _get(datasette: Datasette, path: str) -> Any:
    return await datasette.client.get(path)
