"""Write the desk's French copies of Datasette 0.65's page frame, table, row, database and facet templates.

Datasette 0.65's templates have no translation mechanism, so these six are copied and their visible
strings replaced, pair by pair, from the table below (each pair must be found, so a Datasette
upgrade that changes a string fails here instead of leaving English behind). Run it after upgrading
Datasette: `uv run python monitor/datasette/translate/translate_templates.py`; the copies land in
`monitor/datasette/templates/` and are committed.
"""

from __future__ import annotations

from pathlib import Path

import datasette

SOURCE = Path(datasette.__file__).parent / "templates"
TARGET = Path(__file__).parent.parent / "templates"
HEADER = "{#- French copy of Datasette %s's %s, written by monitor/datasette/translate/translate_templates.py. -#}\n"

TRANSLATIONS: dict[str, list[tuple[str, str]]] = {
    # Written as datasette_base_fr.html (see COPIES), which templates/base.html extends: the page's
    # language is outside every block of Datasette's frame.
    "base.html": [("<html>", '<html lang="fr">'), ('button-as-link">Log out</button>', 'button-as-link">Se déconnecter</button>')],
    "table.html": [
        ('{% block title %}{{ database }}: {{ table }}: {% if filtered_table_rows_count or filtered_table_rows_count == 0 %}{{ "{:,}".format(filtered_table_rows_count) }} row{% if filtered_table_rows_count == 1 %}{% else %}s{% endif %}{% endif %}{% if human_description_en %} {{ human_description_en }}{% endif %}{% endblock %}',
         '{% block title %}{{ metadata.title or table }}{% endblock %}'),
        # The column "descriptions" of metadata.yml are the columns' French names: headers, not a list.
        ("""{% if metadata.columns %}
<dl class="column-descriptions">
    {% for column_name, column_description in metadata.columns.items() %}
        <dt>{{ column_name }}</dt><dd>{{ column_description }}</dd>
    {% endfor %}
</dl>
{% endif %}""", ""),
        # Datasette describes the filters in English words; the filter form above shows them already.
        ("{% if human_description_en %}{{ human_description_en }}{% endif %}", ""),
        ("{% if is_view %} (view){% endif %}", "{% if is_view %} (vue){% endif %}"),
        # The filter form's fields have no label (axe-core: « label », « select-name »).
        ('<select name="_filter_column_{{ loop.index }}">', '<select name="_filter_column_{{ loop.index }}" aria-label="Colonne filtrée">'),
        ('<select name="_filter_op_{{ loop.index }}">', '<select name="_filter_op_{{ loop.index }}" aria-label="Condition">'),
        ('<input type="text" name="_filter_value_{{ loop.index }}" class="filter-value"', '<input type="text" name="_filter_value_{{ loop.index }}" aria-label="Valeur" class="filter-value"'),
        ('<select name="_filter_column">', '<select name="_filter_column" aria-label="Colonne à filtrer">'),
        ('<select name="_filter_op">', '<select name="_filter_op" aria-label="Condition">'),
        ('<input type="text" name="_filter_value" class="filter-value">', '<input type="text" name="_filter_value" aria-label="Valeur" class="filter-value">'),
        # Columns by their French names (metadata.yml `columns`, plugins/veille_labels.py), the value
        # sent is still the column's own name.
        ('<option{% if c == column %} selected{% endif %}>{{ c }}</option>',
         '<option value="{{ c }}"{% if c == column %} selected{% endif %}>{{ c | colonne(table) }}</option>'),
        ("<option>{{ column }}</option>", '<option value="{{ column }}">{{ column | colonne(table) }}</option>'),
        # The CREATE TABLE text is the secretariat's technical work, not an association's.
        ('content: "{{ column.name|escape_css_string }}"', 'content: "{{ column.name | colonne(table) | escape_css_string }}"'),
        ("{% if table_definition %}", "{% if table_definition and veille_technique %}"),
        ("{% if view_definition %}", "{% if view_definition and veille_technique %}"),
        # table.js's own English (column menu, « Remove this filter »): see _table_fr.html.
        ("""<script src="{{ urls.static('table.js') }}" defer></script>""",
         """<script src="{{ urls.static('table.js') }}" defer></script>\n{% include "_table_fr.html" %}"""),
        # Both filter forms: the operators' English names read through labels_fr.yml (plugins/veille_labels.py).
        ('{% if key == lookup %} selected{% endif %}>{{ display }}</option>',
         '{% if key == lookup %} selected{% endif %}>{{ display | operateur }}</option>'),
        ("<title id=\"actions-menu-links-title\">Table actions</title>", "<title id=\"actions-menu-links-title\">Actions</title>"),
        ('{{ "{:,}".format(filtered_table_rows_count) }} row{% if filtered_table_rows_count == 1 %}{% else %}s{% endif %}{% endif %}\n',
         '{{ "{:,}".format(filtered_table_rows_count).replace(",", " ") }} ligne{% if filtered_table_rows_count > 1 %}s{% endif %}{% endif %}\n'),
        ('<label for="_search">Search:</label>', '<label for="_search">Rechercher :</label>'),
        ("<option value=\"\">- remove filter -</option>", "<option value=\"\">- retirer le filtre -</option>"),
        ("<option value=\"\">- column -</option>", "<option value=\"\">- colonne -</option>"),
        ("<option value=\"\">Sort...</option>", "<option value=\"\">Trier…</option>"),
        (">Sort by {{ column.name }}</option>", ">Trier par {{ column.name | colonne(table) }}</option>"),
        ("> descending</label>", "> décroissant</label>"),
        ('<input type="submit" value="Apply">', '<input type="submit" value="Appliquer">'),
        ("extra where clause{% if extra_wheres_for_ui|length != 1 %}s{% endif %}", "condition{% if extra_wheres_for_ui|length != 1 %}s{% endif %} supplémentaire{% if extra_wheres_for_ui|length != 1 %}s{% endif %}"),
        ('">remove</a>]', '">retirer</a>]'),
        ('<span class="underlined">View and edit SQL</span>', '<span class="underlined">Voir et modifier le SQL</span>'),
        ("This data as ", "Ces données en "),
        ('(<a href="#export">advanced</a>)', '(<a href="#export">options</a>)'),
        ("These facets timed out:", "Ces facettes ont pris trop de temps :"),
        (">Next page</a>", ">Page suivante</a>"),
        ("<h3>Advanced export</h3>", "<h3>Exporter</h3>"),
        ("<p>JSON shape:", "<p>Forme du JSON :"),
        (">default</a>,", ">par défaut</a>,"),
        (">array</a>,", ">tableau</a>,"),
        (">newline-delimited</a>", ">une ligne par objet</a>"),
        (">object</a>", ">objet</a>"),
        ("CSV options:", "Options du CSV :"),
        ("> download file</label>", "> télécharger le fichier</label>"),
        ("> expand labels</label>", "> étiquettes développées</label>"),
        ("> stream all rows</label>", "> toutes les lignes</label>"),
        ('<input type="submit" value="Export CSV">', '<input type="submit" value="Exporter en CSV">'),
    ],
    "database.html": [
        ("<h3>Custom SQL query</h3>", "<h3>Requête SQL libre</h3>"),
        ("<title id=\"actions-menu-links-title\">Table actions</title>", "<title id=\"actions-menu-links-title\">Actions</title>"),
        ("hidden>Format SQL</button>", "hidden>Mettre en forme</button>"),
        ('<input type="submit" value="Run SQL">', '<input type="submit" value="Exécuter">'),
        ("The following databases are attached to this connection, and can be used for cross-database joins:",
         "Bases attachées à cette connexion, utilisables dans une même requête :"),
        ('<h2 id="queries">Queries</h2>', '<h2 id="queries">Pages</h2>'),
        ('<h2 id="tables">Tables</h2>', '<h2 id="tables">Tables</h2>'),
        ('<a href="{{ urls.table(database, table.name) }}">{{ table.name }}</a>',
         '<a href="{{ urls.table(database, table.name) }}">{{ (metadata.tables or {}).get(table.name, {}).title or table.name }}</a>'),
        ("<em> (hidden)</em>", "<em> (cachée)</em>"),
        # The raw column names are the secretariat's technical work; an association reads the
        # table's description.
        ("<p><em>{% for column in table.columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}</em></p>",
         "{% if veille_technique %}<p><em>{% for column in table.columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}</em></p>"
         "{% else %}<p>{{ (metadata.tables or {}).get(table.name, {}).description or '' }}</p>{% endif %}"),
        ('{% if table.count is none %}Many rows{% else %}{{ "{:,}".format(table.count) }} row{% if table.count == 1 %}{% else %}s{% endif %}{% endif %}',
         '{% if table.count is none %}Beaucoup de lignes{% else %}{{ "{:,}".format(table.count).replace(",", " ") }} ligne{% if table.count > 1 %}s{% endif %}{% endif %}'),
        ("<p>... and <a href=", "<p>… et <a href="),
        ('hidden table{% if hidden_count == 1 %}{% else %}s{% endif %}</a>',
         'table{% if hidden_count > 1 %}s{% endif %} cachée{% if hidden_count > 1 %}s{% endif %}</a>'),
        ('<h2 id="views">Views</h2>', '<h2 id="views">Vues</h2>'),
        ("Download SQLite DB:", "Télécharger la base SQLite :"),
    ],
    "row.html": [
        # The row's title: the table's French name and its key (a date in French), with no bar of the
        # database's colour beside it.
        # The row's title: what the row is about, in words (plugins/veille_labels.py `row_heading`),
        # with no bar of the database's colour beside it.
        ("""<h1 style="padding-left: 10px; border-left: 10px solid #{{ database_color(database) }}">{{ table }}: {{ ', '.join(primary_key_values) }}{% if private %} 🔒{% endif %}</h1>""",
         """<h1>{{ veille_ligne }}{% if private %} 🔒{% endif %}</h1>"""),
        ("{% block title %}{{ database }}: {{ table }}{% endblock %}", "{% block title %}{{ veille_ligne }}{% endblock %}"),
        ("<p>This data as ", "<p>Ces données en "),
        # Only the tables the visitor may open (plugins/veille_labels.py `veille_lisibles`).
        ("{% if foreign_key_tables %}",
         "{% set foreign_key_tables = foreign_key_tables | selectattr('other_table', 'in', veille_lisibles) | list %}\n"
         "{% if foreign_key_tables %}"),
        ("<h2>Links from other tables</h2>", "<h2>Liens depuis d'autres tables</h2>"),
        ('{{ "{:,}".format(other.count) }} row{% if other.count == 1 %}{% else %}s{% endif %}</a>',
         '{{ "{:,}".format(other.count).replace(",", " ") }} ligne{% if other.count > 1 %}s{% endif %}</a>'),
        ("from {{ other.other_column }} in {{ other.other_table }}",
         "dans « {{ other.other_table | titre }} » ({{ other.other_column | colonne(other.other_table) }})"),
        ('content: "{{ column|escape_css_string }}"', 'content: "{{ column | colonne(table) | escape_css_string }}"'),
    ],
    "_table.html": [
        # A wide table scrolls: the keyboard must reach it (axe-core: « scrollable-region-focusable »).
        ('<div class="table-wrapper">', '<div class="table-wrapper" tabindex="0" role="region" aria-label="Tableau">'),
        # A key that is a date (the rota's turns) links under its French date.
        ('type-{{ cell.value_type }}">{{ cell.value }}</td>',
         'type-{{ cell.value_type }}">{{ cell.value | cle(table) if cell.value_type == "pk" else cell.value }}</td>'),
        ("{{ column.name }}\n", "{{ column.name | colonne(table) }}\n"),
        ('rel="nofollow">{{ column.name }}&nbsp;▼</a>', 'rel="nofollow">{{ column.name | colonne(table) }}&nbsp;▼</a>'),
        ('rel="nofollow">{{ column.name }}{% if column.name == sort_desc %}', 'rel="nofollow">{{ column.name | colonne(table) }}{% if column.name == sort_desc %}'),
        ('<p class="zero-results">0 records</p>', '<p class="zero-results">Aucune ligne</p>'),
    ],
    "_facet_results.html": [
        ('{{ (facet_value.label | string()) or "-" }}', '{{ facet_value.label | string() | libelle(table, facet_info.name, veille_noms) or "-" }}'),
        ('<li>{{ facet_value.label or "-" }} &middot;', '<li>{{ (facet_value.label | string() | libelle(table, facet_info.name, veille_noms)) or "-" }} &middot;'),
        ('{% if facet_info.type != "column" %} ({{ facet_info.type }}){% endif %}', ""),
        ("<strong>{{ facet_info.name }}", "<strong>{{ facet_info.name | colonne(table) }}"),
    ],
}  # fmt: skip


# Datasette marks private pages with an emoji, which a machine without an emoji font draws as an empty
# box (the guides' screenshots): a small drawn padlock with a French label instead, in every copy.
LOCK = (" 🔒{% endif %}", ' {% include "_lock.html" %}{% endif %}')


def translate(name: str, text: str) -> str:
    for english, french in TRANSLATIONS[name]:
        if english not in text:
            raise SystemExit(f"{name}: not found in Datasette's template: {english!r}")
        text = text.replace(english, french)
    return HEADER % (datasette.__version__, name) + text.replace(*LOCK)


# Copies written under another name than the original's.
COPIES = {"base.html": "datasette_base_fr.html"}


def main() -> None:
    for name in TRANSLATIONS:
        target = TARGET / COPIES.get(name, name)
        target.write_text(translate(name, (SOURCE / name).read_text(encoding="utf-8")), encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main()
