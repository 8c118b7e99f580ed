"""How Datasette's pages name things to a person: a row by what it is about (« Choix (Amicale du
Nid) : Travail forcé… », « Tour de veille : Amicale du Nid, du … au … »), not by its table and key
(« picks: 1 »), and
an SQLite error in French. Pure functions: the plugin (plugins/veille_labels.py) reads the rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from monitor.labels import cell_text, day_fr, label

# The columns that name a row of a table, when its metadata gives no `label_column`.
NAMING_COLUMNS = ("title", "name", "subject", "url")


def row_heading(table: str, table_title: str, row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The title of a row's page. `row` is the stored row, with `story_title` added for a pick;
    `names` gives a member's name for their id."""

    def who(key: str) -> str:  # an account that is no association is the secretariat's
        return names.get(row.get(key) or "", "le secrétariat")

    if table == "picks":
        return f"{label('action', row.get('action'))} ({who('member_id')}) : {row.get('story_title') or '?'}"
    if table == "duty":
        return (
            f"Tour de veille : {who('member_id')}, du {day_fr(row.get('start'))} au {day_fr(row.get('end'))}"
        )
    if table == "backlinks":
        return f"Lien vers le Collectif : {who('member_id')}, sur {row.get('page_url')}"
    if table == "link_checks":
        checked = cell_text(table, "checked_at", row.get("checked_at"))
        return f"Vérification du lien : {who('member_id')}, {checked}"
    if table == "link_events":
        when = cell_text(table, "at", row.get("at"))
        return f"{label('event', row.get('event'))} : {who('member_id')}, {when}"
    if table == "site_findings":  # a member's finding is about the member: its name, not its id
        subject = names.get(row.get("subject") or "", row.get("subject") or "?")
        return f"{row.get('label') or table_title} : {subject}"
    if table == "_sqlite_migrations":
        return f"Migration n° {row.get('id')} du schéma, appliquée le {day_fr(row.get('applied_at'))}"
    for column in NAMING_COLUMNS:
        if row.get(column):
            return str(row[column])
    return f"{table_title} n° {', '.join(str(v) for v in row.values() if v is not None)[:60]}"


# SQLite's own messages on the secretariat's SQL page, in French; the rest keeps SQLite's words.
SQL_ERRORS = (
    (re.compile(r"^no such column: (.+)$"), "colonne inconnue : {0}"),
    (re.compile(r"^no such table: (.+)$"), "table inconnue : {0}"),
    (re.compile(r'^near "(.*)": syntax error$'), "erreur de syntaxe près de « {0} »"),
    (re.compile(r"^incomplete input$"), "la requête est incomplète"),
    (re.compile(r"^(?:interrupted|SQL query took too long.*)$", re.S), "la requête a pris trop de temps"),
    (re.compile(r"^Statement may not contain PRAGMA$"), "les requêtes PRAGMA ne sont pas permises"),
    (re.compile(r"^Statement must be a SELECT$"), "seules les requêtes SELECT sont permises"),
    (re.compile(r"^ambiguous column name: (.+)$"), "nom de colonne ambigu : {0}"),
)


def sql_error_fr(message: str | None) -> str:
    """« Erreur dans la requête SQL : colonne inconnue : nope » for SQLite's « no such column: nope »."""
    if not message:
        return ""
    text = re.sub(r"<[^>]+>", " ", str(message)).strip()
    for pattern, french in SQL_ERRORS:
        found = pattern.match(text)
        if found:
            text = french.format(*found.groups())
            break
    return f"Erreur dans la requête SQL : {text}"
