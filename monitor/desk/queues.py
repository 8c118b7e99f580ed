"""What the desk lists: today's turn, the stories waiting for a decision (« À trier »), the picks
waiting for the secretariat (« Revue »), the dismissals of the current turn; each row as a card in
French."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.desk.actions import LIVE, SECRETARIAT
from monitor.labels import PARIS, day_fr, json_list, label

# A story waits while nobody picked or alerted it, and nobody refused or dismissed it since its
# newest article: a refused alert or a dismissed story comes back only with a new article.
DECIDED_SINCE_LAST_ARTICLE = (
    "p.status IN ('refuse', 'ecarte') AND coalesce(p.decided_at, p.created_at) >= coalesce(s.last_seen, '')"
)


def _queue(lane: str, order: str) -> str:
    """Undecided stories of one lane, best first, with what a card shows: the stories are chosen
    first, so the card's sources and past decisions are looked up for the shown ones only (a lane
    that cannot be read in index order, « Signaux faibles », would otherwise look them up for all)."""
    return f"""
WITH shown AS (
  SELECT s.id, coalesce(s.published, s.first_seen) AS date FROM stories s
  WHERE {lane}
    AND NOT EXISTS (SELECT 1 FROM picks p WHERE p.story_id = s.id AND p.status IN ({LIVE}))
    AND NOT EXISTS (SELECT 1 FROM picks p WHERE p.story_id = s.id AND {DECIDED_SINCE_LAST_ARTICLE})
  ORDER BY {order}
  LIMIT :limit
)
SELECT s.id, s.title, s.summary, s.url, s.kind, s.topics, s.matched, s.why, s.article_count,
       shown.date, s.first_seen,
       (SELECT group_concat(DISTINCT so.name) FROM articles a
          JOIN article_sources x ON x.article_id = a.id JOIN sources so ON so.id = x.source_id
         WHERE a.story_id = s.id) AS sources,
       (SELECT max(coalesce(p.decided_at, p.created_at)) FROM picks p
         WHERE p.story_id = s.id AND p.status IN ('refuse', 'ecarte')) AS decided_before
FROM shown JOIN stories s ON s.id = shown.id
ORDER BY {order.replace("date", "shown.date")}
"""


QUEUE = _queue("s.relevant = 1", "s.score DESC, date DESC")
# « Signaux faibles »: what each night put there (the strongest of its weak signals), undecided.
WEAK_QUEUE = _queue(
    "s.relevant = 0 AND s.weak = 1 AND s.weak_night IS NOT NULL", "s.evidence DESC, date DESC"
)
# Weak signals no night listed (beyond its cap): stored and searchable, never silently dropped.
WEAK_UNLISTED_COUNT = "SELECT count(*) FROM stories WHERE relevant = 0 AND weak = 1 AND weak_night IS NULL"
# The same rule as a count, from the (small) picks table: the home page's « histoires en attente ».
WAITING_COUNT = f"""
SELECT (SELECT count(*) FROM stories WHERE relevant = 1) - (
  SELECT count(DISTINCT p.story_id) FROM picks p JOIN stories s ON s.id = p.story_id
   WHERE s.relevant = 1 AND (p.status IN ({LIVE}) OR {DECIDED_SINCE_LAST_ARTICLE}))
"""
REVIEW = f"""
SELECT p.id, p.action, p.status, p.summary, p.category, p.created_at, p.decided_at,
       coalesce(m.name, '{SECRETARIAT}') AS who, s.id AS story_id, s.title, s.url, s.summary AS lead
FROM picks p JOIN stories s ON s.id = p.story_id LEFT JOIN members m ON m.id = p.member_id
WHERE p.status IN ('propose', 'signale', 'accepte')
ORDER BY p.status = 'accepte', p.created_at, p.id
"""
DISMISSED_THIS_TURN = f"""
SELECT p.story_id, s.title, p.created_at, coalesce(m.name, '{SECRETARIAT}') AS who
FROM picks p JOIN stories s ON s.id = p.story_id LEFT JOIN members m ON m.id = p.member_id
WHERE p.status = 'ecarte' AND p.turn = :turn
ORDER BY p.id DESC
"""


TODAYS_TURN = """
SELECT d.start, d."end", d.member_id, coalesce(m.name, d.member_id) AS name
FROM duty d LEFT JOIN members m ON m.id = d.member_id WHERE d.start <= :day AND d."end" >= :day
"""


async def todays_turn(database: Any) -> dict[str, Any] | None:
    """Today's turn of watch duty (Paris time) on a Datasette database, with French dates."""
    result = await database.execute(TODAYS_TURN, {"day": datetime.now(PARIS).date().isoformat()})
    if not result.rows:
        return None
    turn = dict(result.rows[0])
    return {**turn, "from": day_fr(turn["start"]), "to": day_fr(turn["end"])}


def web_link(url: str | None) -> str | None:
    """The address if a browser may follow it (http or https), else None."""
    return url if url and url.startswith(("https://", "http://")) else None


def story_card(row: dict[str, Any]) -> dict[str, Any]:
    """A story of the queue as the card shows it: French words, French date, readable reasons."""
    lead = " ".join((row.get("summary") or "").split())
    return {
        "id": row["id"],
        "title": row["title"] or "(sans titre)",
        "url": web_link(row.get("url")),
        "day": day_fr(row.get("date")),
        "sources": sorted(filter(None, (row.get("sources") or "").split(","))),
        "lead": lead if len(lead) <= 420 else lead[:400].rsplit(" ", 1)[0] + " …",
        "reasons": [str(reason) for reason in json_list(row.get("matched"))],
        "rules": [str(reason) for reason in json_list(row.get("why"))],
        "topics": [label("topic", str(topic)) for topic in json_list(row.get("topics"))],
        "kind": label("kind", row.get("kind")) if row.get("kind") else "",
        "articles": row.get("article_count") or 1,
        "back_since": day_fr(row.get("decided_before")),
    }


def pick_card(row: dict[str, Any]) -> dict[str, Any]:
    """A pick or an alert of the review page."""
    return {
        **row,
        "url": web_link(row.get("url")),
        "kind_label": label("action", row["action"]),
        "status_label": label("pick_status", row["status"]),
        "day": day_fr(row["created_at"]),
    }
