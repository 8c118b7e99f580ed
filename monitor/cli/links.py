"""The `veille links` commands: check sites now, run the nightly check, write the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from monitor.cli.base import (
    common_options,
    crawl_with_progress,
    existing_store,
    main,
    report_options,
    stdout,
    summary_table,
    write_report,
)
from monitor.config import Config, load_config


@main.group()
def links() -> None:
    """Les liens des sites des associations vers le site du Collectif."""


@links.command("check")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--json", "as_json", is_flag=True, help="Afficher une liste JSON, un objet par adresse.")
@click.option(
    "--browser/--no-browser", default=None, help="Forcer ou interdire la confirmation dans un navigateur."
)
@click.option("-q", "--quiet", is_flag=True, help="Sans barre de progression.")
@common_options
def links_check(
    urls: tuple[str, ...], as_json: bool, browser: bool | None, quiet: bool, config_dir: Path, db_path: Path
) -> None:
    """Vérifier des sites tout de suite, sans la base.

    Exemple : veille links check https://amicaledunid.org/ --json
    """
    from monitor.links.run import SiteTarget, check_sites

    config = load_config(config_dir)
    targets = [SiteTarget(f"site-{i}", url.strip() or None) for i, url in enumerate(urls)]
    result = crawl_with_progress(
        quiet or as_json, lambda tick: check_sites(targets, config, browser=browser, on_progress=tick)
    )
    outcomes = [result.outcomes[t.id] for t in targets]
    if as_json:
        click.echo(
            json.dumps(
                [o.to_json(t.url) for o, t in zip(outcomes, targets, strict=True)],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    rows = [
        (t.url or "", o.status, o.pages_crawled, sum(1 for x in o.links if x.get("visible")), o.error or "")
        for t, o in zip(targets, outcomes, strict=True)
    ]
    stdout().print(summary_table(rows))


@links.command("run")
@click.option(
    "--browser/--no-browser", default=None, help="Forcer ou interdire la confirmation dans un navigateur."
)
@click.option("--json", "as_json", is_flag=True, help="Afficher les verdicts en JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Sans barre de progression ni tableau.")
@common_options
def links_run(browser: bool | None, as_json: bool, quiet: bool, config_dir: Path, db_path: Path) -> None:
    """Vérifier le site de chaque association et enregistrer les résultats.

    Exemple : veille links run --db data/veille.db
    """
    from monitor.links.run import run_links
    from monitor.store import Store

    config = load_config(config_dir)
    with Store.open(db_path) as store:
        run_id, result = crawl_with_progress(
            quiet or as_json, lambda tick: run_links(store, config, browser=browser, on_progress=tick)
        )
    print_links_run(config, run_id, result, as_json, quiet)


def print_links_run(config: Config, run_id: int, result: Any, as_json: bool, quiet: bool) -> None:
    if as_json:
        data = {m.id: result.outcomes[m.id].to_json(m.site) for m in config.members}
        click.echo(json.dumps({"run_id": run_id, "members": data}, ensure_ascii=False, indent=1))
    elif not quiet:
        rows = []
        for member in config.members:
            outcome = result.outcomes[member.id]
            visible = sum(1 for x in outcome.links if x.get("visible"))
            rows.append((member.name, outcome.status, outcome.pages_crawled, visible, outcome.error or ""))
        stdout().print(summary_table(rows))


@links.command("report")
@report_options
@common_options
def links_report(fmt: str, output: Path | None, config_dir: Path, db_path: Path) -> None:
    """Le rapport du secrétariat.

    Exemple : veille links report --format html -o rapport.html
    """
    from monitor.links.report import build_report, render

    with existing_store(db_path, made_by="veille links run") as store:
        text = render(build_report(store, load_config(config_dir)), fmt)
    write_report(text, output)


@links.command("remind")
@click.option(
    "--dry-run/--send", default=True, show_default=True, help="Afficher les demandes, ou les envoyer."
)
@common_options
def links_remind(dry_run: bool, config_dir: Path, db_path: Path) -> None:
    """Demander aux associations sans lien correct d'en ajouter un (les demandes toutes prêtes du rapport, par
    courriel).

    Exemple : veille links remind --dry-run
    """
    from datetime import UTC, datetime

    from monitor.cli.night import deliver
    from monitor.links.report import build_report
    from monitor.night.reminders import reminders
    from monitor.store import Store

    config = load_config(config_dir)
    with Store.open(db_path) as store:
        contacts = [m.contact_email for m in config.members if m.contact_email]
        last = {contact: store.last_sent(contact, "reminder") for contact in contacts}
        every = config.night["reminder_every_days"]
        messages = reminders(build_report(store, config), last, datetime.now(UTC), every)
        nothing = (
            f"Aucune demande à envoyer (chaque association est relancée au plus tous les {every} jours)."
        )
        deliver(messages, config, store, dry_run, nothing)
