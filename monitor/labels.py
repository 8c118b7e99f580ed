"""French words for every code a user sees (statuses, verdicts, themes, kinds…) and French dates in
Paris time: one place for the reports, the desk and Datasette's own pages. The words themselves are
data, in `templates/labels_fr.yml`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.yaml_input import load_yaml

LABELS_FILE = Path(__file__).parent / "templates" / "labels_fr.yml"
PARIS = ZoneInfo("Europe/Paris")
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


@cache
def labels() -> dict[str, dict[str, str]]:
    return load_yaml(LABELS_FILE.read_text(encoding="utf-8"))


def label(family: str, code: str | None) -> str:
    """The French word for a code (`label("pick_status", "propose")` → « Choix proposé »); the code
    itself, unchanged, when the labels file does not know it."""
    if code is None:
        return ""
    return labels().get(family, {}).get(code, code)


def plural(count: int, singular: str, many: str | None = None) -> str:
    """The count and its noun in French: « 0 histoire », « 1 histoire », « 3 histoires » (French puts
    0 and 1 in the singular); `many` for irregular plurals (« nouveau » → « nouveaux »)."""
    return f"{count} {singular if abs(count) < 2 else many or singular + 's'}"


def _paris(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


def date_fr(iso: str | None) -> str:
    """`2026-11-26T03:10:00+00:00` → `26/11/2026 04:10`, Paris time; empty for None."""
    return _paris(iso).strftime("%d/%m/%Y %H:%M") if iso else ""


def day_fr(iso: str | None) -> str:
    """`2026-11-24T08:00:00+00:00` → « 24 nov. 2026 », Paris time; a bare date stays that day."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso) if len(iso) > 10 else datetime.fromisoformat(iso + "T12:00:00+00:00")
    local = _paris(moment.isoformat())
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


# Which labels family the values of a column belong to, on Datasette's table pages and facets:
# by (table, column) where one column name means different things, else by column alone.
TABLE_COLUMN_FAMILIES = {
    ("picks", "status"): "pick_status",
    ("picks", "action"): "action",
    ("link_checks", "status"): "status",
    ("link_checks", "mode"): "mode",
    ("runs", "status"): "run_status",
    ("nights", "status"): "run_status",
    ("sources", "kind"): "source_kind",
}
COLUMN_FAMILIES = {
    "kind": "kind", "lang": "lang", "topics": "topic", "location": "location",
    "hidden_reason": "hidden_reason", "event": "event", "origin": "origin", "text_status": "text_status",
    "Lien": "status", "Statut": "pick_status", "Action": "action", "Suite": "pick_status", "Type": "kind",
    "Nuit": "run_status",
    # the canned queries' own column names (metadata.yml)
    "lien": "status", "statut": "pick_status", "suite": "pick_status", "type": "kind", "action": "action",
}  # fmt: skip
DATE_COLUMNS = {
    "published", "first_seen", "last_seen", "fetched_at", "created_at", "decided_at", "published_at",
    "checked_at", "at", "started_at", "finished_at", "last_fetch_at", "next_attempt_at", "lost_at",
    "start", "end", "Vérifié le", "Le", "Décidé le", "Date", "Perdu le", "Tour du", "Début", "Fin",
    "verifie_le", "le", "decide_le", "tour_du", "date", "turn", "week", "applied_at", "trained_at",
    "atom_updated",
}  # fmt: skip
YES_NO_COLUMNS = {"relevant", "visible", "active", "present", "Pertinente", "weak"}


def cell_text(table: str | None, column: str, value: object) -> str | None:
    """How a stored value reads in French on Datasette's pages, or None to show it as it is."""
    if value is None or value == "":
        return None
    if column in YES_NO_COLUMNS and value in (0, 1, "0", "1"):
        return "oui" if str(value) == "1" else "non"
    if column in DATE_COLUMNS and isinstance(value, str) and value[:4].isdigit():
        try:
            return date_fr(value) if "T" in value else day_fr(value)
        except ValueError:
            return None
    if column == "matched" and isinstance(value, str) and value.startswith("["):
        return " · ".join(map(str, json_list(value))) or "—"
    family = TABLE_COLUMN_FAMILIES.get((table or "", column)) or COLUMN_FAMILIES.get(column)
    if family is None or not isinstance(value, str):
        return None
    if value.startswith("["):
        return ", ".join(label(family, str(code)) for code in json_list(value))
    return label(family, value)


def json_list(text: str | None) -> list[object]:
    """The items of a JSON array stored as text (topics, matched phrases); [] for anything else."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []
