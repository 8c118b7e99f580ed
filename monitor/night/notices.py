"""Who is told what after a night, in French: the association whose turn begins, the association on
duty (a digest of new stories), the secretariat (picks and alerts waiting, links lost, hidden or
turned nofollow, sources failing, a failed night). Recipients come from the configuration only.

`gather` reads the facts from the store (I/O); `compose` decides, from the facts and the day alone,
which messages go out: at most one per recipient (its parts grouped), each part once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.config import Config
from monitor.desk.queues import QUEUE, WAITING_COUNT, WEAK_QUEUE, story_card
from monitor.labels import PARIS, day_fr, label, plural
from monitor.site.catalogue import FIX, IMPROVE

if TYPE_CHECKING:
    from monitor.site.report import SiteReport


@dataclass(frozen=True)
class Part:
    """One subject of a message: a title, lines of text, and links (text, address)."""

    kind: str  # handover, digest, secretariat
    key: str  # what makes it once-only ("" when the `since` dates do)
    title: str
    lines: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    marks: tuple[str, ...] = ()  # more once-only keys: the stories a digest announced or reminded


@dataclass(frozen=True)
class Message:
    recipient: str
    subject: str
    parts: tuple[Part, ...]

    @property
    def kinds(self) -> list[str]:
        return sorted({part.kind for part in self.parts})

    @property
    def keys(self) -> list[str]:
        return [key for part in self.parts for key in (part.key, *part.marks) if key]


@dataclass
class Facts:
    """What the store says, tonight, for the notices."""

    turns: list[dict[str, Any]]
    sent_keys: set[str]
    last_digest: dict[str, str | None]  # member → when its last digest went out
    last_secretariat: str | None
    waiting_stories: list[dict[str, Any]]
    picks_since: list[dict[str, Any]]  # choices since the last message, and every alert not decided
    link_events_since: list[dict[str, Any]]
    failing_sources: list[dict[str, Any]]
    failed_nights: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)
    # « Signaux faibles » waiting (first seen), and the site audit finished since the last message.
    weak_stories: list[dict[str, Any]] = field(default_factory=list)
    waiting_count: int = 0  # every story in « À trier », beyond the ones read into waiting_stories
    site_audit: SiteReport | None = None


def gather(store: Any, config: Config, now: datetime) -> Facts:
    secretariat = config.mail["secretariat"]
    last_secretariat = store.last_sent(secretariat, "secretariat") if secretariat else None
    since = last_secretariat or (now - timedelta(days=1)).isoformat()
    emails = {m.id: m.contact_email for m in config.members if m.contact_email}
    waiting, weak = (_rows(store, sql) for sql in (QUEUE, WEAK_QUEUE))
    return Facts(
        turns=list(store.db.query('SELECT start, "end", member_id FROM duty ORDER BY start')),
        sent_keys=store.sent_keys(),
        last_digest={member: store.last_sent(email, "digest") for member, email in emails.items()},
        last_secretariat=last_secretariat,
        waiting_stories=waiting,
        picks_since=list(store.db.query(
            "SELECT p.id, p.action, p.status, p.created_at, coalesce(m.name, p.member_id) AS who, s.title"
            " FROM picks p JOIN stories s ON s.id = p.story_id LEFT JOIN members m ON m.id = p.member_id"
            " WHERE (p.status = 'propose' AND p.created_at > ?) OR p.status = 'signale' ORDER BY p.id",
            [since])),
        link_events_since=confirmed_link_trouble(store, since),
        failing_sources=list(store.db.query(
            "SELECT id, name, url, last_error, error_count FROM sources WHERE active = 1 AND error_count = ?"
            " AND last_fetch_at > ? ORDER BY id", [config.night["failing_source_nights"], since])),
        failed_nights=[n for n in store.nights_since(since) if n["status"] in ("failed", "interrupted")],
        weak_stories=weak,
        waiting_count=store.db.execute(WAITING_COUNT).fetchone()[0],
        site_audit=site_audit_since(store, since),
    )  # fmt: skip


def _rows(store: Any, sql: str) -> list[dict[str, Any]]:
    rows = store.db.execute(sql, {"limit": 200})
    columns = [c[0] for c in rows.description]
    return [dict(zip(columns, row, strict=True)) for row in rows.fetchall()]


def site_audit_since(store: Any, since: str) -> SiteReport | None:
    """The report of the newest audit of the Collectif's site, if it ended after `since`."""
    from monitor.site.report import site_report

    runs = store.last_runs("site", 1)
    if not runs or (runs[0]["finished_at"] or "") <= since:
        return None
    return site_report(store)


def site_audit_line(audit: SiteReport) -> str:
    """The audit in one sentence; what an audit cut short cannot tell is not told, nor zero counts."""
    fix, improve = audit.counts[FIX], audit.counts[IMPROVE]
    known_new = audit.previous and audit.previous_complete and audit.new_to_fix
    new = f" (dont {plural(audit.new_to_fix, 'nouveau', 'nouveaux')})" if known_new else ""
    counts = [f"{plural(fix, 'point')} à corriger{new}"] if fix else []
    counts += [f"{plural(improve, 'point')} à améliorer"] if improve else []
    line = f"Audit du site du Collectif : {', '.join(counts) or 'rien à corriger ni à améliorer'}"
    if not audit.complete:
        return f"{line} ; exploration incomplète (durée ou nombre de pages atteint)."
    if audit.previous and audit.fixed:
        fixed = plural(len(audit.fixed), "point corrigé", "points corrigés")
        return f"{line} ; {fixed} depuis l'audit précédent."
    return f"{line}."


LOST = """
SELECT e.event, e.detail, e.at, coalesce(m.name, e.member_id) AS who FROM link_events e
LEFT JOIN members m ON m.id = e.member_id WHERE e.event = 'lost' AND e.at > ? ORDER BY e.id
"""
# A link turned hidden (or nofollow) that the member's next readable check still saw so.
CONFIRMED = """
SELECT e.event, e.detail, c.checked_at AS at, coalesce(m.name, e.member_id) AS who FROM link_events e
JOIN backlinks b ON b.id = e.backlink_id AND b.present = 1 AND {still}
JOIN link_checks c ON c.member_id = e.member_id AND c.run_id = (
  SELECT min(c2.run_id) FROM link_checks c2 WHERE c2.member_id = e.member_id AND c2.run_id > e.run_id
     AND c2.status IN ('linked', 'linked_nofollow', 'hidden', 'missing'))
LEFT JOIN members m ON m.id = e.member_id WHERE e.event = ? AND c.checked_at > ?
"""
STILL = {"became_hidden": "b.visible = 0", "became_nofollow": "(' ' || b.rel || ' ') GLOB '* nofollow *'"}


def confirmed_link_trouble(store: Any, since: str) -> list[dict[str, Any]]:
    """Links lost (already two readable nights), and links turned hidden or nofollow once the next
    readable night saw them so again: a flapping site does not send a message every night."""
    events = list(store.db.query(LOST, [since]))
    for event, still in STILL.items():
        events += store.db.query(CONFIRMED.format(still=still), [event, since])
    return events


def compose(
    facts: Facts, config: Config, today: date, tonight_failures: list[dict[str, Any]]
) -> list[Message]:
    """Tonight's messages, one per recipient, from the facts and the day."""
    members = {m.id: m for m in config.members}
    desk = config.night["desk_url"].rstrip("/")
    parts: dict[str, list[Part]] = defaultdict(list)
    unreachable: list[tuple[str, str, str]] = []  # (name, start, key) of handovers no address can carry
    for turn in facts.turns:
        part = _handover(turn, members, today, desk, facts.sent_keys)
        member = members.get(turn["member_id"])
        if part and member and member.contact_email:
            parts[member.contact_email].append(part)
        elif part and turn["member_id"] != "secretariat":
            unreachable.append((member.name if member else turn["member_id"], turn["start"], part.key))
    duty = next((t for t in facts.turns if t["start"] <= today.isoformat() <= t["end"]), None)
    member = members.get(duty["member_id"]) if duty else None
    if member and member.contact_email:
        digest = _digest(facts, config, member.id, today, desk)
        if digest:
            parts[member.contact_email].append(digest)
    secretariat = config.mail["secretariat"]
    if secretariat:
        part = _secretariat(facts, tonight_failures, desk, unreachable)
        if part:
            parts[secretariat].append(part)
    return [_message(recipient, found) for recipient, found in parts.items()]


def _message(recipient: str, parts: list[Part]) -> Message:
    subject = parts[0].title if len(parts) == 1 else f"Veille du Collectif : {len(parts)} nouvelles"
    return Message(recipient, subject, tuple(parts))


def _handover(
    turn: dict[str, Any], members: dict[str, Any], today: date, desk: str, sent: set[str]
) -> Part | None:
    """The association whose turn begins tomorrow (or today, if not told yet)."""
    start = date.fromisoformat(turn["start"])
    key = f"handover:{turn['start']}:{turn['member_id']}"
    if key in sent or not today <= start <= today + timedelta(days=1):
        return None
    member = members.get(turn["member_id"])
    name = member.name if member else turn["member_id"]
    when = "demain" if start > today else "aujourd'hui"
    return Part(
        "handover", key, f"Votre tour de veille commence {when}",
        (f"Bonjour {name},",
         f"Votre tour de veille d'actualité pour le Collectif commence {when}, le {day_fr(turn['start'])},"
         f" et se termine le {day_fr(turn['end'])}.",
         "Chaque jour, ouvrez « À trier » dans le bureau de tri : pour chaque histoire, « Choisir » avec"
         " un court résumé pour le site, « Signaler » au secrétariat, ou « Écarter ». Le secrétariat relit"
         " et publie.",
         f"Votre identifiant de connexion : {turn['member_id']} (mot de passe : demandez-le au secrétariat"
         " si vous ne l'avez plus)."),
        ((("Ouvrir « À trier »", f"{desk}/tri"),) if desk else ()),
    )  # fmt: skip


def _digest(facts: Facts, config: Config, member_id: str, today: date, desk: str) -> Part | None:
    """What waits in « À trier », every `digest_every_days` days: the stories never announced to this
    member first, then those announced once and still waiting (one reminder each), and the new weak
    signals."""
    last = facts.last_digest.get(member_id)
    if last and datetime.fromisoformat(last).astimezone(PARIS).date() > today - timedelta(
        days=config.night["digest_every_days"]
    ):
        return None
    announced, reminded = (f"{what}:{member_id}:" for what in ("annonce", "rappel"))
    new = [s for s in facts.waiting_stories if announced + s["id"] not in facts.sent_keys]
    again = [s for s in facts.waiting_stories if announced + s["id"] in facts.sent_keys
             and reminded + s["id"] not in facts.sent_keys]  # fmt: skip
    weak = [s for s in facts.weak_stories if not last or (s.get("first_seen") or "") > last]
    size = config.night["digest_size"]
    new, again = new[:size], again[: max(size - len(new), 0)]
    if not new and not again and not weak:
        return None
    waiting = max(facts.waiting_count, len(facts.waiting_stories))
    lines: list[str] = []
    if waiting:
        fresh = sum(1 for s in facts.waiting_stories if announced + s["id"] not in facts.sent_keys)
        among = f", dont {plural(fresh, 'nouvelle')}" if 0 < fresh < waiting else ""
        lines.append(f"À trier : {plural(waiting, 'histoire')}{among}.")
    if new:
        lines += ["Nouvelles depuis le dernier résumé, à choisir, signaler ou écarter au bureau de tri :"]
        lines += _cards(new)
    if again:
        lines += ["Toujours en attente depuis le résumé précédent :", *_cards(again)]
    if weak:
        signals = plural(len(weak), "signal faible", "signaux faibles")
        lines.append(f"Sous le seuil de pertinence : {signals} à lire vite dans « À trier ».")
    chosen = [*new, *again]
    links = tuple((s["title"], f"{desk}/tri?histoire={s['id']}") for s in chosen)
    links = (*links, ("Ouvrir « À trier »", f"{desk}/tri")) if desk else ()
    title = f"{plural(waiting, 'histoire')} à trier" if waiting else "Signaux faibles à regarder"
    marks = tuple(announced + s["id"] for s in new) + tuple(reminded + s["id"] for s in again)
    return Part("digest", "", title, tuple(lines), links, marks)


def _cards(stories: list[dict[str, Any]]) -> list[str]:
    cards = [story_card(story) for story in stories]
    return [f"{c['title']} ({c['day']} · {', '.join(c['sources']) or 'source inconnue'})" for c in cards]


# What each stage of the night does, for the secretariat's message when it fails.
STAGE_WORK = {
    "liens": "la vérification des liens sur les sites des associations",
    "actualités": "la lecture des sources d'actualité",
    "roulement": "la mise à jour du roulement",
    "site": "l'audit du site du Collectif",
    "rapports": "l'écriture des rapports",
}
STAGE_ADVICE = (
    "Rien n'est perdu : l'étape sera refaite la nuit prochaine. Si elle échoue encore, lancez « veille"
    " doctor » sur le serveur et transmettez le Journal des nuits (le détail technique y est) à la"
    " personne qui administre Veille."
)


def _secretariat(
    facts: Facts, tonight_failures: list[dict[str, Any]], desk: str, unreachable: list[tuple[str, str, str]]
) -> Part | None:
    lines: list[str] = []
    for pick in facts.picks_since:
        if pick["action"] != "signaler":
            lines.append(f"Choix de {pick['who']} : {pick['title']}")
        elif pick["created_at"] > (facts.last_secretariat or ""):
            lines.append(f"Alerte de {pick['who']} : {pick['title']}")
        else:
            lines.append(f"Alerte de {pick['who']}, en attente depuis le {day_fr(pick['created_at'])} :"
                         f" {pick['title']}")  # fmt: skip
    for event in facts.link_events_since:
        lines.append(
            f"{event['who']} : {label('event', event['event'])} ({event['detail'] or 'page inconnue'})"
        )
    for source in facts.failing_sources:
        lines.append(f"Source en échec depuis {source['error_count']} lectures : {source['name']}"
                     f" ({source['last_error']})")  # fmt: skip
    for night in facts.failed_nights:
        status = label("run_status", night["status"])
        lines.append(f"La nuit du {day_fr(night['started_at'])} s'est mal terminée ({status}).")
    for stage in tonight_failures:
        work = STAGE_WORK.get(stage["name"], "cette étape")
        lines.append(f"Cette nuit, l'étape « {stage['name']} » a échoué : {work} n'a pas abouti."
                     f" {STAGE_ADVICE}")  # fmt: skip
    for name, start, _key in unreachable:
        lines.append(f"{name} commence son tour de veille le {day_fr(start)} mais n'a pas d'adresse"
                     " (contact_email dans members.yml) : ni message de passation ni résumé ne lui"
                     " parviennent. Prévenez-la et complétez members.yml.")  # fmt: skip
    audit = facts.site_audit
    if audit:
        lines.append(site_audit_line(audit))
    if not lines:
        return None
    links = (("Revue des choix", f"{desk}/revue"), ("Journal des nuits", f"{desk}/veille/journal_des_nuits"))
    if audit:
        links += (("Audit du site", f"{desk}/audit"),)
    title = "Veille : ce qui attend le secrétariat"
    marks = tuple(key for _name, _start, key in unreachable)  # told once, like the handover itself
    return Part("secretariat", "", title, tuple(lines), links if desk else (), marks)
