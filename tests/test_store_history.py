"""Night after night on real crawls: the store, the history of links and the secretariat's report."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config, Member
from monitor.demo.web import FixtureWeb
from monitor.links.report import build_report, render
from monitor.links.run import run_links
from monitor.store import Store
from monitor.store.schema import migrations


@pytest.fixture
def nights(web: FixtureWeb, config: Config, tmp_db: Path) -> Any:
    """Run nights against the `lost` and `flap` sites, setting their state before each night."""
    members = (
        Member("perdu", "Association Perdue", web.url("lost"), "contact@perdu.example"),
        Member("clignote", "Association Clignotante", web.url("flap")),
        Member("sans-site", "Association Sans Site"),
    )
    night_config = replace(config, members=members)
    store = Store.open(tmp_db)

    def run(lost_state: str | None, flap_state: str | None) -> list[tuple[str, str]]:
        web.sites["lost"].state, web.sites["flap"].state = lost_state, flap_state
        try:
            run_id, _ = run_links(store, night_config, browser=False)
        finally:
            web.sites["lost"].state = web.sites["flap"].state = None
        return [
            (e["member_id"], e["event"])
            for e in store.db.query("SELECT * FROM link_events WHERE run_id = ?", [run_id])
        ]

    run.store = store  # type: ignore[attr-defined]
    run.config = night_config  # type: ignore[attr-defined]
    return run


def statuses(store: Store) -> dict[str, str]:
    run = store.last_runs("links", 1)[0]
    return {
        r["member_id"]: r["status"]
        for r in store.db.query("SELECT * FROM link_checks WHERE run_id = ?", [run["id"]])
    }


def test_lost_after_two_runs_and_flapping_site(nights: Any) -> None:
    store: Store = nights.store
    assert nights(None, None) == [("perdu", "gained"), ("clignote", "gained")]
    assert statuses(store) == {"perdu": "linked", "clignote": "linked", "sans-site": "no_site"}

    assert nights("nolink", "down") == [("clignote", "site_unreachable")]
    assert statuses(store)["perdu"] == "missing" and statuses(store)["clignote"] == "unreachable"

    assert nights("nolink", None) == [("perdu", "lost"), ("clignote", "site_back")]
    assert nights(None, "down") == [("perdu", "gained"), ("clignote", "site_unreachable")]
    assert nights(None, "down") == []

    flap = store.db.query("SELECT * FROM backlinks WHERE member_id = 'clignote'")
    [row] = list(flap)
    assert row["present"] == 1 and row["missed_runs"] == 0
    lost = list(store.db.query("SELECT * FROM backlinks WHERE member_id = 'perdu'"))
    assert len(lost) == 1 and lost[0]["present"] == 1 and lost[0]["lost_at"] is None
    assert store.db["runs"].count == 5 and store.db["link_checks"].count == 15


def test_reopening_migrates_once_and_writes_are_idempotent(nights: Any, tmp_db: Path) -> None:
    nights(None, None)
    store = Store.open(tmp_db)
    run = store.last_runs("links", 1)[0]
    before = {t: store.db[t].count for t in ("backlinks", "link_checks", "link_events")}
    check = next(store.db.query("SELECT * FROM link_checks WHERE member_id = 'perdu'"))
    from monitor.links.history import reconcile
    from monitor.links.verdict import site_outcome

    outcome = site_outcome("perdu", [])  # replaying the night as unreachable changes no link
    store.record_check(
        run["id"], "perdu", outcome, reconcile("perdu", [], None, outcome, "x"), check["checked_at"]
    )
    after = {t: store.db[t].count for t in ("backlinks", "link_checks", "link_events")}
    assert before["backlinks"] == after["backlinks"] and before["link_checks"] == after["link_checks"]
    assert store.db.journal_mode == "wal"
    assert migrations.pending(store.db) == []
    names = [m.name for m in migrations.applied(store.db)]
    assert names[0] == "m001_backlinks" and names == sorted(set(names))  # each once, in order


def test_report_in_three_formats(nights: Any) -> None:
    nights(None, None)
    nights("nolink", None)
    nights("nolink", "down")
    context = build_report(nights.store, nights.config)
    html = render(context, "html")
    assert "Lien perdu" in html and "Site devenu injoignable" in html
    assert "Association Perdue — Aucun lien" in html
    assert "contact@perdu.example" in html
    assert "&lt;a href=&#34;https://www.contrelatraite.org/&#34;&gt;" in html  # the snippet, escaped
    assert "Dernier état connu : 1 lien vu le" in html
    assert "<script" not in html.lower() and "http" in html
    markdown = render(context, "md")
    assert "| Association Sans Site | Site non renseigné |" in markdown
    assert "Bonjour,\n\nNous n'avons pas l'adresse du site de votre association" in markdown
    # Actions first (messages, then the rows to act on), the successes after; addresses as links.
    assert html.index("À faire : messages à envoyer") < html.index("Situation par association")
    assert html.index("Association Perdue") < html.index("Association Clignotante")
    assert re.search(r'<a href="(http://127\.0\.1\.\d+:\d+/)" rel="noopener noreferrer">\1</a>', html)
    rows = list(csv.DictReader(io.StringIO(render(context, "csv"))))
    by_name = {row["association"]: row for row in rows}
    assert by_name["Association Clignotante"]["statut"] == "Site injoignable"
    assert by_name["Association Clignotante"]["emplacement"] == "pied de page"
    assert by_name["Association Perdue"]["page du lien"] == ""


def test_the_first_check_does_not_list_every_link_as_new(nights: Any) -> None:
    nights(None, None)
    context = build_report(nights.store, nights.config)
    assert context["first_check"] and context["changes"] == []
    assert "C'est la première vérification" in render(context, "html")
    assert "C'est la première vérification" in render(context, "md")
    nights("nolink", None)
    assert not build_report(nights.store, nights.config)["first_check"]


def test_letters_to_members_explain_hidden_links_without_css_words() -> None:
    from monitor.labels import labels

    for reason, label in labels()["hidden_reason"].items():
        assert not re.search(r"display|visibility|opacity|[a-z]:[a-z0-9]", label), (reason, label)


def test_what_comes_from_the_web_stays_text_in_every_report_format(nights: Any) -> None:
    nights(None, None)
    context = build_report(nights.store, nights.config)
    hostile = "<script>alert(1)</script> [clic](javascript:alert(2)) | *gras*"
    row = next(r for r in context["rows"] if r["links"])
    row["links"][0] = {**row["links"][0], "text": hostile, "page_url": "https://x.example/<b>"}
    row["error"] = '=HYPERLINK("http://x.example")'
    markdown = render(context, "md")
    assert "<script>" not in markdown and "<b>" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\[clic\\](javascript:alert(2)) \\| \\*gras\\*" in markdown
    assert "<script>" not in render(context, "html")
    cells = [cell for line in csv.reader(io.StringIO(render(context, "csv"))) for cell in line]
    assert hostile in cells  # CSV keeps the text as it is, as text
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
