"""The nights' journal (« Journal des nuits ») in words: one French line per stage of a night
(what it did, or that it failed and what that means), the raw error kept for whoever administers
Veille behind « détails techniques ». Pure: the stages are the JSON of `nights.stages`."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup, escape

from monitor.labels import plural
from monitor.night.notices import STAGE_WORK

STAGE_TITLES = {
    "liens": "Liens vers le Collectif", "actualités": "Actualités", "roulement": "Roulement",
    "site": "Audit du site", "avis": "Messages", "rapports": "Rapports",
}  # fmt: skip
# The counts a stage records, as words (singular, plural); the others (run ids…) are not shown.
COUNTS = {
    "sites": ("site vérifié", "sites vérifiés"), "linked": ("avec un lien visible", "avec un lien visible"),
    "missing": ("sans lien", "sans lien"), "unreachable": ("injoignable", "injoignables"),
    "sources": ("source lue", "sources lues"), "new_articles": ("nouvel article", "nouveaux articles"),
    "relevant": ("pertinent", "pertinents"), "failed": ("source en échec", "sources en échec"),
    "turns": ("tour planifié", "tours planifiés"), "pages": ("page lue", "pages lues"),
    "findings": ("constat", "constats"), "messages": ("message", "messages"),
    "files": ("fichier écrit", "fichiers écrits"),
}  # fmt: skip


def stage_line(stage: dict[str, Any]) -> str:
    """« Actualités : 12 sources lues, 40 nouveaux articles, 3 pertinents. » or its failure."""
    title = STAGE_TITLES.get(stage.get("name") or "", stage.get("name") or "Étape")
    if stage.get("status") != "ok":
        work = STAGE_WORK.get(stage.get("name") or "", "cette étape")
        return f"{title} : échec, {work} n'a pas abouti ; elle sera refaite la nuit prochaine."
    counts = stage.get("counts") or {}
    words = [
        plural(value, *COUNTS[key])
        for key, value in counts.items()
        if key in COUNTS and isinstance(value, int)
    ]
    if isinstance(counts.get("audit"), str):
        words.append(f"audit {counts['audit']}")
    return f"{title} : fait" + (f" ({', '.join(words)})." if words else ".")


def journal_html(stages_json: str | None) -> Markup:
    """The night's stages as a list, each failure with its raw error in a closed « détails techniques »."""
    try:
        stages = json.loads(stages_json or "[]")
    except ValueError:
        stages = []
    items = []
    for stage in stages if isinstance(stages, list) else []:
        item = escape(stage_line(stage))
        if stage.get("error"):
            item += Markup("<details><summary>détails techniques</summary><pre>{}</pre></details>").format(
                stage["error"]
            )
        items.append(Markup("<li>{}</li>").format(item))
    return (
        Markup("<ul class='veille-etapes'>{}</ul>").format(Markup("").join(items)) if items else Markup("—")
    )
