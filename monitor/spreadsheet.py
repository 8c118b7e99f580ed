"""CSV cells a spreadsheet reads as text: what comes from the web (a story's title, a member page's
link text) must not open as a formula in the secretariat's spreadsheet. The reports write their cells
through `spreadsheet_text`; the desk's CSV exports, written by Datasette, are rewritten record by
record with `spreadsheet_csv` (plugins/veille_csv.py)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")
# A number stays a number (`-2.5`, `+33`): a spreadsheet reads it as one, never as a formula.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_text(value: Any) -> str:
    """A CSV cell a spreadsheet will not read as a formula (`=`, `+`, `-`, `@` first, unless it is
    a number)."""
    text = str(value)
    return f"'{text}" if text[:1] in FORMULA_SIGNS and not _NUMBER.fullmatch(text) else text


def spreadsheet_csv(text: str) -> str:
    """Complete CSV records (as Python's `csv` module writes them, as Datasette does) with every cell
    that a spreadsheet would read as a formula turned to text; the text itself when none would."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    safe = [[spreadsheet_text(cell) for cell in row] for row in rows]
    if safe == rows:
        return text
    out = io.StringIO(newline="")
    csv.writer(out).writerows(safe)
    return out.getvalue()


def complete_records(text: str) -> bool:
    """Whether CSV text ends between records: at a line end, outside any quoted cell."""
    return text.endswith("\n") and text.count('"') % 2 == 0
