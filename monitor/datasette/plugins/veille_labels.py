"""French words and dates on Datasette's own pages: every cell of a table or canned query, and every
facet value, reads through `monitor.labels.cell_text` (codes such as `propose`, `linked_nofollow`,
`travail_force`, ISO UTC timestamps become « Choix proposé », « Lien visible mais nofollow »,
« Travail forcé », « 26/11/2026 04:10 »). Tables, canned queries and columns read under their French
names (metadata.yml `title` and `columns`), a row's page under what the row is about
(monitor/desk/headings.py), SQLite's errors in French; `veille_technique` tells the templates
whether the visitor is the secretariat, who alone sees the technical parts (SQL, CREATE TABLE,
raw column names, column types)."""

from __future__ import annotations

import re
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from datasette.views.table import _sql_params_pks
from markupsafe import Markup, escape

from monitor.desk.actions import SECRETARIAT
from monitor.desk.headings import row_heading, sql_error_fr
from monitor.desk.journal import journal_html
from monitor.labels import cell_text, label

# Tables whose key is a hash of the content (070fe9c1…): their rows link as « voir ».
HASHED_KEYS = {"stories", "articles", "backlinks"}
ISO_LINK_TEXT = re.compile(r">(\d{4}-\d{2}-\d{2}(?:T[^<]*)?)<")


# Columns holding an account id: shown as the person's name (an account that is no association is
# the secretariat's).
PERSON_COLUMNS = {"member_id", "created_by", "decided_by", "on_duty"}
# Foreign keys to the secretariat's tables (members, runs, nights): their cells are plain text, not
# Datasette's link to a row an association may not open.
SECRETARIAT_KEYS = {"member_id", "run_id", "night_id"}
# The other foreign keys: a link to the row under its label only (Datasette adds the raw key, grey).
KEY_TABLES = {
    "source_id": "sources",
    "story_id": "stories",
    "backlink_id": "backlinks",
    "article_id": "articles",
}


@hookimpl
def render_cell(value: Any, column: str, table: str | None, datasette: Any) -> Any:
    if isinstance(value, dict):  # a key Datasette expanded to its label
        shown = str(value.get("label") or value.get("value") or "")
        if column in KEY_TABLES:
            return row_link(datasette, KEY_TABLES[column], value.get("value"), shown)
        if column in SECRETARIAT_KEYS:
            return shown
    if column == "histoire" and table is None and isinstance(value, str):  # « Rechercher »: no raw id
        return row_link(datasette, "stories", value, "voir")
    if column in KEY_TABLES and isinstance(value, str) and value and table != KEY_TABLES[column]:
        return lambda: labelled_link(datasette, KEY_TABLES[column], value)  # a row page: not expanded
    if column in PERSON_COLUMNS and isinstance(value, str) and value:
        return lambda: member_name(datasette, value, SECRETARIAT)
    if (table, column) == ("site_findings", "subject") and isinstance(value, str) and value:
        return lambda: member_name(datasette, value, value)  # a member's finding: its name, not its id
    if column == "Étapes" and table is None:  # the nights' journal: its stages in words
        return journal_html(value)
    return cell_text(table, column, value)


async def member_name(datasette: Any, account: str, otherwise: str) -> str:
    """The association's name for an account or member id; `otherwise` when it is none."""
    rows = (await datasette.get_database().execute("SELECT name FROM members WHERE id = ?", [account])).rows
    return rows[0][0] if rows else otherwise


def row_link(datasette: Any, table: str, key: Any, shown: str) -> Markup:
    url = datasette.urls.row(datasette.get_database().name, table, tilde_encode(str(key)))
    return Markup('<a href="{}">{}</a>').format(url, shown)


async def labelled_link(datasette: Any, table: str, key: str) -> Markup:
    """A link to a row under its label (the table's `label_column`), for a key Datasette left raw."""
    database = datasette.get_database()
    column = datasette.table_metadata(database.name, table).get("label_column") or "id"
    found = (await database.execute(f"SELECT [{column}] FROM [{table}] WHERE id = ?", [key])).rows
    return row_link(datasette, table, key, str(found[0][0] if found and found[0][0] else key))


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    env.filters["libelle"] = facet_label
    env.filters["operateur"] = lambda name: label("filter_operator", name)
    env.filters["cle"] = key_link
    env.filters["titre"] = lambda name: page_title(datasette, str(name))
    env.filters["colonne"] = lambda column, table: column_label(datasette, table, str(column))
    env.filters["erreur_sql"] = sql_error_fr


def facet_label(value: Any, table: str | None, column: str, names: Any = None) -> Any:
    """A facet's value in words: a person's name (`names`: member id → name), else its French label."""
    if column in PERSON_COLUMNS and isinstance(names, dict) and value:
        return names.get(value, SECRETARIAT)
    return cell_text(table, column, value) or value


def database_metadata(datasette: Any) -> dict[str, Any]:
    return datasette.metadata(database=datasette.get_database().name) or {}


def page_title(datasette: Any, name: str) -> str:
    """A table's, canned query's or the database's French title (metadata.yml), else its name."""
    database = database_metadata(datasette)
    if name == datasette.get_database().name:
        return str(datasette.metadata("title", database=name, fallback=False) or name)
    for kind in ("tables", "queries"):
        title = (database.get(kind) or {}).get(name, {}).get("title")
        if title:
            return str(title)
    return name


def column_label(datasette: Any, table: str | None, column: str) -> str:
    if column == "Link":  # Datasette's column of links to rows with a key of several columns
        return "Fiche"
    tables = database_metadata(datasette).get("tables") or {}
    return str((tables.get(table or "", {}).get("columns") or {}).get(column) or column)


@hookimpl
def extra_template_vars(view_name: str, table: str | None, request: Any, datasette: Any) -> Any:
    async def variables() -> dict[str, Any]:
        found = {"veille_technique": bool(request and (request.actor or {}).get("role") == "secretariat")}
        if view_name == "table":  # the facets name people
            rows = (await datasette.get_database().execute("SELECT id, name FROM members")).rows
            found["veille_noms"] = dict(rows)
        if view_name == "row" and table and request is not None:
            found["veille_ligne"] = await heading(datasette, request, table)
            database = datasette.get_database()
            found["veille_lisibles"] = [
                name
                for name in await database.table_names()
                if await datasette.permission_allowed(request.actor, "view-table", (database.name, name))
            ]
        return found

    return variables


async def heading(datasette: Any, request: Any, table: str) -> str:
    """The title of the row page being shown (the row is read again: Datasette's context has it
    only as display cells)."""
    database = datasette.get_database()
    sql, params, _ = await _sql_params_pks(database, table, urlsafe_components(request.url_vars["pks"]))
    rows = (await database.execute(sql, params)).rows
    if not rows:
        return page_title(datasette, table)
    row = dict(rows[0])
    if table == "picks":
        found = await database.execute("SELECT title FROM stories WHERE id = ?", [row.get("story_id")])
        row["story_title"] = found.rows[0][0] if found.rows else None
    names = dict((await database.execute("SELECT id, name FROM members")).rows)
    label_column = datasette.table_metadata(database.name, table).get("label_column")
    if label_column and row.get(label_column):
        return str(row[label_column])
    return row_heading(table, page_title(datasette, table), row, names)


def key_link(link: Any, table: str | None = None) -> Markup:
    """Datasette's link to a row, its text read in French when the key is a date, and « voir » when
    the key is made of several columns (« 1,amicale-du-nid » is no one's word) or is a hash."""
    text = str(link)
    if table in HASHED_KEYS or re.search(r">[^<]*,[^<]*</a>$", text):
        return Markup(re.sub(r">[^<]*</a>$", ">voir</a>", text))
    return Markup(
        ISO_LINK_TEXT.sub(lambda m: ">" + str(escape(cell_text(None, "date", m[1]) or m[1])) + "<", text)
    )
