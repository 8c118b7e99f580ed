"""The `veille` command: a thin click wrapper over the library, one function per subcommand.

Every command takes `--config DIR` (default `data/`) and `--db PATH` (default `data/veille.db`).
Errors are printed as one clear line, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.config import Config, ConfigError, load_config
from monitor.crawl import CrawlFailed
from monitor.locks import RunInProgress

DEFAULT_CONFIG = Path("data")
REPORT_FORMATS = ("html", "md", "csv")
DEFAULT_DB = Path("data/veille.db")
stderr = Console(stderr=True)


class VeilleError(click.ClickException):
    def show(self, file: Any = None) -> None:
        click.echo(f"Erreur : {self.message}", err=True)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--config` and `--db` for every command, read from $VEILLE_CONFIG / $VEILLE_DB too."""

    @click.option(
        "--config",
        "config_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_CONFIG,
        envvar="VEILLE_CONFIG",
        show_default=True,
        help="Folder holding config.yml and members.yml.",
    )
    @click.option(
        "--db",
        "db_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=DEFAULT_DB,
        envvar="VEILLE_DB",
        show_default=True,
        help="SQLite database file.",
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


def _progress(quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=quiet,
    )


def _crawl_with_progress(quiet: bool, action: Callable[[Callable[[int], None]], Any]) -> Any:
    with _progress(quiet) as progress:
        task = progress.add_task("Exploration des sites…", total=None)
        return action(lambda pages: progress.update(task, description=f"Exploration : {pages} pages lues"))


def _summary_table(rows: list[tuple[str, str, int, int, str]]) -> Table:
    from monitor.labels import labels

    table = Table("Association", "Statut", "Pages", "Liens visibles", "Remarque")
    for name, status, pages, visible, error in rows:
        table.add_row(name, labels()["status"].get(status, status), str(pages), str(visible), error)
    return table


@click.group()
@click.version_option(package_name="veille")
def main() -> None:
    """Veille: backlink audit and news watch for the Collectif « Ensemble contre la traite »."""


@main.group()
def links() -> None:
    """Links from member sites to the Collectif's site."""


@links.command("check")
@click.argument("urls", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per URL.")
@click.option("--browser/--no-browser", default=None, help="Force browser confirmation on or off.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@common_options
def links_check(
    urls: tuple[str, ...], as_json: bool, browser: bool | None, quiet: bool, config_dir: Path, db_path: Path
) -> None:
    """Check sites now, without the database.

    Example: veille links check https://amicaledunid.org/ --json
    """
    from monitor.links import SiteTarget, check_sites

    config = load_config(config_dir)
    targets = [SiteTarget(f"site-{i}", url.strip() or None) for i, url in enumerate(urls)]
    result = _crawl_with_progress(
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
    Console().print(_summary_table(rows))


@links.command("run")
@click.option("--browser/--no-browser", default=None, help="Force browser confirmation on or off.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no table.")
@common_options
def links_run(browser: bool | None, as_json: bool, quiet: bool, config_dir: Path, db_path: Path) -> None:
    """Check every member site and store the results.

    Example: veille links run --db data/veille.db
    """
    from monitor.links import run_links
    from monitor.store import Store

    config = load_config(config_dir)
    store = Store.open(db_path)
    run_id, result = _crawl_with_progress(
        quiet or as_json, lambda tick: run_links(store, config, browser=browser, on_progress=tick)
    )
    _print_run(config, run_id, result, as_json, quiet)


def _print_run(config: Config, run_id: int, result: Any, as_json: bool, quiet: bool) -> None:
    if as_json:
        data = {m.id: result.outcomes[m.id].to_json(m.site) for m in config.members}
        click.echo(json.dumps({"run_id": run_id, "members": data}, ensure_ascii=False, indent=1))
    elif not quiet:
        rows = []
        for member in config.members:
            outcome = result.outcomes[member.id]
            visible = sum(1 for x in outcome.links if x.get("visible"))
            rows.append((member.name, outcome.status, outcome.pages_crawled, visible, outcome.error or ""))
        Console().print(_summary_table(rows))


@links.command("report")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="html", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File to write (default: stdout)."
)
@common_options
def links_report(fmt: str, output: Path | None, config_dir: Path, db_path: Path) -> None:
    """The secretariat's report, in French.

    Example: veille links report --format html -o rapport.html
    """
    from monitor.report import build_report, render
    from monitor.store import Store

    if not db_path.exists():
        raise VeilleError(f"base de données introuvable : {db_path} (lancez d'abord « veille links run »)")
    text = render(build_report(Store.open(db_path), load_config(config_dir)), fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        stderr.print(f"Rapport écrit dans {output}")
    else:
        sys.stdout.write(text)


@main.group()
def news() -> None:
    """The news watch: sources, harvest, relevance."""


def _load_news_config(config_dir: Path) -> tuple[Config, Any, Any]:
    from monitor.relevance import LexiconError, load_lexicon
    from monitor.sources import load_sources

    config = load_config(config_dir)
    try:
        lexicon = load_lexicon(config_dir / "topics.yml")
    except LexiconError as exc:
        raise VeilleError(str(exc)) from exc
    return config, load_sources(config_dir / "sources.yml"), lexicon


@news.command("run")
@click.option("--no-articles", is_flag=True, help="Feeds only: do not fetch the article pages.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no summary.")
@common_options
def news_run(no_articles: bool, as_json: bool, quiet: bool, config_dir: Path, db_path: Path) -> None:
    """Harvest every due source, judge and store the stories.

    Example: veille news run --db data/veille.db
    """
    from monitor.news import run_news
    from monitor.store import Store

    config, sources, lexicon = _load_news_config(config_dir)
    store = Store.open(db_path)
    store.sync_sources(sources.sources)
    with _progress(quiet or as_json) as progress:
        task = progress.add_task("Veille d'actualité…", total=None)
        run_id, summary = run_news(
            store, config, lexicon, lambda text: progress.update(task, description=text), not no_articles
        )
    _print_news_summary(run_id, summary, as_json, quiet)


def _print_news_summary(run_id: int, summary: Any, as_json: bool, quiet: bool) -> None:
    if as_json:
        click.echo(json.dumps({"run_id": run_id, **summary.to_json()}, ensure_ascii=False, indent=1))
    elif not quiet:
        table = Table("Veille d'actualité", "", show_header=False)
        for label, value in (
            ("Sources lues", summary.fetched), ("dont inchangées (304)", summary.not_modified),
            ("dont en échec", summary.failed), ("Entrées lues", summary.entries),
            ("Nouveaux articles", summary.new_articles), ("dont pertinents", summary.relevant),
            ("Doublons", summary.duplicates), ("Entrées rejetées", summary.rejected),
            ("Pages d'articles lues", summary.articles_fetched), ("Nouvelles histoires", summary.new_stories),
        ):  # fmt: skip
            table.add_row(label, str(value))
        Console().print(table)
        for error in summary.errors[:20]:
            stderr.print(f"[yellow]Source en échec[/] {error}")


@news.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@common_options
def news_sources(as_json: bool, config_dir: Path, db_path: Path) -> None:
    """Health of every source: last fetch, 304s, failures and last error.

    Example: veille news sources
    """
    from monitor.labels import date_fr
    from monitor.store import Store

    _, sources, _ = _load_news_config(config_dir)
    store = Store.open(db_path)
    store.sync_sources(sources.sources)
    rows = list(store.db.query("SELECT * FROM sources WHERE active = 1 ORDER BY error_count DESC, id"))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(
        "Source", "Type", "Dernière lecture", "Statut", "Inchangé (304)", "Échecs", "Dernière erreur"
    )
    for row in rows:
        state = "en échec" if row["error_count"] else ("jamais lue" if not row["last_fetch_at"] else "ok")
        checks = f"{row['not_modified']}/{row['fetches']}"
        last = date_fr(row["last_fetch_at"])
        table.add_row(
            row["name"], row["kind"], last, state, checks, str(row["error_count"]), row["last_error"] or ""
        )
    Console().print(table)


@main.command()
@click.option(
    "--topics",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Lexicon file (default: topics.yml in the --config folder).",
)
@common_options
def classify(topics: Path | None, config_dir: Path, db_path: Path) -> None:
    """Judge stories read as JSON Lines on stdin; write one JSON line per story on stdout.

    Input: {"id", "title", "summary"?, "text"?, "lang"?}; output: {"id", "relevant", "score",
    "topics", "kind", "matched"}. The same function the news pipeline uses.

    Example: veille classify < stories.jsonl > judged.jsonl
    """
    from monitor.relevance import LexiconError, classify_lines, load_lexicon

    try:
        lexicon = load_lexicon(topics or config_dir / "topics.yml")
    except LexiconError as exc:
        raise VeilleError(str(exc)) from exc
    errors = classify_lines(lexicon, sys.stdin, sys.stdout)
    for line_number, message in errors:
        click.echo(f"Ligne {line_number} ignorée : {message}", err=True)
    if errors:
        sys.exit(2)


@main.command()
@click.option("--weeks", type=int, default=4, show_default=True, help="How many weeks ahead to show.")
@click.option(
    "--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Show the rota as of this day."
)
@common_options
def rota(weeks: int, day: Any, config_dir: Path, db_path: Path) -> None:
    """Who is on watch duty now and in the coming weeks; stores the schedule in the `duty` table.

    Example: veille rota --weeks 12
    """
    from datetime import date as date_type
    from datetime import timedelta

    from monitor.rota import on_duty, schedule
    from monitor.store import Store

    config = load_config(config_dir)
    if not config.rota.start or not config.rota.members:
        raise VeilleError(f"aucun roulement configuré (section « rota » de {config_dir / 'config.yml'})")
    today = day.date() if day else date_type.today()
    horizon = max(today, config.rota.start) + timedelta(weeks=max(weeks, 52))
    turns = schedule(config.rota.start, config.rota.turn_weeks, list(config.rota.members),
                     list(config.rota.overrides), horizon)  # fmt: skip
    Store.open(db_path).save_duty(turns)
    names = {m.id: m.name for m in config.members} | {"secretariat": "Secrétariat du Collectif"}
    current = on_duty(turns, today)
    click.echo(
        f"De veille aujourd'hui ({today:%d/%m/%Y}) : {names[current.member_id] if current else 'personne'}"
    )
    end = today + timedelta(weeks=weeks)
    table = Table("Du", "Au", "Association de veille", "Remarque")
    for turn in turns:
        if turn.end >= today and turn.start <= end:
            table.add_row(
                f"{turn.start:%d/%m/%Y}",
                f"{turn.end:%d/%m/%Y}",
                names.get(turn.member_id, turn.member_id),
                turn.note,
            )
    Console().print(table)


def _secrets_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--secrets",
        "secrets_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path("data/secrets.yml"),
        envvar="VEILLE_SECRETS",
        show_default=True,
        help="Accounts and cookie secret (keep it out of git).",
    )(command)


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface)."
)
@click.option("--port", type=int, default=8001, show_default=True, help="Port to listen on.")
@click.option(
    "--base-url", default="/", show_default=True, help="Path prefix behind a reverse proxy, e.g. /veille/."
)
@_secrets_option
@common_options
def serve(host: str, port: int, base_url: str, secrets_path: Path, config_dir: Path, db_path: Path) -> None:
    """Open the triage desk: « À trier », the review, Datasette's tables and the Atom feed.

    Example: veille serve --port 8001
    """
    _open_desk(load_config(config_dir), db_path, secrets_path, host, port, base_url)


def _open_desk(
    config: Config, db_path: Path, secrets_path: Path, host: str, port: int, base_url: str
) -> None:
    """Serve the triage desk until interrupted."""
    import uvicorn

    from monitor.serve import Secrets, build_datasette
    from monitor.store import Store

    store = Store.open(db_path)
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
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True)
@click.option(
    "--limit", type=int, default=20, show_default=True, help="How many of the latest published stories."
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File to write (default: stdout)."
)
@common_options
def export(fmt: str, limit: int, output: Path | None, config_dir: Path, db_path: Path) -> None:
    """The published news, as an HTML fragment to paste on the home page, or JSON.

    Example: veille export --format html -o actualites.html
    """
    from monitor.export import published, render
    from monitor.store import Store

    if not db_path.exists():
        raise VeilleError(f"base de données introuvable : {db_path}")
    text = render(published(Store.open(db_path), limit), fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        stderr.print(f"Actualités écrites dans {output}")
    else:
        click.echo(text)


@main.group()
def users() -> None:
    """Accounts of the triage desk."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["member", "secretariat"]), default="member", show_default=True)
@click.password_option("--password", prompt="Mot de passe", confirmation_prompt="Confirmer")
@_secrets_option
@common_options
def users_add(
    name: str, role: str, password: str, secrets_path: Path, config_dir: Path, db_path: Path
) -> None:
    """Create or replace an account: an association (its id in members.yml) or the secretariat.

    Example: veille users add amicale-du-nid
    """
    from monitor.serve import Secrets

    config = load_config(config_dir)
    if role == "member" and name not in {m.id for m in config.members}:
        raise VeilleError(f"association inconnue : {name} (identifiants dans {config_dir / 'members.yml'})")
    secrets = Secrets.load(secrets_path)
    secrets.add_user(name, password, role)
    secrets.save()
    click.echo(f"Compte « {name} » ({role}) enregistré dans {secrets_path}")


@main.group("config")
def config_group() -> None:
    """The Collectif's configuration files."""


@config_group.command("check")
@common_options
def config_check(config_dir: Path, db_path: Path) -> None:
    """Validate config.yml, members.yml, sources.yml and topics.yml.

    Example: veille config check --config data/
    """
    from monitor.serve import check_triage

    config, sources, lexicon = _load_news_config(config_dir)
    check_triage(config.triage, config_dir / "config.yml")
    with_site = sum(1 for m in config.members if m.site)
    click.echo(
        f"Configuration valide : {len(config.members)} associations, dont {with_site} avec un site ;"
        f" {len(sources.sources)} sources ; {len(lexicon.terms)} termes de pertinence."
    )


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/demo"),
    show_default=True,
    help="Folder for the demo's configuration, database and report.",
)
@click.option("--browser/--no-browser", default=None, help="Force browser confirmation on or off.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--serve/--no-serve",
    default=None,
    help="Open the triage desk on the demo data at the end [default: when run from a terminal].",
)
@click.option("--port", type=int, default=8001, show_default=True, help="Port of the triage desk.")
def demo(out: Path, browser: bool | None, quiet: bool, serve: bool | None, port: int) -> None:
    """Run the nightly job on a bundled fictional web (offline), write the report, then open the
    triage desk on the demo data.

    Example: veille demo
    """
    from monitor.demo.run import prepare
    from monitor.demo.web import FixtureWeb
    from monitor.links import run_links
    from monitor.news import run_news
    from monitor.report import build_report, render
    from monitor.store import Store

    with FixtureWeb() as web:
        paths = prepare(out, web)
        config, sources, lexicon = _load_news_config(paths.config)
        store = Store.open(paths.db)
        run_id, result = _crawl_with_progress(
            quiet, lambda tick: run_links(store, config, browser=browser, on_progress=tick)
        )
        _print_run(config, run_id, result, as_json=False, quiet=quiet)
        store.sync_sources(sources.sources)
        with _progress(quiet) as progress:
            task = progress.add_task("Veille d'actualité…", total=None)
            news_run_id, summary = run_news(
                store, config, lexicon, lambda t: progress.update(task, description=t)
            )
        _print_news_summary(news_run_id, summary, as_json=False, quiet=quiet)
    paths.report.write_text(render(build_report(store, config), "html"), encoding="utf-8")
    from monitor.demo.run import DEMO_ACCOUNTS, DEMO_PASSWORD
    from monitor.rota import schedule

    rota = config.rota
    if rota.start:
        until = rota.start + timedelta(weeks=52)
        store.save_duty(
            schedule(rota.start, rota.turn_weeks, list(rota.members), list(rota.overrides), until)
        )
    click.echo(f"Base de démonstration : {paths.db}")
    click.echo(f"Rapport des liens : {paths.report.resolve()}")
    accounts = ", ".join(name for name, _ in DEMO_ACCOUNTS)
    click.echo(f"Comptes de démonstration : {accounts} (mot de passe : {DEMO_PASSWORD})")
    if serve if serve is not None else sys.stdout.isatty():
        _open_desk(config, paths.db, paths.secrets, "127.0.0.1", port, "/")
    else:
        serve_command = (
            f"uv run veille serve --db {paths.db} --config {paths.config} --secrets {paths.secrets}"
        )
        click.echo(f"Bureau de tri : {serve_command}")
