"""Tables of the news watch: sources and their health, articles, stories, rejected entries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import sqlite_utils

from monitor.news.sources import Source
from monitor.store.clock import utc
from monitor.store.schema import story_week

if TYPE_CHECKING:  # imported where used: the learnt model's module imports numpy
    from monitor.relevance.learning import Decision, Model

# The desk's decisions: every choice and alert, and every dismissal (an undone dismissal is none).
_DESK_DECISIONS = (
    "FROM picks p JOIN stories s ON s.id = p.story_id"
    " WHERE p.action IN ('choisir', 'signaler') OR p.status = 'ecarte'"
)
# Columns of `sources` that the configuration owns; the others are the source's health.
_CONFIGURED = ("name", "url", "kind", "language", "tags", "origin", "member_id", "active")


class NewsTables:
    db: sqlite_utils.Database

    def sync_sources(self, sources: Iterable[Source]) -> None:
        """Configured sources in, removed ones inactive; discovered feeds and health are kept."""
        rows = [
            {
                "id": s.id, "name": s.name, "url": s.url, "kind": s.kind, "language": s.language,
                "tags": json.dumps(list(s.tags)), "origin": s.origin, "member_id": s.member_id, "active": 1,
            }
            for s in sources
        ]  # fmt: skip
        with self.db.atomic():
            self.db.execute("UPDATE sources SET active = 0 WHERE origin = 'config'")
            for row in rows:
                self._upsert_configured(row)

    def _upsert_configured(self, row: dict[str, Any]) -> None:
        columns = ", ".join(("id", *_CONFIGURED))
        marks = ", ".join("?" for _ in range(len(_CONFIGURED) + 1))
        updates = ", ".join(f"{c} = excluded.{c}" for c in _CONFIGURED)
        # A new address starts afresh: old validators and failures belong to the old one.
        same = "CASE WHEN sources.url = excluded.url THEN sources.{0} END"
        fresh = ", ".join(f"{c} = {same.format(c)}" for c in ("etag", "last_modified", "next_attempt_at"))
        self.db.execute(
            f"INSERT INTO sources ({columns}) VALUES ({marks})"
            f" ON CONFLICT(id) DO UPDATE SET {updates}, {fresh},"
            " error_count = CASE WHEN sources.url = excluded.url THEN sources.error_count ELSE 0 END",
            [row["id"], *(row[c] for c in _CONFIGURED)],
        )

    def add_discovered_feeds(self, member_id: str, feeds: Iterable[dict[str, Any]]) -> int:
        """Feeds found on a member's site (autodiscovery) become sources; returns how many are new."""
        added = 0
        for feed in feeds:
            source_id = f"{member_id}-{hashlib.sha1(feed['url'].encode()).hexdigest()[:6]}"
            if self.db["sources"].count_where("id = ?", [source_id]):
                continue
            self.db["sources"].insert(
                {
                    "id": source_id, "name": feed.get("title") or f"Flux de {member_id}", "url": feed["url"],
                    "kind": "feed", "language": "fr", "tags": "[]", "origin": "discovered",
                    "member_id": member_id, "active": 1,
                }
            )  # fmt: skip
            added += 1
        return added

    def due_sources(self, now: str) -> list[dict[str, Any]]:
        """Active sources whose turn has come (a failing one waits longer after each failure)."""
        return list(
            self.db.query(
                "SELECT * FROM sources WHERE active = 1 AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
                " ORDER BY id",
                [now],
            )
        )

    def active_sources(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM sources WHERE active = 1 ORDER BY id"))

    def record_fetches(self, fetches: list[dict[str, Any]], now: str, backoff_max_days: int) -> None:
        """Sources' health after tonight's fetches: validators, counts, errors and next attempt."""
        ids = [f["source"] for f in fetches]
        current = {r["id"]: r for r in self._rows_by_id("sources", ids)}
        updates = []
        for fetch in fetches:
            source = current[fetch["source"]]
            update: dict[str, Any] = {
                "id": fetch["source"],
                "last_fetch_at": now,
                "last_status": fetch.get("status"),
                "fetches": (source["fetches"] or 0) + 1,
            }
            if fetch.get("not_modified"):
                update["not_modified"] = (source["not_modified"] or 0) + 1
            if fetch.get("error"):
                errors = (source["error_count"] or 0) + 1
                wait = min(2 ** (errors - 1), backoff_max_days) if errors > 1 else 0
                next_attempt = utc(datetime.fromisoformat(now) + timedelta(days=wait)) if wait else None
                update.update(last_error=fetch["error"], error_count=errors, next_attempt_at=next_attempt)
            else:
                update.update(last_error=None, error_count=0, next_attempt_at=None)
                if not fetch.get("not_modified"):
                    update.update(etag=fetch.get("etag"), last_modified=fetch.get("last_modified"))
                    update["entries_last"] = fetch.get("entries", 0)
            updates.append(update)
        with self.db.atomic():
            self._update_by_id("sources", updates)

    def _update_by_id(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Set the columns each row names on the stored row of its `id`, with one prepared statement
        per shape of row: sqlite-utils' `update` reads the table's schema again for every row, and its
        `upsert_all` writes every column (re-indexing an article's text that did not change)."""
        by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
        for row in rows:
            columns = tuple(c for c in row if c != "id")
            by_columns.setdefault(columns, []).append([*(row[c] for c in columns), row["id"]])
        for columns, values in by_columns.items():
            assignments = ", ".join(f"[{c}] = ?" for c in columns)
            self.db.conn.executemany(f"UPDATE [{table}] SET {assignments} WHERE id = ?", values)

    def _rows_by_id(self, table: str, ids: Iterable[str]) -> list[dict[str, Any]]:
        ids = list(ids)
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            rows += self.db.query(f"SELECT * FROM [{table}] WHERE id IN ({marks})", chunk)
        return rows

    def existing_articles(self, ids: Iterable[str]) -> dict[str, str | None]:
        """Which of these articles are stored already, with their story."""
        return {row["id"]: row["story_id"] for row in self._rows_by_id("articles", ids)}

    def save_articles(
        self,
        stories: list[dict[str, Any]],
        articles: list[dict[str, Any]],
        article_sources: list[dict[str, Any]],
        rejections: list[dict[str, Any]],
        new: bool = True,
    ) -> None:
        """One transaction for one batch: stories first (articles point to them).

        `new` articles are inserted (one that appeared meanwhile is left as it is); others, stored
        already, get the columns their rows name.
        """
        with self.db.atomic():
            if stories:
                # Born with its first article's title and summary, which its refresh most often keeps: a
                # story's full-text entry is written once, not written and rewritten. A story stored
                # already (a night run again) gets these columns.
                self._insert_new("stories", stories, update=True)
            if articles and new:
                self._insert_articles(articles)
            elif articles:
                self._update_by_id("articles", articles)
            if article_sources:
                self._insert_new("article_sources", article_sources)
            if rejections:
                self.db["rejections"].insert_all(rejections)

    def _insert_articles(self, rows: list[dict[str, Any]]) -> None:
        """New articles, and their entries in the full-text index (see migration m006)."""
        last = self.db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
        self._insert_new("articles", rows)
        self.index_articles_after(last)

    def index_articles_after(self, rowid: int) -> None:
        """Add the articles inserted after `rowid` to the full-text index, in one statement."""
        self.db.execute(
            "INSERT INTO articles_fts (rowid, title, summary, text)"
            " SELECT rowid, title, summary, text FROM articles WHERE rowid > ?",
            [rowid],
        )

    def _insert_new(self, table: str, rows: list[dict[str, Any]], update: bool = False) -> None:
        """INSERT of many rows with one prepared statement: sqlite-utils' batching costs more than SQLite
        itself for the 10,000 entries of a night (the FTS triggers still fire), and its upsert reads the
        schema at every call. A row whose key is stored already is left as it is, or with `update` gets
        the other columns given (the table's key is `id`)."""
        columns = list(rows[0])
        names = ", ".join(f"[{c}]" for c in columns)
        marks = ", ".join("?" for _ in columns)
        values = (
            list(map(itemgetter(*columns), rows)) if len(columns) > 1 else [[row[columns[0]]] for row in rows]
        )
        changes = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != "id")
        insert, conflict = (
            ("INSERT", f" ON CONFLICT(id) DO UPDATE SET {changes}") if update else ("INSERT OR IGNORE", "")
        )
        self.db.conn.executemany(f"{insert} INTO [{table}] ({names}) VALUES ({marks}){conflict}", values)

    def move_story(self, old: str, new: str) -> None:
        """Two stories are one: the articles of `old` join `new`, and `old` goes."""
        with self.db.atomic():
            self.db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", [new, old])
            self.db.execute("DELETE FROM stories WHERE id = ?", [old])

    def recent_relevant_articles(self, since: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT id, story_id, title, summary FROM articles"
                " WHERE (relevant = 1 OR weak = 1) AND story_id IS NOT NULL AND fetched_at >= ?",
                [since],
            )
        )

    def refresh_stories(self, story_ids: Iterable[str]) -> None:
        """Recompute each story's counts, best article and dates from its articles: its articles read
        in one query per 500 stories, one prepared UPDATE for all (a query per story cost 0.15 s for a
        night's thousand stories)."""
        with self.db.atomic():
            self._refresh_stories(sorted(set(story_ids)))

    def _refresh_stories(self, story_ids: list[str]) -> None:
        updates = []
        for start in range(0, len(story_ids), 500):
            chunk = story_ids[start : start + 500]
            rows = self.db.conn.execute(
                f"SELECT {', '.join(_STORY_FROM_ARTICLE)} FROM articles"
                f" WHERE story_id IN ({','.join('?' * len(chunk))})"
                # Equal in all else, the first article to arrive is the story's (rowid).
                " ORDER BY story_id, relevant DESC, score DESC, evidence DESC, fetched_at, rowid",
                chunk,
            )
            for story_id, articles in groupby(rows, itemgetter(0)):
                updates.append(_story_update(story_id, list(articles)))
        assignments = ", ".join(f"[{column}] = ?" for column in _STORY_UPDATE)
        week = story_week("?", "?")  # from the published and first_seen about to be written
        self.db.conn.executemany(f"UPDATE stories SET {assignments}, week = {week} WHERE id = ?", updates)

    def desk_decisions(self) -> list[Decision]:
        """Every choice, alert and dismissal of the desk, oldest first (an undone dismissal is none)."""
        from monitor.relevance.learning import Decision

        order = "ORDER BY p.created_at, p.id"
        rows = self.db.query(f"SELECT s.title, s.summary, p.action {_DESK_DECISIONS} {order}")
        return [Decision(r["title"] or "", r["summary"] or "", r["action"] != "ecarter") for r in rows]

    def desk_decision_counts(self) -> tuple[int, int]:
        """(decisions, wanted ones) of the desk, without reading them."""
        wanted = "sum(p.action IS NOT 'ecarter')"  # as `desk_decisions` tells them apart
        row = self.db.execute(f"SELECT count(*), coalesce({wanted}, 0) {_DESK_DECISIONS}").fetchone()
        return int(row[0]), int(row[1])

    def save_model(self, model: Model, at: str) -> None:
        with self.db.atomic():
            self.db["relevance_models"].insert(
                {"trained_at": at, "decisions": model.trained_on, "model": model.to_json()}
            )
            self.db.execute(
                "DELETE FROM relevance_models WHERE id < (SELECT max(id) - 6 FROM relevance_models)"
            )

    def latest_model(self) -> Model | None:
        from monitor.relevance.learning import Model

        row = next(self.db.query("SELECT model FROM relevance_models ORDER BY id DESC LIMIT 1"), None)
        return Model.from_json(row["model"]) if row else None

    def fill_weak_lane(self, night: int, since: str, cap: int) -> tuple[int, int]:
        """Put the strongest weak signals first seen since `since` and not listed yet in « Signaux
        faibles » (at most `cap` a night); the others stay stored and searchable, and may be listed
        on a later night. Returns (listed, not listed)."""
        with self.db.atomic():
            rows = list(
                self.db.query(
                    "SELECT id FROM stories WHERE weak = 1 AND relevant = 0 AND weak_night IS NULL"
                    " AND first_seen >= ? ORDER BY evidence DESC, first_seen DESC",
                    [since],
                )
            )
            listed = [row["id"] for row in rows[:cap]]
            self.db.conn.executemany(
                "UPDATE stories SET weak_night = ? WHERE id = ?", [(night, i) for i in listed]
            )
        return len(listed), len(rows) - len(listed)

    def articles_awaiting_text(self) -> list[dict[str, Any]]:
        """Articles whose page is still to be fetched: `new` (not yet chosen) or `queued` (chosen by
        a run that did not fetch it)."""
        return list(
            self.db.query(
                "SELECT id, link, source_id, score, text_status FROM articles"
                " WHERE text_status IN ('new', 'queued') ORDER BY rowid"
            )
        )

    def set_text_status(self, statuses: dict[str, str]) -> None:
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE articles SET text_status = ? WHERE id = ?", [(s, i) for i, s in statuses.items()]
            )

    def unrefreshed_stories(self) -> list[str]:
        """Stories created by a run that was killed before it counted their articles."""
        return [row["id"] for row in self.db.query("SELECT id FROM stories WHERE article_count IS NULL")]

    def articles_by_id(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        return self._rows_by_id("articles", ids)


# What a story takes from its articles: the columns its best article shows, then those read from all of
# them; what a story's UPDATE writes.
_SHOWN = ("title", "summary", "url", "lang", "score", "relevant", "topics", "kind", "matched", "why",
          "source_id")  # fmt: skip
_FROM_ALL = ("weak", "evidence", "published", "fetched_at")
_STORY_FROM_ARTICLE = ("story_id", *_SHOWN, *_FROM_ALL)
_STORY_UPDATE = (*_SHOWN, "weak", "evidence", "article_count", "published", "first_seen", "last_seen")
_RELEVANT = _SHOWN.index("relevant")


def _story_update(story_id: str, articles: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The values of a story's UPDATE (`_STORY_UPDATE`, then its week's two dates and its id), from its
    articles in `_STORY_FROM_ARTICLE`'s columns, best first."""
    shown = articles[0][1 : 1 + len(_SHOWN)]
    weak, evidence, published, fetched_at = zip(*(a[1 + len(_SHOWN) :] for a in articles), strict=True)
    first_published = min((date for date in published if date), default=None)
    first_seen = min(fetched_at)
    return (*shown, int(not shown[_RELEVANT] and any(weak)), max(e or 0 for e in evidence), len(articles),
            first_published, first_seen, max(fetched_at), first_published, first_seen, story_id)  # fmt: skip
