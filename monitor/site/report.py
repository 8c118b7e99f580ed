"""The site audit's report for the secretariat, in French: the five things to fix first, then the
findings by theme with their pages, then what changed since the previous audit (new, fixed, still
open). `site_report` reads the store into plain data; `render` writes HTML, Markdown or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from monitor.labels import date_fr, plural
from monitor.links.report import _environment
from monitor.site.catalogue import FIX, KINDS, SEVERITIES, THEMES, Kind, severity_rank
from monitor.site.glossary import used
from monitor.site.model import Finding
from monitor.spreadsheet import spreadsheet_text
from monitor.store import Store

FIRST_THINGS = 5
# The findings whose subject is a member's id (checks.py `reciprocity_findings`).
MEMBER_CODES = {"member_not_linked", "member_link_dead"}


@dataclass
class Group:
    """The findings of one kind, as the report shows them."""

    kind: Kind
    findings: list[Finding]
    new: set[tuple[str, str]] = field(default_factory=set)

    @property
    def pages(self) -> int:
        return len({page for f in self.findings for page in f.pages} or {f.subject for f in self.findings})


@dataclass
class SiteReport:
    run: dict[str, Any] | None
    previous: dict[str, Any] | None
    groups: list[Group]
    fixed: list[Finding]
    new: list[Finding]
    still_open: int
    counts: dict[str, int]
    pages_read: int = 0
    # False when the crawl stopped before reading every page (time-out, page budget).
    complete: bool = True
    previous_complete: bool = True
    # Member id → name: a finding about a member is shown under the member's name, not its id.
    member_names: dict[str, str] = field(default_factory=dict)

    def subject(self, finding: Finding) -> str:
        """What a finding is about, as the report shows it (« Amicale du Nid », not « amicale-du-nid »)."""
        return (
            self.member_names.get(finding.subject, finding.subject)
            if finding.code in MEMBER_CODES
            else finding.subject
        )

    def detail(self, finding: Finding) -> str:
        """The finding's detail, unless it only repeats the subject shown."""
        return "" if finding.detail == self.subject(finding) else finding.detail

    @property
    def new_to_fix(self) -> int:
        return sum(1 for f in self.new if KINDS[f.code].severity == FIX)

    @property
    def first_things(self) -> list[Group]:
        """The five kinds to fix first: most severe, then most widespread."""
        return sorted(self.groups, key=lambda g: (severity_rank(g.kind.code), -g.pages))[:FIRST_THINGS]

    def by_theme(self) -> list[tuple[str, list[Group]]]:
        return [(theme, [g for g in self.groups if g.kind.theme == theme]) for theme in THEMES]


def compare(
    latest: list[Finding],
    previous: list[Finding] | None,
    latest_complete: bool = True,
    previous_complete: bool = True,
) -> tuple[list[Finding], list[Finding], int]:
    """(new, fixed, still open) between two audits, a finding being the same when its kind and its
    subject (page, host, member, title…) are; with no previous audit, nothing is « new ». A finding
    an audit cut short does not repeat may just not have been judged: nothing is « fixed » after
    such an audit, nor « new » after one."""
    if previous is None:
        return [], [], len(latest)
    before = {(f.code, f.subject) for f in previous}
    now = {(f.code, f.subject) for f in latest}
    new = [f for f in latest if (f.code, f.subject) not in before] if previous_complete else []
    fixed = [f for f in previous if (f.code, f.subject) not in now] if latest_complete else []
    return new, fixed, len(now & before)


def audit_complete(run: dict[str, Any] | None) -> bool:
    """Whether an audit run read every page (runs before this was recorded count as complete)."""
    return bool(json.loads((run or {}).get("stats") or "{}").get("complete", True))


def group(findings: list[Finding], new: list[Finding]) -> list[Group]:
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    new_keys = {(f.code, f.subject) for f in new}
    ordered = sorted(by_code, key=lambda code: (severity_rank(code), list(KINDS).index(code)))
    return [Group(KINDS[code], by_code[code], new_keys) for code in ordered]


def site_report(store: Store) -> SiteReport:
    runs = store.last_runs("site", 2)
    run, previous_run = [*runs, None, None][:2]
    latest = store.audit_findings(run["id"]) if run else []
    previous = store.audit_findings(previous_run["id"]) if previous_run else None
    complete, previous_complete = audit_complete(run), audit_complete(previous_run)
    new, fixed, still_open = compare(latest, previous, complete, previous_complete)
    counts = Counter(KINDS[f.code].severity for f in latest)
    stats = json.loads(run.get("stats") or "{}") if run else {}
    return SiteReport(
        run=run,
        previous=previous_run,
        groups=group(latest, new),
        fixed=fixed,
        new=new,
        still_open=still_open,
        counts={severity: counts.get(severity, 0) for severity in SEVERITIES},
        pages_read=int(stats.get("pages", 0)),
        complete=complete,
        previous_complete=previous_complete,
        member_names={row["id"]: row["name"] for row in store.db.query("SELECT id, name FROM members")},
    )


def render(report: SiteReport, collectif_name: str, fmt: str, fragment: bool = False) -> str:
    """The report as `html`, `md` or `csv` text; `fragment`: HTML to put inside another page."""
    if fmt == "csv":
        return _render_csv(report)
    if fmt not in ("html", "md"):
        raise ValueError(f"unknown report format {fmt!r} (expected html, md or csv)")
    words = used(text for g in report.groups for text in (g.kind.label, g.kind.why, g.kind.fix))
    return (
        _environment(autoescape=fmt == "html")
        .get_template(f"site_report.{fmt}.j2")
        .render(report=report, kinds=KINDS, collectif=collectif_name, date_fr=date_fr, fragment=fragment,
                glossary=words, plural=plural)
    )  # fmt: skip


def _render_csv(report: SiteReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["gravité", "thème", "constat", "objet", "détail", "pages concernées", "nouveau"])
    for item in report.groups:
        for finding in item.findings:
            writer.writerow(
                spreadsheet_text(cell)
                for cell in [
                    item.kind.severity,
                    item.kind.theme,
                    item.kind.label,
                    report.subject(finding),
                    report.detail(finding),
                    " ".join(finding.pages),
                    "oui" if (finding.code, finding.subject) in item.new else "",
                ]
            )
    return out.getvalue()
