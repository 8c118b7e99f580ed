"""Fold the browser's judgement into the static one. Pure.

Links the static judgement found in comments, `<noscript>` or `<template>` are not elements a browser
shows: their static verdict stands. Every other link on a rendered page is matched to the browser's
links by target, in document order; the browser's verdict wins. Links only the browser saw were
injected by JavaScript; links only the static parse saw were removed by it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

STRUCTURAL_REASONS = frozenset({"comment", "noscript", "template"})


def apply_browser(links: list[dict[str, Any]], rendered: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The site's links after browser confirmation of the pages in `rendered` (ok ones only)."""
    pages = {r["page"]: r for r in rendered if r.get("ok")}
    result = [link for link in links if link["page"] not in pages]
    for page, render in pages.items():
        static = [link for link in links if link["page"] == page]
        result += [link for link in static if link.get("hidden_reason") in STRUCTURAL_REASONS]
        by_target: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for link in static:
            if link.get("hidden_reason") not in STRUCTURAL_REASONS:
                by_target[link["url"]].append(link)
        depth = render.get("depth")
        for seen in render.get("links", []):
            queue = by_target.get(seen["url"])
            if queue:
                base = queue.pop(0)
                result.append(
                    {
                        **base,
                        "visible": seen["visible"],
                        "hidden_reason": seen["hidden_reason"],
                        "hidden_by": None if seen["visible"] else base.get("hidden_by"),
                        "judged_by": "browser",
                    }
                )
            else:
                result.append(
                    {
                        **seen,
                        "site": render["site"],
                        "page": page,
                        "depth": depth,
                        "type": "link",
                        "judged_by": "browser",
                        "injected": True,
                    }
                )
        for leftovers in by_target.values():
            for link in leftovers:
                result.append(
                    {**link, "visible": False, "hidden_reason": "removed-by-script", "judged_by": "browser"}
                )
    return result
