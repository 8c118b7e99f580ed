"""Veille running itself: `veille run` (the night, once), `veille schedule` (the daemon), `veille notify`
(what the night would send), `veille doctor` and `veille backup`."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from monitor.cli.base import VeilleError, common_options, edge_path, main
from monitor.cli.desk import secrets_option
from monitor.cli.news import load_news_config
from monitor.config import Config, load_config
from monitor.labels import PARIS


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)


@main.command("run")
@click.option(
    "--browser/--no-browser", default=None, help="Forcer ou interdire la confirmation dans un navigateur."
)
@click.option("-q", "--quiet", is_flag=True, help="N'afficher que les erreurs.")
@common_options
def run(browser: bool | None, quiet: bool, config_dir: Path, db_path: Path) -> None:
    """La nuit, une fois : sites des associations, actualités, roulement, avis, rapports. Code de sortie 1
    si une étape a échoué.

    Exemple : veille run   (ou depuis cron : 15 4 * * * cd /srv/veille && uv run veille run -q)
    """
    from monitor.night.job import run_night
    from monitor.store import Store

    config, sources, lexicon = load_news_config(config_dir, db_path)
    if not quiet:
        _logging()
    with Store.open(db_path) as store:
        night = run_night(store, config, sources, lexicon, browser=browser)
    for stage in night.stages:
        if stage["status"] != "ok" or not quiet:
            state = "ok" if stage["status"] == "ok" else f"échec : {stage['error']}"
            click.echo(f"{stage['name']} : {state}", err=stage["status"] != "ok")
    if not night.ok:
        sys.exit(1)


@main.command("schedule")
@common_options
def schedule(config_dir: Path, db_path: Path) -> None:
    """Lancer `veille run` chaque nuit à l'heure `night.schedule`, jusqu'à l'arrêt (SIGTERM).

    Exemple : veille schedule   (en service systemd, voir docs/operations.md)
    """
    from monitor.night.daemon import run_schedule

    config = load_config(config_dir)
    _logging()
    run_schedule(config_dir, db_path, config.night)


@main.command("notify")
@click.option(
    "--dry-run/--send", default=True, show_default=True, help="Afficher les messages, ou les envoyer."
)
@common_options
def notify(dry_run: bool, config_dir: Path, db_path: Path) -> None:
    """Ce que la nuit enverrait maintenant, et à qui (avec --dry-run, rien n'est envoyé ni noté).

    Exemple : veille notify --dry-run
    """
    from monitor.night.notices import compose, gather
    from monitor.store import Store

    config = load_config(config_dir)
    with Store.open(db_path) as store:
        now = datetime.now(PARIS)
        messages = compose(gather(store, config, now), config, now.date(), [])
        deliver(messages, config, store, dry_run, "Aucun message à envoyer.")


def deliver(messages: list[Any], config: Config, store: Any, dry_run: bool, nothing: str) -> None:
    """Print each message in full; unless a dry run, send them and record them in `outbox`."""
    from monitor.night.mail import outbox_rows, render, send
    from monitor.store import utc_now

    if not messages:
        click.echo(nothing)
    for message in messages:
        text, _ = render(message, config.collectif.name)
        click.echo(f"À : {message.recipient}\nObjet : {message.subject}\n\n{text}\n")
    if dry_run or not messages:
        return
    results = send(messages, config.mail, config.collectif.name)
    store.record_messages(outbox_rows(results, None, utc_now(), config.collectif.name))
    for message, status in results:
        click.echo(f"{message.recipient} : {status}")
    if any(status != "envoyé" for _, status in results):
        raise VeilleError("des messages n'ont pas été envoyés (voir ci-dessus)")


@main.command("doctor")
@common_options
def doctor(config_dir: Path, db_path: Path) -> None:
    """Cette installation peut-elle tourner seule ? Code de sortie : 0 ok, 1 attention, 2 échec.

    Exemple : veille doctor
    """
    from monitor.night.doctor import diagnose, worst

    checks = diagnose(config_dir, db_path)
    for check in checks:
        click.echo(f"{check.level:9} {check.subject} : {check.detail}")
    sys.exit(worst(checks))


@main.command("backup")
@click.option(
    "--to", "folder", type=edge_path(file_okay=False), default=Path("data/sauvegardes"),
    show_default=True, help="Dossier des sauvegardes.",
)  # fmt: skip
@click.option(
    "--keep", type=click.IntRange(1, 1000), default=14, show_default=True, metavar="N",
    help="Sauvegardes à garder.",
)  # fmt: skip
@click.option(
    "--restore", "restore_file", type=edge_path(dir_okay=False, exists=True), default=None,
    help="Remettre plutôt cette sauvegarde à la place de la base (Veille arrêtée : ni nuit ni bureau).",
)  # fmt: skip
@secrets_option
@common_options
def backup(
    folder: Path, keep: int, restore_file: Path | None, secrets_path: Path, config_dir: Path, db_path: Path
) -> None:
    """Une copie cohérente de la base (et du fichier des secrets) pendant que Veille tourne, ou une
    restauration.

    Exemple : veille backup --to /srv/sauvegardes --keep 30
    Exemple : veille backup --restore /srv/sauvegardes/veille-2026-12-01-030000.db
    """
    from monitor.night.backup import BackupFailed, restore
    from monitor.night.backup import backup as write_backup

    if restore_file is not None:
        try:
            aside = restore(restore_file, db_path, datetime.now(PARIS))
        except BackupFailed as exc:
            raise VeilleError(str(exc)) from exc
        click.echo(f"Base restaurée depuis {restore_file} : {db_path} (intégrité vérifiée).")
        if aside is not None:
            click.echo(f"L'ancienne base est gardée sous {aside}.")
        return
    if not db_path.exists():
        raise VeilleError(f"base introuvable : {db_path}")
    try:
        written = write_backup(db_path, secrets_path, folder, keep, datetime.now(PARIS))
    except BackupFailed as exc:
        raise VeilleError(str(exc)) from exc
    for path in written:
        click.echo(f"Sauvegarde : {path}")
