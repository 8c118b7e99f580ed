"""The triage desk's commands: `veille rota`, `veille serve`, `veille export`, `veille users`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from monitor.cli.base import VeilleError, common_options, edge_path, existing_store, main, stderr, stdout
from monitor.config import Config, load_config
from monitor.locks import serving_lock


@main.command()
@click.option("--weeks", type=int, default=4, show_default=True, metavar="N",
              help="Combien de semaines à venir afficher.")  # fmt: skip
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    metavar="AAAA-MM-JJ",
    help="Le roulement vu depuis ce jour.",
)
@common_options
def rota(weeks: int, day: Any, config_dir: Path, db_path: Path) -> None:
    """Qui est de veille maintenant et les semaines suivantes ; enregistre le planning (table `duty`).

    Exemple : veille rota --weeks 12
    """
    from datetime import date as date_type

    from monitor.rota import on_duty, planned_turns
    from monitor.store import Store

    config = load_config(config_dir)
    if not config.rota.start or not config.rota.members:
        raise VeilleError(f"aucun roulement configuré (section « rota » de {config_dir / 'config.yml'})")
    today = day.date() if day else date_type.today()
    turns = planned_turns(config.rota.start, config.rota.turn_weeks, list(config.rota.members),
                          list(config.rota.overrides), today, weeks)  # fmt: skip
    with Store.open(db_path) as store:
        store.save_duty(turns)
    names = {m.id: m.name for m in config.members} | {"secretariat": "Secrétariat du Collectif"}
    current = on_duty(turns, today)
    click.echo(
        f"De veille aujourd'hui ({today:%d/%m/%Y}) : {names[current.member_id] if current else 'personne'}"
    )
    end = today + timedelta(weeks=weeks)
    from rich.table import Table

    table = Table("Du", "Au", "Association de veille", "Remarque")
    for turn in turns:
        if turn.end >= today and turn.start <= end:
            table.add_row(
                f"{turn.start:%d/%m/%Y}",
                f"{turn.end:%d/%m/%Y}",
                names.get(turn.member_id, turn.member_id),
                turn.note,
            )
    stdout().print(table)


def secrets_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--secrets",
        "secrets_path",
        type=edge_path(dir_okay=False),
        default=Path("data/secrets.yml"),
        envvar="VEILLE_SECRETS",
        show_default=True,
        help="Comptes et secret des cookies (à garder hors de git).",
    )(command)


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADRESSE",
    help="Adresse d'écoute (0.0.0.0 : toutes les interfaces).",
)
@click.option("--port", type=int, default=8001, show_default=True, metavar="PORT", help="Port d'écoute.")
@click.option(
    "--base-url",
    default="/",
    show_default=True,
    metavar="CHEMIN",
    help="Préfixe des adresses derrière un proxy inverse, par exemple /veille/.",
)
@secrets_option
@common_options
def serve(host: str, port: int, base_url: str, secrets_path: Path, config_dir: Path, db_path: Path) -> None:
    """Ouvrir le bureau de tri : « À trier », la relecture, les tables de Datasette et le flux Atom.

    Exemple : veille serve --port 8001
    """
    open_desk(load_config(config_dir), db_path, secrets_path, host, port, base_url)


def open_desk(config: Config, db_path: Path, secrets_path: Path, host: str, port: int, base_url: str) -> None:
    """Serve the triage desk until interrupted."""
    import uvicorn

    from monitor.serve import Secrets, build_datasette
    from monitor.store import Store

    with Store.open(db_path) as store:  # Datasette opens its own connections
        store.sync_members(config.members)
        store.sync_categories(config.triage.categories)
    secrets = Secrets.load(secrets_path)
    if not secrets.cookie_secret:
        secrets.save()  # a fixed secret: logins and CSRF tokens survive a restart
    if not secrets.users:
        click.echo(
            f"Attention : aucun compte dans {secrets_path}, personne ne peut se connecter. Créez-en un avec"
            " « veille users add secretariat --role secretariat » (ou l'identifiant d'une association).",
            err=True,
        )
    names = {m.id: m.name for m in config.members} | {"secretariat": "Secrétariat du Collectif"}
    datasette = build_datasette(
        db_path, secrets, names, base_url, config.triage, config.directory / "config.yml"
    )
    click.echo(f"Bureau de tri : http://{host}:{port}{base_url} (Ctrl-C pour l'arrêter)")
    with serving_lock(db_path):  # `veille backup --restore` waits for the desk to stop
        uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True, help="Format."
)
@click.option("--limit", type=int, default=20, show_default=True, metavar="N",
              help="Combien d'histoires publiées, les plus récentes.")  # fmt: skip
@click.option(
    "-o",
    "--output",
    type=edge_path(dir_okay=False),
    help="Fichier à écrire (par défaut : la sortie standard).",
)
@common_options
def export(fmt: str, limit: int, output: Path | None, config_dir: Path, db_path: Path) -> None:
    """Les actualités publiées, en fragment HTML à coller sur la page d'accueil, ou en JSON.

    Exemple : veille export --format html -o actualites.html
    """
    from monitor.news.export import published, render

    with existing_store(db_path) as store:
        text = render(published(store, limit), fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        stderr().print(f"Actualités écrites dans {output}")
    else:
        click.echo(text)


@main.group()
def users() -> None:
    """Les comptes du bureau de tri."""


@users.command("add")
@click.argument("name", metavar="IDENTIFIANT")
@click.option(
    "--role",
    type=click.Choice(["member", "secretariat"]),
    default="member",
    show_default=True,
    help="member : une association ; secretariat : le secrétariat du Collectif.",
)
@click.password_option(
    "--password",
    prompt="Mot de passe ",  # click adds ": "
    confirmation_prompt="Confirmer ",
    metavar="MOT_DE_PASSE",
    help="Le mot de passe (demandé s'il manque).",
)
@secrets_option
@common_options
def users_add(
    name: str, role: str, password: str, secrets_path: Path, config_dir: Path, db_path: Path
) -> None:
    """Créer ou remplacer un compte : une association (son identifiant dans members.yml) ou le secrétariat.

    Exemple : veille users add amicale-du-nid
    """
    from monitor.serve import Secrets

    config = load_config(config_dir)
    if role == "member" and name not in {m.id for m in config.members}:
        raise VeilleError(f"association inconnue : {name} (identifiants dans {config_dir / 'members.yml'})")
    secrets = Secrets.load(secrets_path)
    secrets.add_user(name, password, role)
    secrets.save()
    kind = "secrétariat" if role == "secretariat" else "association"
    click.echo(f"Compte « {name} » ({kind}) enregistré dans {secrets_path}")
