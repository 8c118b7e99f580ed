"""What every `veille` command shares: the group, `--config` / `--db`, errors as one French line,
progress. The commands live beside this module, one module per feature.

Every command takes `--config DIR` (default `data/`) and `--db PATH` (default `data/veille.db`).
Errors are printed as one clear line, never a traceback.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from monitor.cli import french
from monitor.config import ConfigError
from monitor.crawl import CrawlFailed
from monitor.locks import RunInProgress

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from monitor.store import Store

DEFAULT_CONFIG = Path("data")
REPORT_FORMATS = ("html", "md", "csv")
DEFAULT_DB = Path("data/veille.db")


@functools.cache
def stderr() -> Console:
    """rich's console on standard error, made when a command first shows something there: a quiet
    run (the nightly job's) never loads rich."""
    from rich.console import Console

    return Console(stderr=True)


def stdout() -> Console:
    """rich's console on standard output, as it is now (a test's runner replaces it)."""
    from rich.console import Console

    return Console()


def edge_path(**kwargs: Any) -> click.Path:
    """A path option resolved once, here at the edge, against the caller's working directory: nothing
    relative reaches a child process (crawls run in /), a job file or the database."""
    return click.Path(path_type=Path, resolve_path=True, **kwargs)


class VeilleError(click.ClickException):
    def show(self, file: Any = None) -> None:
        click.echo(f"Erreur : {self.message}", err=True)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--config` and `--db` for every command, read from $VEILLE_CONFIG / $VEILLE_DB too."""

    @click.option(
        "--config",
        "config_dir",
        type=edge_path(file_okay=False),
        default=DEFAULT_CONFIG,
        envvar="VEILLE_CONFIG",
        show_default=True,
        help="Dossier de config.yml et members.yml.",
    )
    @click.option(
        "--db",
        "db_path",
        type=edge_path(dir_okay=False),
        default=DEFAULT_DB,
        envvar="VEILLE_DB",
        show_default=True,
        help="Fichier de la base SQLite.",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            raise VeilleError(str(exc)) from exc
        except CrawlFailed as exc:
            raise VeilleError(f"l'exploration n'a pas pu être lancée : {exc}") from exc
        except RunInProgress as exc:
            raise VeilleError(str(exc)) from exc

    return wrapper


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--format html|md|csv` and `-o FILE` for the commands that write a report."""
    command = click.option(
        "-o",
        "--output",
        type=edge_path(dir_okay=False),
        help="Fichier à écrire (par défaut : la sortie standard).",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(REPORT_FORMATS),
        default="html",
        show_default=True,
        help="Format du rapport.",
    )(command)


def existing_store(db_path: Path, made_by: str = "") -> Store:
    """The store of a database that must already exist (a report reads, it never creates one)."""
    from monitor.store import Store

    if not db_path.exists():
        hint = f" (lancez d'abord « {made_by} »)" if made_by else ""
        raise VeilleError(f"base de données introuvable : {db_path}{hint}")
    return Store.open(db_path)


def write_report(text: str, output: Path | None, written: str = "Rapport écrit") -> None:
    """The report to its file (saying so on stderr), or to stdout."""
    if output:
        output.write_text(text, encoding="utf-8")
        stderr().print(f"{written} dans {output}")
    else:
        sys.stdout.write(text)


class NoProgress:
    """The progress bar of a quiet command: nothing shown, nothing loaded."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None) -> int:
        return 0

    def update(self, task: int, description: str | None = None) -> None:
        return None


def progress_bar(quiet: bool) -> Progress | NoProgress:
    if quiet:
        return NoProgress()
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr(),
        transient=True,
    )


def crawl_with_progress(quiet: bool, action: Callable[[Callable[[int], None]], Any]) -> Any:
    with progress_bar(quiet) as progress:
        task = progress.add_task("Exploration des sites…", total=None)
        return action(lambda pages: progress.update(task, description=f"Exploration : {pages} pages lues"))


def summary_table(rows: list[tuple[str, str, int, int, str]]) -> Table:
    from rich.table import Table

    from monitor.labels import labels

    table = Table("Association", "Statut", "Pages", "Liens visibles", "Remarque")
    for name, status, pages, visible, error in rows:
        table.add_row(name, labels()["status"].get(status, status), str(pages), str(visible), error)
    return table


class LazyGroup(french.Group):
    """A group whose commands live in modules imported only when one of their commands is asked for
    (`lazy`: command name → module, filled in monitor/cli/__init__.py): `veille news run` does not
    import the desk's, the site audit's or the setup's commands. Each module registers its commands
    on this group when imported, as it always did."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(self.lazy[cmd_name])
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
@click.version_option(package_name="veille")
def main() -> None:
    """Veille : liens des associations vers le site du Collectif « Ensemble contre la traite », et veille
    d'actualité."""
