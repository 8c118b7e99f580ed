"""The `veille site` commands: audit the Collectif's own site, and write the audit's report."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.base import (
    common_options,
    existing_store,
    main,
    report_options,
    stderr,
    write_report,
)
from monitor.config import load_config


@main.group()
def site() -> None:
    """Le site du Collectif : audit de référencement."""


@site.command("audit")
@click.option("-q", "--quiet", is_flag=True, help="Sans bilan.")
@common_options
def site_audit(quiet: bool, config_dir: Path, db_path: Path) -> None:
    """Explorer le site du Collectif, le juger et enregistrer l'audit.

    Exemple : veille site audit --db data/veille.db
    """
    from monitor.site.audit import run_audit, start_url
    from monitor.site.catalogue import KINDS, SEVERITIES
    from monitor.store import Store

    config = load_config(config_dir)
    if not quiet:
        stderr().print(f"Audit de {start_url(config)}…")
    with Store.open(db_path) as store:
        audit = run_audit(store, config)
    if quiet:
        return
    counts = {s: sum(1 for f in audit.findings if KINDS[f.code].severity == s) for s in SEVERITIES}
    click.echo(
        f"Audit n° {audit.run_id} : {audit.stats['pages']} adresses lues, "
        f"{audit.stats['links_checked']} liens vérifiés ({audit.stats['links_from_cache']} déjà connus) ; "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + ". Rapport : veille site report"
    )


@site.command("report")
@report_options
@common_options
def site_report(fmt: str, output: Path | None, config_dir: Path, db_path: Path) -> None:
    """Le rapport d'audit pour le secrétariat : quoi corriger d'abord, constats, changements.

    Exemple : veille site report --format md -o audit.md
    """
    from monitor.site.report import render, site_report

    with existing_store(db_path, made_by="veille site audit") as store:
        text = render(site_report(store), load_config(config_dir).collectif.name, fmt)
    write_report(text, output)
