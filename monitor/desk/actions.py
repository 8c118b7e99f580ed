"""What each decision on the desk does, and what it answers: the truth, in French.

Every answer is one of: done; already done (by whom, when); not allowed (why); no longer possible
(the story or pick is gone, or in a state where the action makes no sense). A write that changed
nothing never answers "done": each update names the status it expects and counts the rows it
changed, so a double submission or a stale form is told what happened meanwhile.

The functions run on a sqlite3 connection (Datasette's write thread). The database's triggers
(migration m011) hold the same rules for any other writer.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from monitor.labels import day_fr
from monitor.news.entries import xml_safe
from monitor.store.schema import LIVE_PICK_STATUSES

STORY_ACTIONS = ("choisir", "signaler", "ecarter", "annuler")
REVIEW_ACTIONS = ("accepter_publier", "accepter", "publier", "refuser")
# « … a déjà été choisie par X le 24 nov. 2026 »
PAST = {"choisir": "choisie", "signaler": "signalée", "ecarter": "écartée"}
# People are named as people: an account that is no association is the secretariat's.
SECRETARIAT = "le secrétariat"
PICK = (
    f"SELECT p.*, s.title, coalesce(m.name, '{SECRETARIAT}') AS who, m.id IS NULL AS by_secretariat,"
    f" coalesce(d.name, '{SECRETARIAT}') AS decider"
    " FROM picks p JOIN stories s ON s.id = p.story_id LEFT JOIN members m ON m.id = p.member_id"
    " LEFT JOIN members d ON d.id = p.decided_by"
)
LIVE = ", ".join(f"'{status}'" for status in LIVE_PICK_STATUSES)
# Each update names the status it expects: a row changed only if nobody decided meanwhile.
SET = "UPDATE picks SET {} WHERE id = ? AND status = ?"
UNDO = SET.format("status = 'annule', decided_by = ?, decided_at = ?")
REFUSE = SET.format("status = 'refuse', reason = ?, decided_by = ?, decided_at = ?")
ACCEPT = SET.format("status = 'accepte', summary = ?, decided_by = ?, decided_at = ?")
PUBLISH = SET.format("status = 'publie', summary = ?, published_at = ?")


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    secretariat: bool = False
    on_duty: bool = False

    @property
    def may_triage(self) -> bool:
        return self.secretariat or self.on_duty


@dataclass(frozen=True)
class Outcome:
    kind: str  # done, already, forbidden, impossible
    message: str
    story_id: str | None = None

    @property
    def done(self) -> bool:
        return self.kind == "done"


def _one(conn: sqlite3.Connection, sql: str, params: list[Any]) -> dict[str, Any] | None:
    cursor = conn.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None


def _changed(conn: sqlite3.Connection, sql: str, params: list[Any]) -> bool:
    """Run one write in its own transaction; True when it changed a row."""
    try:
        with conn:
            return conn.execute(sql, params).rowcount == 1
    except sqlite3.IntegrityError:  # the one-live-pick-per-story index: someone was first
        return False


def act_on_story(
    conn: sqlite3.Connection,
    actor: Actor,
    story_id: str,
    action: str,
    now: str,
    summary: str = "",
    category: str = "",
    categories: tuple[str, ...] = (),
    turn: str | None = None,
) -> Outcome:
    """Choisir (with a summary), signaler, écarter a story, or annuler its dismissal."""
    if not actor.may_triage:
        return Outcome(
            "forbidden", "Seule l'association de veille (et le secrétariat) peut trier les histoires."
        )
    story = _one(conn, "SELECT id, title, last_seen FROM stories WHERE id = ?", [story_id])
    if story is None:
        return Outcome("impossible", "Cette histoire n'existe pas (ou plus).")
    title = f"« {story['title']} »"
    if action == "annuler":
        return _undo_dismissal(conn, actor, story_id, title, now, turn)
    live = _one(conn, f"{PICK} WHERE p.story_id = ? AND p.status IN ({LIVE}) ORDER BY p.id DESC", [story_id])
    if live:
        return Outcome("already", f"{title} a déjà été {PAST[live['action']]} par {live['who']} le "
                                  f"{day_fr(live['created_at'])}.", story_id)  # fmt: skip
    # A form is shown only for a story waiting in « À trier »: if it was dismissed or refused since
    # (another tab, another person), the decision is answered with what happened, and changes nothing.
    decided = _one(
        conn, f"{PICK} WHERE p.story_id = ? AND p.status IN ('ecarte', 'refuse')"
              " AND coalesce(p.decided_at, p.created_at) >= ? ORDER BY p.id DESC",
        [story_id, story["last_seen"] or ""],
    )  # fmt: skip
    if decided and decided["status"] == "ecarte":
        return Outcome("already", f"{title} a déjà été écartée par {decided['who']} le "
                                  f"{day_fr(decided['created_at'])}.", story_id)  # fmt: skip
    if decided:
        by = f"par {decided['decider']} le {day_fr(decided['decided_at'])}"
        return Outcome("already", f"Le choix de {title} a déjà été refusé {by} : elle attend un nouvel "
                                  "article.", story_id)  # fmt: skip
    summary, category = xml_safe(summary).strip(), category.strip()
    if action == "choisir" and not summary:
        return Outcome("impossible", f"Écrivez un court résumé pour choisir {title}.", story_id)
    if category and category not in categories:
        return Outcome("impossible", f"Catégorie inconnue : « {category} ».", story_id)
    status = {"choisir": "propose", "signaler": "signale", "ecarter": "ecarte"}[action]
    inserted = _changed(
        conn,
        "INSERT INTO picks (story_id, member_id, action, summary, category, status, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [story_id, actor.id, action, summary or None, category or None, status, actor.id, now],
    )
    if not inserted:
        return Outcome("already", f"{title} vient d'être traitée par quelqu'un d'autre.", story_id)
    message = {
        "choisir": f"Choix enregistré : {title} attend l'avis du secrétariat.",
        "signaler": f"Alerte transmise au secrétariat : {title}.",
        "ecarter": f"Histoire écartée : {title}.",
    }[action]
    return Outcome("done", message, story_id)


def _undo_dismissal(
    conn: sqlite3.Connection, actor: Actor, story_id: str, title: str, now: str, turn: str | None
) -> Outcome:
    dismissal = _one(
        conn, f"{PICK} WHERE p.story_id = ? AND p.action = 'ecarter' ORDER BY p.id DESC", [story_id]
    )
    if dismissal is None:
        return Outcome("impossible", f"{title} n'a pas été écartée.", story_id)
    if dismissal["status"] == "annule":
        return Outcome("already", f"La décision d'écarter {title} est déjà annulée.", story_id)
    if not actor.secretariat and dismissal["by_secretariat"]:
        return Outcome("forbidden", f"{title} a été écartée par le secrétariat : seul le secrétariat peut "
                                    "annuler cette décision.", story_id)  # fmt: skip
    if not actor.secretariat and (turn is None or dismissal["turn"] != turn):
        return Outcome("impossible", f"{title} a été écartée lors d'un tour précédent : seul le secrétariat "
                                     "peut encore annuler cette décision.", story_id)  # fmt: skip
    live = _one(conn, f"{PICK} WHERE p.story_id = ? AND p.status IN ({LIVE}) ORDER BY p.id DESC", [story_id])
    if live:  # undoing would not bring it back: say why, change nothing
        done = f"{PAST[live['action']]} par {live['who']} le {day_fr(live['created_at'])}"
        return Outcome("impossible", f"{title} ne revient pas dans « À trier » : elle a été {done}.",
                       story_id)  # fmt: skip
    if not _changed(conn, UNDO, [actor.id, now, dismissal["id"], "ecarte"]):
        return Outcome("already", f"La décision d'écarter {title} est déjà annulée.", story_id)
    return Outcome("done", f"Décision annulée : {title} revient dans « À trier ».", story_id)


def review_pick(
    conn: sqlite3.Connection,
    actor: Actor,
    pick_id: int,
    action: str,
    now: str,
    summary: str | None = None,
    reason: str = "",
) -> Outcome:
    """The secretariat accepts (and publishes), publishes, or refuses (with a reason) a pick or an alert.
    `summary` is what the form showed (published as is, even emptied); None keeps the pick's own."""
    if not actor.secretariat:
        return Outcome("forbidden", "Seul le secrétariat accepte, refuse et publie les choix.")
    pick = _one(conn, f"{PICK} WHERE p.id = ?", [pick_id])
    if pick is None or pick["status"] in ("ecarte", "annule"):
        return Outcome("impossible", "Ce choix n'existe pas (ou plus).")
    title, status = f"« {pick['title']} »", pick["status"]
    by = f"par {pick['decider']} le {day_fr(pick['decided_at'])}"
    if status == "publie":
        if action == "refuser":
            return Outcome("impossible", f"{title} est déjà publiée : elle ne peut plus être refusée.")
        return Outcome("already", f"{title} est déjà publiée (depuis le {day_fr(pick['published_at'])}).")
    if status == "refuse":
        if action == "refuser":
            return Outcome("already", f"Le choix de {title} est déjà refusé ({by}).")
        return Outcome("impossible", f"Le choix de {title} a été refusé {by} : il ne peut plus être accepté "
                                     "ni publié.")  # fmt: skip
    if action == "refuser":
        if not reason.strip():
            return Outcome("impossible", "Indiquez le motif du refus : l'association le verra.")
        changed = _changed(conn, REFUSE, [reason.strip(), actor.id, now, pick_id, status])
        return _answer(changed, f"Refusé : {title}. L'association verra le motif.")
    summary = (pick["summary"] or "") if summary is None else xml_safe(summary).strip()
    if action == "accepter":
        if status == "accepte":
            return Outcome("already", f"Le choix de {title} est déjà accepté ({by}).")
        changed = _accept(conn, actor, pick_id, status, summary, now)
        return _answer(changed, f"Accepté : {title} attend sa publication.")
    if action == "publier" and status != "accepte":
        return Outcome("impossible", f"Acceptez d'abord {title} (ou « Accepter et publier »).")
    if not summary:
        return Outcome("impossible", f"Écrivez un résumé pour publier {title} : rien n'a été publié.")
    with conn:  # accept and publish together, or neither
        accepted = status == "accepte" or _accept(conn, actor, pick_id, status, summary, now, commit=False)
        published = accepted and conn.execute(PUBLISH, [summary, now, pick_id, "accepte"]).rowcount == 1
    return _answer(published, f"Publié : {title} apparaît dans le flux des actualités du site.")


def _accept(
    conn: sqlite3.Connection,
    actor: Actor,
    pick_id: int,
    status: str,
    summary: str,
    now: str,
    commit: bool = True,
) -> bool:
    params = [summary or None, actor.id, now, pick_id, status]
    return _changed(conn, ACCEPT, params) if commit else conn.execute(ACCEPT, params).rowcount == 1


def _answer(changed: bool, message: str) -> Outcome:
    if changed:
        return Outcome("done", message)
    return Outcome("already", "Ce choix vient d'être examiné par quelqu'un d'autre : rechargez la page.")
