"""The secretariat's backlink report, in French: who links, where, what changed, whom to ask.

`build_report` reads the store into plain rows; `render` turns them into HTML (one self-contained
printable page), Markdown or CSV. Wording lives in `templates/` (labels and message), not here.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from monitor.config import Config
from monitor.labels import date_fr, labels, plural
from monitor.links.verdict import STATUSES
from monitor.spreadsheet import spreadsheet_text
from monitor.store import Store

TEMPLATES = Path(__file__).parent.parent / "templates"
FORMATS = ("html", "md", "csv")  # as offered by `veille links report --format`
NEEDS_A_REQUEST = ("missing", "hidden", "linked_nofollow", "blocked", "no_site")
# Actions first (the associations to write to), then what cannot be judged, then the successes.
REPORT_ORDER = (*NEEDS_A_REQUEST, "unreachable", "linked")


def link_snippet(config: Config) -> str:
    return f'<a href="{config.collectif.site}">{config.collectif.name}</a>'


def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=autoescape, keep_trailing_newline=True
    )
    environment.filters["md"] = markdown_text
    environment.filters["lien"] = address_link
    return environment


def address_link(url: Any) -> Markup:
    """An http(s) address as a link a reader can click; anything else as inert text."""
    text = str(url or "")
    if text.startswith(("http://", "https://")):
        return Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(text)
    return Markup("{0}").format(text)


def markdown_text(text: Any) -> str:
    """Text (often from a member's page) that stays text in a Markdown table cell: one line, HTML
    escaped (a pasted report must not run `<script>`), and Markdown's own marks backslashed."""
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", escaped)


def _link_row(link: dict[str, Any]) -> dict[str, Any]:
    names = labels()
    followed = not set((link.get("rel") or "").split()) & {"nofollow", "sponsored", "ugc"}
    return {
        **link,
        "location_label": names["location"].get(link.get("location") or "other", link.get("location")),
        "hidden_label": None
        if link["visible"]
        else names["hidden_reason"].get(link.get("hidden_reason") or "", link.get("hidden_reason")),
        "follow_label": "suivi" if followed else f"non suivi ({link.get('rel')})",
    }


def build_report(store: Store, config: Config) -> dict[str, Any]:
    """Everything the report shows, as plain data."""
    names = labels()
    runs = store.last_runs("links", 1)
    run = runs[0] if runs else None
    rows, requests, counts = [], [], {s: 0 for s in REPORT_ORDER if s in STATUSES}
    for member in config.members:
        check = None
        if run:
            check = next(
                store.db.query(
                    "SELECT * FROM link_checks WHERE run_id = ? AND member_id = ?", [run["id"], member.id]
                ),
                None,
            )
        status = check["status"] if check else ("no_site" if not member.site else None)
        links = [
            _link_row(link)
            for link in store.db.query(
                "SELECT * FROM backlinks WHERE member_id = ? AND present = 1"
                " ORDER BY visible DESC, first_seen",
                [member.id],
            )
        ]
        row = {
            "id": member.id,
            "name": member.name,
            "site_url": member.site,
            "contact": member.contact_email,
            "status": status or "unchecked",
            "status_label": names["status"].get(status or "", "Pas encore vérifié"),
            "error": check["error"] if check and status != "no_site" else None,
            "checked_at_fr": date_fr(check["checked_at"]) if check else "",
            "links": links,
            "first_seen_fr": date_fr(min((link["first_seen"] for link in links), default=None)),
            "mentions": json.loads(check["mentions"]) if check and check.get("mentions") else [],
            "last_known": None,
            "hidden_label": next((link["hidden_label"] for link in links if link["hidden_label"]), None),
        }
        if status in ("unreachable", "blocked") and links:
            last_seen = max(link["last_seen"] for link in links)
            row["last_known"] = f"{plural(len(links), 'lien vu', 'liens vus')} le {date_fr(last_seen)}"
        if status in counts:
            counts[status] += 1
        rows.append(row)
    order = {s: i for i, s in enumerate(REPORT_ORDER)}
    rows.sort(key=lambda r: (order.get(r["status"], len(order)), r["name"]))

    context: dict[str, Any] = {
        "collectif": config.collectif,
        "labels": names,
        "generated_at_fr": date_fr(datetime.now(UTC).isoformat()),
        "run": dict(run, started_at_fr=date_fr(run["started_at"])) if run else None,
        "rows": rows,
        "snippet": link_snippet(config),
        "counts": counts,
        "counts_sentence": " · ".join(f"{names['status'][s]} : {n}" for s, n in counts.items() if n),
    }
    member_names = {m.id: m.name for m in config.members}
    context["changes"] = []
    # The first check has nothing to compare with: every link would be listed as new.
    context["first_check"] = run is not None and len(store.last_runs("links", 2)) < 2
    if run and not context["first_check"]:
        for event in store.db.query("SELECT * FROM link_events WHERE run_id = ? ORDER BY id", [run["id"]]):
            context["changes"].append(
                {
                    "name": member_names.get(event["member_id"], event["member_id"]),
                    "label": names["event"].get(event["event"], event["event"]),
                    "detail": names["hidden_reason"].get(event["detail"], event["detail"]),
                }
            )
    message = _environment(autoescape=False).get_template("request_message.txt.j2")
    for row in rows:
        if row["status"] in NEEDS_A_REQUEST:
            text = message.render(row=row, collectif=config.collectif, snippet=context["snippet"])
            requests.append({**row, "message": text.strip()})
    context["requests"] = requests
    return context


def render(context: dict[str, Any], fmt: str) -> str:
    """The report as `html`, `md` or `csv` text."""
    if fmt == "csv":
        return _render_csv(context)
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")
    environment = _environment(autoescape=fmt == "html")
    return environment.get_template(f"report.{fmt}.j2").render(**context)


def _render_csv(context: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "association",
            "statut",
            "page du lien",
            "emplacement",
            "texte du lien",
            "suivi",
            "vu depuis",
            "dernière vérification",
        ]
    )
    for row in context["rows"]:
        for link in row["links"] or [None]:
            writer.writerow(
                spreadsheet_text(cell)
                for cell in [
                    row["name"],
                    row["status_label"],
                    link["page_url"] if link else "",
                    link["location_label"] if link else "",
                    link["text"] if link else "",
                    link["follow_label"] if link else "",
                    row["first_seen_fr"],
                    row["checked_at_fr"],
                ]
            )
    return out.getvalue()
