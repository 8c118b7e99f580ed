"""CSV cells a spreadsheet reads as text: what comes from the web (a story's title, a member page's
link text) must not open as a formula in the secretariat's spreadsheet."""

from __future__ import annotations

from typing import Any


def spreadsheet_text(value: Any) -> str:
    """A CSV cell a spreadsheet will not read as a formula (`=`, `+`, `-`, `@` first)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
