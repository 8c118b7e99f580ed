"""The news harvest on real local servers: formats, encodings, broken input, 304s, duplicates, stories."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config
from monitor.demo.web import FixtureWeb
from monitor.news.run import run_news
from monitor.news.sources import Source
from monitor.relevance import load_lexicon
from monitor.store import Store
from tests.conftest import TESTS, shared_corpus

LEXICON = load_lexicon(TESTS.parent / "data" / "topics.yml")
GAZETTE = ("rss.xml", "atom.xml", "rdf.xml", "latin1.xml", "broken.xml", "ancien-flux.xml")


def feed(source_id: str, url: str, kind: str = "feed", language: str = "fr") -> Source:
    return Source(id=source_id, name=source_id, url=url, kind=kind, language=language)


def gazette_sources(demo_web: FixtureWeb) -> list[Source]:
    sources = [feed(name.split(".")[0], demo_web.url("presse", name)) for name in GAZETTE]
    return [*sources, feed("actualites", demo_web.url("presse", "actualites.html"), kind="page")]


@pytest.fixture(scope="module")
def gazette(demo_web: FixtureWeb, config: Config, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two nights over the unchanged demo newspaper."""
    store = Store.open(tmp_path_factory.mktemp("news") / "veille.db")
    store.sync_sources(gazette_sources(demo_web))
    reads: dict[str, int] = {"first": 0, "second": 0}

    def lexicon_read_on(night: str) -> Any:
        def read() -> Any:
            reads[night] += 1
            return LEXICON

        return read

    first = run_news(store, config, lexicon_read_on("first"))[1]
    counts = {t: store.db[t].count for t in ("articles", "stories", "article_sources", "rejections")}
    second = run_news(store, config, lexicon_read_on("second"))[1]
    return {
        "store": store,
        "first": first,
        "second": second,
        "counts": counts,
        "web": demo_web,
        "reads": reads,
    }


def articles(store: Store) -> dict[str, dict[str, Any]]:
    return {row["url"].rsplit("/", 1)[-1]: row for row in store.db.query("SELECT * FROM articles")}


def test_first_night_reads_every_format(gazette: dict[str, Any]) -> None:
    first = gazette["first"]
    assert (first.sources, first.fetched, first.failed) == (7, 7, 1)
    assert first.errors == ["ancien-flux: HTTP 404"]
    assert first.entries == 15 and first.rejected == 2
    assert first.new_articles + first.duplicates + first.rejected == first.entries
    assert first.articles_fetched == first.new_articles


def test_the_lexicon_is_read_once_and_not_on_a_night_with_nothing_to_judge(gazette: dict[str, Any]) -> None:
    assert gazette["reads"] == {"first": 1, "second": 0}


def test_second_night_over_an_unchanged_web_is_all_304_and_adds_nothing(gazette: dict[str, Any]) -> None:
    second, store = gazette["second"], gazette["store"]
    assert second.not_modified == 6 and second.entries == 0 and second.new_articles == 0
    assert {t: store.db[t].count for t in gazette["counts"]} == gazette["counts"]
    gone = store.db["sources"].get("ancien-flux")
    assert gone["error_count"] == 2 and gone["last_error"] == "HTTP 404" and gone["next_attempt_at"]


def test_entries_become_plain_text_articles_with_canonical_urls(gazette: dict[str, Any]) -> None:
    stored = articles(gazette["store"])
    lyon = stored["reseau-proxenetisme-demantele-lyon.html"]  # the RSS link carried utm_* trackers
    assert not any(
        "<" in (row["summary"] or "") or "alert(" in (row["summary"] or "") for row in stored.values()
    )
    assert lyon["relevant"] == 1 and lyon["kind"] == "justice"
    assert json.loads(lyon["matched"]) and "proxenetisme" in json.loads(lyon["topics"])
    assert "Les suspects seront jugés" in lyon["text"] and lyon["image"].endswith(".jpg")
    latin1 = stored["traite-des-vaches-salon-bis.html"]
    assert (
        latin1["summary"] == "Les éleveurs laitiers présentent leurs robots de traite."
        and latin1["relevant"] == 0
    )
    assert stored["retraites-reforme-greve.html"]["relevant"] == 0
    future = stored["saisonniers-travail-force-vignes.html?from=futur"]
    # The feed's date (year 2100) is not trusted; the article page's own date replaces it.
    assert future["date_note"].startswith("date dans le futur ignorée") and future["published"].startswith(
        "2026-11-24"
    )
    assert not any(row["title"].startswith("<") for row in stored.values())


def test_rejections_and_duplicates_are_recorded(gazette: dict[str, Any]) -> None:
    store = gazette["store"]
    reasons = {(r["source_id"], r["reason"]) for r in store.db.query("SELECT * FROM rejections")}
    assert reasons == {("rss", "entrée sans lien"), ("broken", "entrée sans lien")}
    lyon_sources = {r["source_id"] for r in store.db.query(
        "SELECT article_sources.source_id FROM article_sources JOIN articles ON articles.id = article_id"
        " WHERE articles.url LIKE '%reseau-proxenetisme-demantele-lyon.html'")}  # fmt: skip
    assert lyon_sources == {"rss", "atom"}


def test_near_identical_stories_are_grouped(gazette: dict[str, Any]) -> None:
    store = gazette["store"]
    groups = {r["title"][:20]: r["article_count"] for r in store.db.query("SELECT * FROM stories")}
    assert groups["Lyon : un réseau de "] == 2 or groups.get("Lyon: pimping ring d") == 2
    assert all(r["story_id"] for r in store.db.query("SELECT story_id FROM articles WHERE relevant = 1"))
    assert not list(store.db.query("SELECT id FROM articles WHERE relevant = 0 AND story_id IS NOT NULL"))
    for story in store.db.query("SELECT * FROM stories"):  # what the triage desk's facets group by
        assert date.fromisoformat(story["week"]).weekday() == 0, story
        assert story["source_id"] in {s.id for s in gazette_sources(gazette["web"])}, story


def test_stories_are_refreshed_without_reading_the_schema_per_story(gazette: dict[str, Any]) -> None:
    """sqlite-utils' `update` reads the table's schema for each row: a night touching many stories
    paid it per story; and a query per story for its articles cost 0.15 s for a night's thousand."""
    store = gazette["store"]
    before = list(store.db.query("SELECT * FROM stories ORDER BY id"))
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        store.refresh_stories(row["id"] for row in before)
    finally:
        store.db.conn.set_trace_callback(None)
    assert list(store.db.query("SELECT * FROM stories ORDER BY id")) == before  # same stories
    assert len(before) >= 2
    schema_reads = [
        s for s in statements if not s.startswith("--") and ("PRAGMA" in s or "sqlite_master" in s)
    ]
    assert not schema_reads  # ("--" marks what SQLite runs inside a trigger: the full-text index's own)
    assert len([s for s in statements if s.startswith("SELECT") and "FROM articles" in s]) == 1


def test_a_story_shows_the_first_of_its_equally_good_articles(tmp_path: Path) -> None:
    """Articles equal in relevance, score, evidence and time: the story shows the first to arrive (the
    lowest rowid), whatever their ids, so that a night run again shows what it showed."""
    with Store.open(tmp_path / "veille.db") as store:
        store.db["stories"].insert_all([{"id": "s1", "title": "?"}, {"id": "s2", "title": "?"}])
        same = {"relevant": 1, "score": 6.0, "evidence": 0.0, "fetched_at": "2026-12-01T02:00:00+00:00"}
        arrivals = [("b", "s1", "Premier arrivé"), ("a", "s1", "Second"), ("c", "s2", "Seul"),
                    ("z", "s1", "Troisième")]  # fmt: skip
        store.save_articles([], [{"id": i, "url": f"https://example.org/{i}", "title": t, "summary": None,
                                  "story_id": s, **same} for i, s, t in arrivals], [], [])  # fmt: skip
        store.refresh_stories(["s2", "s1"])
        stories = {r["id"]: (r["title"], r["article_count"]) for r in store.db.query("SELECT * FROM stories")}
        assert stories == {"s1": ("Premier arrivé", 3), "s2": ("Seul", 1)}


def test_full_text_search_ignores_accents(gazette: dict[str, Any]) -> None:
    store = gazette["store"]
    found = list(store.db.query(
        "SELECT articles.title FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid"
        " WHERE articles_fts MATCH 'proxenetisme'"))  # fmt: skip
    assert any("proxénétisme" in row["title"] for row in found)


def test_full_text_index_matches_the_articles(gazette: dict[str, Any]) -> None:
    """New articles are indexed in bulk, page texts by trigger: the index agrees with the table."""
    store = gazette["store"]
    # With rank 1, FTS5 also compares the index with the content table (SQLITE_CORRUPT_VTAB if not).
    store.db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    indexed = store.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
    assert indexed == store.db["articles"].count > 0
    by_text = list(store.db.query(
        "SELECT articles.url FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid"
        " WHERE articles_fts MATCH 'text: suspects jugés'"))  # fmt: skip
    assert any(row["url"].endswith("reseau-proxenetisme-demantele-lyon.html") for row in by_text)


def test_the_full_text_index_follows_only_the_columns_it_holds(tmp_path: Path) -> None:
    """A night sets text_status on each of its new articles: the index is left alone (it cost a delete
    and a re-insert per article); a new text is still indexed."""
    store = Store.open(tmp_path / "veille.db")
    row = {"id": "a1", "url": "https://example.org/a1", "title": "Proxénétisme à Lyon", "summary": "Un réseau",
           "text": None, "text_status": "new"}  # fmt: skip
    store.save_articles([], [row], [], [])
    before = store.db.conn.total_changes
    store.set_text_status({"a1": "queued"})
    assert store.db.conn.total_changes - before == 1  # the row only: no trigger wrote to the index
    store.db.execute("UPDATE articles SET text = 'Des suspects jugés' WHERE id = 'a1'")
    store.db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    found = store.db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'text: suspects'")
    assert len(found.fetchall()) == 1


def test_a_storys_full_text_entry_is_written_again_only_when_its_text_changes(tmp_path: Path) -> None:
    """A night refreshes each story's counts and week: the index of titles and summaries is left alone
    (it cost a delete and a re-insert per story and per statement); a new title is indexed."""
    with Store.open(tmp_path / "veille.db") as store:
        store.db["stories"].insert({"id": "s1", "title": "Réseau démantelé", "summary": "Six victimes"})
        before = store.db.conn.total_changes
        store.db.execute("UPDATE stories SET article_count = 3 WHERE id = 's1'")
        assert store.db.conn.total_changes - before == 1  # the row only: no trigger wrote to the index
        before = store.db.conn.total_changes
        store.db.execute("UPDATE stories SET article_count = 4, title = 'Réseau démantelé' WHERE id = 's1'")
        assert store.db.conn.total_changes - before == 2  # the row and the desk's version (m021), no index
        store.db.execute("UPDATE stories SET title = 'Proxénétisme : réseau démantelé' WHERE id = 's1'")
        store.db.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")
        found = store.db.execute("SELECT rowid FROM stories_fts WHERE stories_fts MATCH 'proxenetisme'")
        assert len(found.fetchall()) == 1


def test_a_new_storys_full_text_entry_is_written_once(config: Config, tmp_path: Path) -> None:
    """A story is born with its first article's title and summary: refreshing it with that article as
    its best leaves its full-text entry alone (it was written without the summary, then rewritten)."""
    from datetime import UTC, datetime

    from monitor.news.harvest import Harvest

    with Store.open(tmp_path / "veille.db") as store:
        store.db["sources"].insert({"id": "rss", "name": "Flux"})
        harvest = Harvest(store, config, LEXICON, store.start_run("news", "static"), datetime.now(UTC))
        entry = {"source": "rss", "link": "https://example.org/a1", "title": "Proxénétisme : un réseau jugé",
                 "summary": "Six victimes recrutées à l'étranger", "published": None}  # fmt: skip
        [identity] = harvest.keep_entries([entry], {})
        born = store.db["stories"].get(identity)
        assert (born["title"], born["summary"]) == (entry["title"], entry["summary"])
        statements: list[str] = []
        store.db.conn.set_trace_callback(statements.append)
        try:
            store.refresh_stories([identity])
        finally:
            store.db.conn.set_trace_callback(None)
        assert not [s for s in statements if "stories_fts" in s]
        assert store.db["stories"].get(identity)["article_count"] == 1
        found = store.db.execute("SELECT rowid FROM stories_fts WHERE stories_fts MATCH 'victimes'")
        assert len(found.fetchall()) == 1


def test_a_story_stored_already_gets_the_columns_a_night_run_again_gives_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "veille.db") as store:
        first = {
            "id": "s1",
            "title": "Réseau démantelé",
            "summary": "Six victimes",
            "first_seen": "2026-12-01",
        }
        store.save_articles([first], [], [], [])
        store.save_articles([{**first, "title": "Proxénétisme : réseau démantelé"}], [], [], [])
        assert [dict(r) for r in store.db.query("SELECT id, title, summary FROM stories")] == [
            {"id": "s1", "title": "Proxénétisme : réseau démantelé", "summary": "Six victimes"}
        ]
        store.db.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")
        found = store.db.execute("SELECT rowid FROM stories_fts WHERE stories_fts MATCH 'proxenetisme'")
        assert len(found.fetchall()) == 1


def test_a_page_that_could_not_be_fetched_changes_only_its_status(config: Config, tmp_path: Path) -> None:
    """The article stage writes back only what it learnt: a failed page's status, not the whole row
    (which re-indexed its title and summary in the full-text index)."""
    from datetime import UTC, datetime

    from monitor.news.harvest import Harvest

    store = Store.open(tmp_path / "veille.db")
    row = {"id": "a1", "url": "https://example.org/a1", "title": "Proxénétisme à Lyon", "summary": "Un réseau",
           "text": None, "text_status": "queued"}  # fmt: skip
    store.save_articles([], [row], [], [])
    harvest = Harvest(store, config, LEXICON, store.start_run("news", "static"), datetime.now(UTC))
    before = store.db.conn.total_changes
    harvest.keep_pages([{"id": "a1", "ok": False, "error": "délai dépassé"}])
    assert store.db.conn.total_changes - before == 1  # the row only, not the index
    stored = store.db["articles"].get("a1")
    assert stored["text_status"] == "échec : délai dépassé" and stored["title"] == row["title"]


def test_bad_sources_are_reported_and_never_stop_the_others(
    web: FixtureWeb, config: Config, tmp_db: Path
) -> None:
    names = ("as-html.xml", "page.xml", "gzipped.xml", "moved.xml", "empty.xml", "no-encoding.xml",
             "wrong-encoding.xml", "huge.xml", "slow.xml")  # fmt: skip
    store = Store.open(tmp_db)
    store.sync_sources([feed(n.split(".")[0], web.url("news-edge", n)) for n in names])
    _, summary = run_news(store, config, LEXICON, fetch_articles=False)
    health = {r["id"]: (r["error_count"], r["last_error"]) for r in store.db.query("SELECT * FROM sources")}
    assert health["page"] == (1, "une page HTML a été reçue à la place d'un flux")
    assert health["huge"] == (1, "page trop lourde (taille maximale dépassée)")
    assert health["slow"] == (1, "délai d'attente dépassé")
    assert all(
        health[n][0] == 0 for n in ("as-html", "gzipped", "moved", "empty", "no-encoding", "wrong-encoding")
    )
    titles = {r["title"] for r in store.db.query("SELECT title FROM articles")}
    assert "Travail forcé : un atelier clandestin fermé" in titles  # gzip, and after a redirect
    assert "Proxénétisme : un réseau jugé à Rennes" in titles  # an RSS document served as text/html
    assert "Mendicité forcée : trois prévenus" in titles  # UTF-8 with no declaration
    assert any(t.startswith("Servitude domestique") for t in titles)  # latin-1 bytes declared UTF-8
    assert summary.failed == 3 and summary.new_articles == 4 and summary.duplicates == 1


def test_a_failing_source_is_tried_less_often(web: FixtureWeb, config: Config, tmp_db: Path) -> None:
    store = Store.open(tmp_db)
    store.sync_sources([feed("gone", web.url("news-edge", "nothing.xml"))])
    run_news(store, config, LEXICON, fetch_articles=False)
    assert store.db["sources"].get("gone")["next_attempt_at"] is None  # one failure: tried again tomorrow
    run_news(store, config, LEXICON, fetch_articles=False)
    source = store.db["sources"].get("gone")
    assert source["error_count"] == 2 and source["next_attempt_at"] > source["last_fetch_at"]
    _, summary = run_news(store, config, LEXICON, fetch_articles=False)
    assert summary.sources == 0  # not due tonight


def test_feedparser_corpus_is_harvested_without_losing_an_entry(config: Config, tmp_db: Path) -> None:
    corpus = shared_corpus("corpora", "feedparser", "tests")
    with FixtureWeb(corpus.parent, first_address=200) as corpus_web:
        files = sorted(p.relative_to(corpus) for p in corpus.rglob("*.xml"))
        assert len(files) > 1000
        store = Store.open(tmp_db)
        store.sync_sources(
            [feed(f"f{i}", corpus_web.url("tests", str(path))) for i, path in enumerate(files)]
        )
        fast = replace(config, news={**config.news, "max_entries_per_source": 10_000})
        _, summary = run_news(store, fast, LEXICON, fetch_articles=False)
    assert summary.fetched == len(files)
    assert summary.entries > 500
    assert summary.new_articles + summary.duplicates + summary.rejected == summary.entries
    assert store.db["rejections"].count == summary.rejected
    assert not list(
        store.db.query("SELECT id FROM articles WHERE title LIKE '%<script%' OR summary LIKE '%<script%'")
    )


CRASHING_EXTRACTION = """
import crawler.judge.article as article
def crash(body, content_type, url):
    raise RuntimeError("extraction en panne")
article.extract_article = crash
"""


def test_an_extraction_that_crashes_is_recorded_with_its_reason(
    demo_web: FixtureWeb, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    (tmp_path / "sitecustomize.py").write_text(CRASHING_EXTRACTION, encoding="utf-8")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    )
    store = Store.open(tmp_path / "veille.db")
    store.sync_sources([feed("rss", demo_web.url("presse", "rss.xml"))])
    run_news(store, config, LEXICON)
    statuses = {row["text_status"] for row in store.db.query("SELECT text_status FROM articles")}
    assert statuses == {"échec : extraction impossible (RuntimeError: extraction en panne)"}


def test_article_text_can_be_extracted_at_all() -> None:
    """trafilatura needs justext, which needs lxml_html_clean: without it every text would be empty."""
    from crawler.judge.article import extract_article

    page = shared_corpus("corpora", "realpages", "bondyblog.fr.paris-8.html").read_bytes()
    data = extract_article(page, "text/html; charset=utf-8", "https://www.bondyblog.fr/paris-8")
    assert len(data["text"]) > 500 and data["title"]


def test_a_night_of_unchanged_feeds_imports_only_what_it_needs(tmp_path: Path) -> None:
    """The all-304 night's start-up: the CLI's news run, its store and every spider module (Scrapy loads
    them all at each crawl's start) leave courlan and extruct to the nights that judge entries or audit
    sites, numpy to the nights that group stories or learn from the desk (sqlite-utils would import
    it), rich to the commands that show something, sqlite-utils' plugins (found by reading every
    installed distribution's metadata) to nobody, and the other commands' modules to their commands."""
    import subprocess
    import sys

    heavy = (
        "courlan",
        "extruct",
        "numpy",
        "rich",
        "monitor.cli.desk",
        "monitor.cli.site",
        "monitor.cli.links",
    )
    code = (
        "import sys, monitor.cli, monitor.cli.news, monitor.news.harvest, monitor.news.run, monitor.store, "
        "monitor.relevance, monitor.relevance.cache, monitor.desk.learning, "
        "crawler.spiders.news, crawler.spiders.articles, crawler.spiders.site, crawler.spiders.backlinks; "
        f"monitor.store.Store.open({str(tmp_path / 'veille.db')!r}); "
        "monitor.cli.base.progress_bar(True).__enter__().add_task('…'); "
        "plugins = sys.modules['sqlite_utils.plugins']._plugins_loaded; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules), plugins)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] False"


def test_the_cycle_collector_is_paused_for_a_batch_and_left_as_it_was() -> None:
    """Harvest.keep_entries pauses the collector for its batch: afterwards it runs again if it ran
    before, stays off if it was off (a caller's choice), and an error in the batch changes neither."""
    import gc

    from monitor.news.harvest import collector_paused

    was = gc.isenabled()
    try:
        for before in (True, False):
            (gc.enable if before else gc.disable)()
            with collector_paused():
                assert not gc.isenabled()
            assert gc.isenabled() is before
            with pytest.raises(ValueError), collector_paused():
                raise ValueError("a bad entry")
            assert gc.isenabled() is before
    finally:
        (gc.enable if was else gc.disable)()
