"""The database schema: versioned migrations, applied in order at every open (sqlite-utils)."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.store.fts_triggers import m016_fts_follows_its_columns_only, m022_story_fts_follows_its_text
from monitor.store.story_index_table import (
    m017_story_index,
    m020_story_index_keys,
    m021_stories_version,
)

migrations = Migrations("veille")


@migrations()
def m001_backlinks(db: sqlite_utils.Database) -> None:
    db["members"].create(
        {"id": str, "name": str, "site_url": str, "contact_email": str, "link_pages": str, "active": int},
        pk="id",
    )
    db["runs"].create(
        {"id": int, "kind": str, "started_at": str, "finished_at": str, "mode": str, "stats": str},
        pk="id",
    )
    db["link_checks"].create(
        {
            "run_id": int,
            "member_id": str,
            "status": str,
            "pages_crawled": int,
            "mode": str,
            "error": str,
            "final_url": str,
            "links_found": int,
            "visible_links": int,
            "mentions": str,
            "checked_at": str,
        },
        pk=("run_id", "member_id"),
        foreign_keys=[("run_id", "runs", "id"), ("member_id", "members", "id")],
    )
    db["backlinks"].create(
        {
            "id": str,
            "member_id": str,
            "page_url": str,
            "url": str,
            "href": str,
            "text": str,
            "rel": str,
            "location": str,
            "visible": int,
            "hidden_reason": str,
            "depth": int,
            "judged_by": str,
            "first_seen": str,
            "last_seen": str,
            "present": int,
            "missed_runs": int,
            "lost_at": str,
        },
        pk="id",
        foreign_keys=[("member_id", "members", "id")],
    )
    db["link_events"].create(
        {
            "id": int,
            "run_id": int,
            "member_id": str,
            "event": str,
            "backlink_id": str,
            "detail": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("member_id", "members", "id")],
    )
    db["link_checks"].create_index(["member_id", "run_id"])
    db["backlinks"].create_index(["member_id", "present"])
    db["link_events"].create_index(["run_id"])


@migrations()
def m002_news(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "id": str, "name": str, "url": str, "kind": str, "language": str, "tags": str, "origin": str,
            "member_id": str, "active": int, "etag": str, "last_modified": str, "last_fetch_at": str,
            "last_status": int, "last_error": str, "error_count": int, "next_attempt_at": str,
            "fetches": int, "not_modified": int, "entries_last": int, "articles_total": int,
        },
        pk="id",
        defaults={"active": 1, "error_count": 0, "fetches": 0, "not_modified": 0, "articles_total": 0},
    )  # fmt: skip
    db["stories"].create(
        {
            "id": str, "title": str, "summary": str, "url": str, "lang": str, "published": str,
            "first_seen": str, "last_seen": str, "article_count": int, "score": float, "relevant": int,
            "topics": str, "kind": str, "matched": str,
        },
        pk="id",
    )  # fmt: skip
    db["articles"].create(
        {
            "id": str, "url": str, "link": str, "title": str, "summary": str, "text": str,
            "published": str, "fetched_at": str, "source_id": str, "lang": str, "author": str,
            "image": str, "score": float, "relevant": int, "topics": str, "kind": str, "matched": str,
            "story_id": str, "date_note": str, "text_status": str,
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id"), ("story_id", "stories", "id")],
    )  # fmt: skip
    db["article_sources"].create(
        {"article_id": str, "source_id": str, "first_seen": str, "title": str},
        pk=("article_id", "source_id"),
        foreign_keys=[("article_id", "articles", "id"), ("source_id", "sources", "id")],
    )
    db["rejections"].create(
        {"id": int, "run_id": int, "source_id": str, "title": str, "link": str, "reason": str, "at": str},
        pk="id",
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["story_id"])
    db["articles"].create_index(["relevant", "published"])
    db["stories"].create_index(["relevant", "last_seen"])
    db["rejections"].create_index(["run_id"])
    db["articles"].enable_fts(
        ["title", "summary", "text"], tokenize="unicode61 remove_diacritics 2", create_triggers=True
    )


@migrations()
def m003_duty(db: sqlite_utils.Database) -> None:
    db["duty"].create(
        {"start": str, "end": str, "member_id": str, "note": str}, pk="start", not_null={"end", "member_id"}
    )


@migrations()
def m004_picks(db: sqlite_utils.Database) -> None:
    db["picks"].create(
        {
            "id": int, "story_id": str, "member_id": str, "action": str, "summary": str, "category": str,
            "status": str, "created_by": str, "created_at": str, "decided_by": str, "decided_at": str,
            "published_at": str, "reason": str,
        },
        pk="id",
        foreign_keys=[("story_id", "stories", "id")],
    )  # fmt: skip
    db["picks"].create_index(["story_id"])
    db["picks"].create_index(["status"])
    db["stories"].enable_fts(
        ["title", "summary"], tokenize="unicode61 remove_diacritics 2", create_triggers=True
    )


@migrations()
def m005_queue_index(db: sqlite_utils.Database) -> None:
    # « À trier » reads relevant stories best first; picks are looked up by story.
    db["stories"].create_index(["relevant", "score"])


@migrations()
def m006_articles_indexed_in_bulk(db: sqlite_utils.Database) -> None:
    # Measured on a night's 10,000 entries: the per-row FTS trigger costs 0.5 s, one INSERT … SELECT
    # into the index 0.05 s. New articles are indexed by `NewsTables.save_articles` in the same
    # transaction; updates and deletes keep their triggers.
    db.execute("DROP TRIGGER IF EXISTS articles_ai")


def story_week(published: str, first_seen: str) -> str:
    """A story's week, as the date of its Monday (what the « semaine » facet groups by), in SQL: from
    its columns, or from the values an UPDATE is about to write (`?`)."""
    return f"date(coalesce({published}, {first_seen}), 'weekday 0', '-6 days')"


STORY_WEEK = story_week("published", "first_seen")
# The source of a story's best article: what the « source » facet groups by.
STORY_SOURCE = (
    "(select a.source_id from articles a where a.story_id = stories.id"
    " order by a.score desc, a.fetched_at limit 1)"
)


@migrations()
def m007_story_week_and_source(db: sqlite_utils.Database) -> None:
    db["stories"].add_column("week", str)
    # Not add_column(fk=…): sqlite-utils then rebuilds the table, which drops its FTS triggers.
    db.execute('ALTER TABLE stories ADD COLUMN source_id TEXT REFERENCES sources("id")')
    db.execute(f"UPDATE stories SET week = {STORY_WEEK}, source_id = {STORY_SOURCE}")
    db["stories"].create_index(["week"])


@migrations()
def m008_pick_turn(db: sqlite_utils.Database) -> None:
    # The turn a pick was made in, kept with the pick: the schedule in `duty` is rewritten whenever
    # the rota changes, the history must not be.
    db["picks"].add_column("turn", str)
    db["picks"].add_column("on_duty", str)
    turn_of = '(select {} from duty where date({}) between duty.start and duty."end")'
    db.execute(
        f"UPDATE picks SET turn = {turn_of.format('start', 'picks.created_at')},"
        f" on_duty = {turn_of.format('member_id', 'picks.created_at')}"
    )
    db.execute(
        "CREATE TRIGGER picks_turn AFTER INSERT ON picks WHEN new.turn IS NULL BEGIN"
        f" UPDATE picks SET turn = {turn_of.format('start', 'new.created_at')},"
        f" on_duty = {turn_of.format('member_id', 'new.created_at')} WHERE id = new.id; END"
    )


@migrations()
def m009_run_status(db: sqlite_utils.Database) -> None:
    # A run killed half-way must not pass for the newest one: reports read runs whose status is ok.
    db["runs"].add_column("status", str)
    db.execute("UPDATE runs SET status = CASE WHEN finished_at IS NULL THEN 'interrupted' ELSE 'ok' END")
    db["runs"].create_index(["kind", "status"])


@migrations()
def m010_article_text_queue(db: sqlite_utils.Database) -> None:
    # An article waits for its page as `new` (not yet chosen) or `queued` (chosen, not yet fetched),
    # so a run killed before or during the article stage is resumed by the next one. `pending`
    # meant "not fetched, and never will be": that is `skipped` now.
    db.execute("UPDATE articles SET text_status = 'skipped' WHERE text_status = 'pending'")
    db["articles"].create_index(["text_status"])


# The life cycle of a pick (docs/desk.md « Life cycle of a story »): which status may follow which.
PICK_TRANSITIONS = {
    "propose": ("accepte", "refuse"),
    "signale": ("accepte", "refuse"),
    "accepte": ("publie", "refuse"),
    "ecarte": ("annule",),
}
LIVE_PICK_STATUSES = ("propose", "signale", "accepte", "publie")


@migrations()
def m011_pick_rules(db: sqlite_utils.Database) -> None:
    # The desk's rules, in the database so that every way of writing obeys them.
    db["pick_categories"].create({"name": str}, pk="name")
    live = ", ".join(f"'{s}'" for s in LIVE_PICK_STATUSES)
    # Older databases may hold two live picks for one story: the oldest stays, the others are refused.
    db.execute(
        "UPDATE picks SET status = 'refuse', reason = 'doublon (mise à jour de la base)'"
        f" WHERE status IN ({live})"
        f" AND id NOT IN (SELECT min(id) FROM picks WHERE status IN ({live}) GROUP BY story_id)"
    )
    db.execute(f"CREATE UNIQUE INDEX picks_one_live_per_story ON picks (story_id) WHERE status IN ({live})")
    allowed = " OR ".join(
        f"(old.status = '{old}' AND new.status IN ({', '.join(repr(n) for n in new)}))"
        for old, new in PICK_TRANSITIONS.items()
    )
    db.execute(
        "CREATE TRIGGER picks_status_follows_the_life_cycle BEFORE UPDATE OF status ON picks"
        f" WHEN new.status != old.status AND NOT ({allowed})"
        " BEGIN SELECT RAISE(ABORT, 'ce changement d''état n''est pas possible'); END"
    )
    db.execute(
        "CREATE TRIGGER picks_published_need_a_summary BEFORE UPDATE OF status ON picks"
        " WHEN new.status = 'publie' AND trim(coalesce(new.summary, '')) = ''"
        " BEGIN SELECT RAISE(ABORT, 'un choix sans résumé ne peut pas être publié'); END"
    )
    db.execute(
        "CREATE TRIGGER picks_refusals_need_a_reason BEFORE UPDATE OF status ON picks"
        " WHEN new.status = 'refuse' AND trim(coalesce(new.reason, '')) = ''"
        " BEGIN SELECT RAISE(ABORT, 'un refus doit avoir un motif'); END"
    )
    for moment in ("INSERT", "UPDATE OF category"):
        db.execute(
            f"CREATE TRIGGER picks_category_is_known_{moment.split()[0].lower()} BEFORE {moment} ON picks"
            " WHEN trim(coalesce(new.category, '')) != ''"
            " AND new.category NOT IN (SELECT name FROM pick_categories)"
            " BEGIN SELECT RAISE(ABORT, 'catégorie inconnue (voir triage.categories)'); END"
        )


@migrations()
def m012_nights_and_outbox(db: sqlite_utils.Database) -> None:
    # One row per night of `veille run`, with each stage's status, counts and error (JSON).
    db["nights"].create(
        {"id": int, "started_at": str, "finished_at": str, "status": str, "stages": str}, pk="id"
    )
    # Every message the night sends: to whom, what about (`kinds`, `keys` that make it once-only),
    # when, and whether the SMTP server took it.
    db["outbox"].create(
        {"id": int, "night_id": int, "recipient": str, "subject": str, "kinds": str, "keys": str, "body": str,
         "created_at": str, "status": str},
        pk="id",
    )  # fmt: skip
    db["outbox"].create_index(["recipient", "created_at"])


@migrations()
def m013_site_audit(db: sqlite_utils.Database) -> None:
    # The audit of the Collectif's own site: one `runs` row (kind « site ») per audit, the pages it
    # read and its findings; and the outgoing links found working, not asked again for a while.
    db["site_pages"].create(
        {"run_id": int, "url": str, "status": int, "final_url": str, "title": str, "bytes": int,
         "response_ms": int, "error": str},
        pk=("run_id", "url"), foreign_keys=[("run_id", "runs", "id")],
    )  # fmt: skip
    db["site_findings"].create(
        {"run_id": int, "code": str, "subject": str, "severity": str, "theme": str, "label": str,
         "pages": str, "detail": str},
        pk=("run_id", "code", "subject"), foreign_keys=[("run_id", "runs", "id")],
    )  # fmt: skip
    db["link_check_cache"].create(
        {"url": str, "host": str, "status": int, "final_url": str, "checked_at": str}, pk="url"
    )


@migrations()
def m014_weak_signals(db: sqlite_utils.Database) -> None:
    # Below the threshold but with evidence (a rule's one side, a single strong word, or the model
    # learnt from the desk): a weak signal, ranked by `evidence`, explained by `why` (JSON list).
    # A story enters « Signaux faibles » when the night that saw it puts it there (`weak_night`,
    # the news run's id): at most `news.weak_signals_per_night` per night, the strongest first.
    for table in ("articles", "stories"):
        db[table].add_column("weak", int, not_null_default=0)
        db[table].add_column("evidence", float, not_null_default=0)
        db[table].add_column("why", str)
    db["stories"].add_column("weak_night", int)
    db["stories"].create_index(["weak", "relevant", "weak_night"])
    # The model learnt from the desk's decisions, one row per night that trained it (JSON).
    db["relevance_models"].create({"id": int, "trained_at": str, "decisions": int, "model": str}, pk="id")


@migrations()
def m015_weak_lane_order(db: sqlite_utils.Database) -> None:
    # « Signaux faibles » read in its own order (evidence, then date), so the desk stops at the
    # first 50 undecided instead of sorting every listed weak story of the year.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_stories_weak_lane ON stories"
        " (evidence DESC, coalesce(published, first_seen) DESC)"
        " WHERE relevant = 0 AND weak = 1 AND weak_night IS NOT NULL"
    )


migrations()(m016_fts_follows_its_columns_only)  # fts_triggers.py
migrations()(m017_story_index)  # story_index_table.py


@migrations()
def m018_xml_safe_text(db: sqlite_utils.Database) -> None:
    # Characters XML 1.0 cannot hold are removed at ingestion and from the desk's summaries; rows stored
    # before that are cleaned here, once: a control character in a published story's title or summary
    # broke the Atom feed. Only the rows that hold one are written (and re-indexed by their triggers).
    from monitor.news.entries import xml_safe

    db.conn.create_function(
        "veille_xml_safe",
        1,
        lambda text: xml_safe(text) if isinstance(text, str) else text,
        deterministic=True,
    )
    for table, columns in XML_TEXT_COLUMNS.items():
        changed = " OR ".join(f"{column} IS NOT veille_xml_safe({column})" for column in columns)
        cleaned = ", ".join(f"{column} = veille_xml_safe({column})" for column in columns)
        db.execute(f"UPDATE {table} SET {cleaned} WHERE {changed}")


# The text a harvest or the desk stores and the published outputs (Atom feed, export) read.
XML_TEXT_COLUMNS = {
    "articles": ("title", "summary", "text", "author"),
    "stories": ("title", "summary"),
    "picks": ("summary",),  # its category is one of triage.categories (a trigger checks it, m011)
}


@migrations()
def m019_articles_by_fetch(db: sqlite_utils.Database) -> None:
    # The desk's Articles table is sorted by fetched_at, newest first, ties by id (its next pages'
    # order, monitor/desk/page_order.py): without an index each page sorted every article (3 s, the
    # desk's time limit, at 1,000,000 articles).
    db.execute("CREATE INDEX idx_articles_fetched_at ON articles (fetched_at DESC, id)")


migrations()(m020_story_index_keys)  # story_index_table.py
migrations()(m021_stories_version)  # story_index_table.py
migrations()(m022_story_fts_follows_its_text)  # fts_triggers.py
