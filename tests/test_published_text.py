"""What a feed may carry into what Veille publishes: control characters XML cannot hold and titles of
megabytes. Harvested on loopback, picked and published at the desk, then read from every published
output (the Atom feed, `veille export` in HTML and JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import lxml.etree
import sqlite_utils
from datasette.app import Datasette

from monitor.config import Config
from monitor.demo.web import FixtureWeb
from monitor.desk.actions import Actor, act_on_story, review_pick
from monitor.news.entries import (
    _XML_INVALID,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    capped,
    plain_text,
    xml_safe,
)
from monitor.news.export import published, render
from monitor.news.run import run_news
from monitor.news.sources import Source
from monitor.relevance import load_lexicon
from monitor.store import Store
from monitor.store.schema import XML_TEXT_COLUMNS, migrations
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
    assert (
        plain_text("Un <i>titre</i><style>p {}</style> <script>x()</script>clair<iframe>y</iframe>")
        == "Un titre clair"
    )
    assert plain_text("<p>Les <b>victimes</b></p><p><a href='/x'>Lire</a> la suite<br>demain</p>") == (
        "Les victimes Lire la suite demain"
    )
    assert capped("court", 5) == "court" and len(capped("x" * 500, TITLE_MAX_CHARS)) == TITLE_MAX_CHARS


def test_every_character_xml_cannot_hold_is_unprintable() -> None:
    """xml_safe returns a printable text as it is: sound only if no character its expression removes
    is printable (checked on the expression itself), and each of them is removed."""
    invalid = [chr(c) for c in range(0x110000) if _XML_INVALID.fullmatch(chr(c))]
    assert len(invalid) == 29 + 2048 + 2
    assert not any(char.isprintable() for char in invalid)
    assert all(xml_safe(f"a{char}b") == "ab" for char in invalid)


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


def test_rows_stored_before_the_cleaning_are_cleaned_once_at_the_upgrade(tmp_path: Path) -> None:
    """m018: a database filled before ingestion removed them still held control characters, and the
    first published story carrying one broke the Atom feed."""
    path = tmp_path / "veille.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m018_xml_safe_text")
    old["stories"].insert_all([
        {"id": "s1", "title": "Traite\x01 à Lyon", "summary": "Réseau\x0b démantelé", "url": "https://a.fr/1",
         "relevant": 1, "score": 5.0},
        {"id": "s2", "title": "Procès à Metz", "summary": "Tabulation\tgardée", "url": "https://a.fr/2",
         "relevant": 1, "score": 4.0},
    ])  # fmt: skip
    old["articles"].insert({"id": "a1", "url": "https://a.fr/1", "link": "https://a.fr/1", "story_id": "s1",
                            "title": "Traite\x01 à Lyon", "summary": "Réseau\x0b démantelé", "text": "Texte\x0c.",
                            "author": "Rédaction\x02", "relevant": 1})  # fmt: skip
    # Indexed as `save_articles` indexes a night's articles (no insert trigger since m006).
    old.execute(
        "INSERT INTO articles_fts (rowid, title, summary, text) SELECT rowid, title, summary, text FROM articles"
    )
    old["picks"].insert({"story_id": "s1", "member_id": "m", "action": "choisir", "summary": "Résumé\x1f du choix",
                         "status": "publie", "published_at": "2026-11-26T10:00:00+00:00"})  # fmt: skip
    old.conn.close()

    store = Store.open(path)
    for table, columns in XML_TEXT_COLUMNS.items():
        for row in store.db[table].rows:
            assert not any(CONTROL.search(row[column] or "") for column in columns), (table, row)
    assert store.db["stories"].get("s1")["title"] == "Traite à Lyon"
    assert store.db["stories"].get("s2")["summary"] == "Tabulation\tgardée"  # what XML holds is kept
    assert store.db["articles"].get("a1")["author"] == "Rédaction"
    assert [r["id"] for r in store.db.query(
        "SELECT id FROM stories WHERE rowid IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH 'demantele')"
    )] == ["s1"]  # fmt: skip  # the full-text indexes follow the cleaned text
    assert [r["id"] for r in store.db.query(
        "SELECT id FROM articles WHERE rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'texte')"
    )] == ["a1"]  # fmt: skip
    [item] = published(store)
    lxml.etree.Element("entry").text = f"{item['title']} {item['summary']}"  # raises on a control character
    assert item["summary"] == "Résumé du choix"
