"""Setting up: `veille config check` and `veille demo`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from monitor.cli.base import common_options, crawl_with_progress, edge_path, main, progress_bar
from monitor.cli.desk import open_desk
from monitor.cli.links import print_links_run
from monitor.cli.news import load_news_config, print_news_summary


@main.group("config")
def config_group() -> None:
    """Les fichiers de configuration du Collectif."""


@config_group.command("check")
@common_options
def config_check(config_dir: Path, db_path: Path) -> None:
    """Vérifier config.yml, members.yml, sources.yml et topics.yml.

    Exemple : veille config check --config data/
    """
    from monitor.serve import check_triage

    config, sources, lexicon = load_news_config(config_dir)
    check_triage(config.triage, config_dir / "config.yml")
    with_site = sum(1 for m in config.members if m.site)
    click.echo(
        f"Configuration valide : {len(config.members)} associations, dont {with_site} avec un site ;"
        f" {len(sources.sources)} sources ; {len(lexicon().terms)} termes de pertinence."
    )
    unreachable = config.unreachable_on_rota()
    if unreachable:
        from monitor.rota import unreachable_warning

        click.echo(f"attention : roulement : {unreachable_warning(unreachable)}.")


@main.command()
@click.option(
    "--out",
    type=edge_path(file_okay=False),
    default=Path("data/demo"),
    show_default=True,
    help="Dossier de la configuration, de la base et du rapport de la démo.",
)
@click.option(
    "--browser/--no-browser", default=None, help="Forcer ou interdire la confirmation dans un navigateur."
)
@click.option("-q", "--quiet", is_flag=True, help="Sans barre de progression.")
@click.option(
    "--serve/--no-serve",
    default=None,
    help="Ouvrir à la fin le bureau de tri sur la démo [par défaut : si lancée depuis un terminal].",
)
@click.option(
    "--port", type=int, default=8001, show_default=True, metavar="PORT", help="Port du bureau de tri."
)
def demo(out: Path, browser: bool | None, quiet: bool, serve: bool | None, port: int) -> None:
    """Lancer la nuit sur un web fictif fourni (hors ligne), écrire le rapport, puis ouvrir le bureau de
    tri sur les données de la démo.

    Exemple : veille demo
    """
    from monitor.demo.run import prepare
    from monitor.demo.web import FixtureWeb
    from monitor.links.report import build_report, render
    from monitor.links.run import run_links
    from monitor.news.run import run_news
    from monitor.site.audit import run_audit
    from monitor.site.report import render as render_site
    from monitor.site.report import site_report
    from monitor.store import Store

    with FixtureWeb() as web:
        paths = prepare(out, web)
        config, sources, lexicon = load_news_config(paths.config)
        store = Store.open(paths.db)
        run_id, result = crawl_with_progress(
            quiet, lambda tick: run_links(store, config, browser=browser, on_progress=tick)
        )
        print_links_run(config, run_id, result, as_json=False, quiet=quiet)
        store.sync_sources(sources.sources)
        with progress_bar(quiet) as progress:
            task = progress.add_task("Veille d'actualité…", total=None)
            news_run_id, summary = run_news(
                store, config, lexicon, lambda t: progress.update(task, description=t)
            )
        print_news_summary(news_run_id, summary, as_json=False, quiet=quiet)
        audit = run_audit(store, config)
    paths.report.write_text(render(build_report(store, config), "html"), encoding="utf-8")
    paths.site_report.write_text(
        render_site(site_report(store), config.collectif.name, "html"), encoding="utf-8"
    )
    from monitor.cli.night import deliver
    from monitor.demo.run import DEMO_ACCOUNTS, DEMO_PASSWORD
    from monitor.labels import PARIS
    from monitor.night.notices import compose, gather
    from monitor.rota import planned_turns

    rota = config.rota
    now = datetime.now(PARIS)
    if rota.start:
        store.save_duty(
            planned_turns(rota.start, rota.turn_weeks, list(rota.members), list(rota.overrides), now.date())
        )
    messages = compose(gather(store, config, now), config, now.date(), [])
    click.echo(f"Messages que la nuit enverrait ({len(messages)} ; la démo n'envoie rien) :\n")
    deliver(messages, config, store, True, "Aucun.")
    store.close()
    click.echo(f"Base de démonstration : {paths.db}")
    click.echo(f"Rapport des liens : {paths.report.resolve()}")
    click.echo(
        f"Audit du site du Collectif : {audit.stats['pages']} adresses lues, {len(audit.findings)} constats"
        f" ; rapport : {paths.site_report.resolve()}"
    )
    accounts = ", ".join(name for name, _ in DEMO_ACCOUNTS)
    click.echo(f"Comptes de démonstration : {accounts} (mot de passe : {DEMO_PASSWORD})")
    if serve if serve is not None else sys.stdout.isatty():
        open_desk(config, paths.db, paths.secrets, "127.0.0.1", port, "/")
    else:
        serve_command = (
            f"uv run veille serve --db {paths.db} --config {paths.config} --secrets {paths.secrets}"
        )
        click.echo(f"Bureau de tri : {serve_command}")
