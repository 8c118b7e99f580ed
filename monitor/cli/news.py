"""The `veille news` commands and `veille classify`: harvest, sources' health, relevance."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from monitor.cli.base import VeilleError, common_options, edge_path, main, progress_bar, stderr, stdout
from monitor.config import Config, load_config


@main.group()
def news() -> None:
    """La veille d'actualité : sources, collecte, pertinence."""


def load_news_config(config_dir: Path, db_path: Path | None = None) -> tuple[Config, Any, Callable[[], Any]]:
    """Configuration, sources and the lexicon, checked now and given by a function when asked for;
    with `db_path`, from the compiled copy kept beside that database when the file did not change
    (monitor/relevance/cache.py), read only if the night has entries to judge."""
    from monitor.news.sources import load_sources
    from monitor.relevance import LexiconError, load_lexicon
    from monitor.relevance.cache import cache_folder, cached_lexicon

    config = load_config(config_dir)
    topics = config_dir / "topics.yml"
    try:
        if db_path:
            lexicon = cached_lexicon(topics, cache_folder(db_path))
        else:
            loaded = load_lexicon(topics)

            def lexicon() -> Any:
                return loaded
    except LexiconError as exc:
        raise VeilleError(str(exc)) from exc
    return config, load_sources(config_dir / "sources.yml"), lexicon


@news.command("run")
@click.option("--no-articles", is_flag=True, help="Les flux seulement, sans lire les pages des articles.")
@click.option("--json", "as_json", is_flag=True, help="Afficher le bilan en JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Sans progression ni bilan.")
@common_options
def news_run(no_articles: bool, as_json: bool, quiet: bool, config_dir: Path, db_path: Path) -> None:
    """Lire chaque source à échéance, juger et enregistrer les histoires.

    Exemple : veille news run --db data/veille.db
    """
    from monitor.news.run import run_news
    from monitor.store import Store

    config, sources, lexicon = load_news_config(config_dir, db_path)
    with Store.open(db_path) as store, progress_bar(quiet or as_json) as progress:
        store.sync_sources(sources.sources)
        task = progress.add_task("Veille d'actualité…", total=None)
        run_id, summary = run_news(
            store, config, lexicon, lambda text: progress.update(task, description=text), not no_articles
        )
    print_news_summary(run_id, summary, as_json, quiet)


def print_news_summary(run_id: int, summary: Any, as_json: bool, quiet: bool) -> None:
    if as_json:
        click.echo(json.dumps({"run_id": run_id, **summary.to_json()}, ensure_ascii=False, indent=1))
    elif not quiet:
        from rich.table import Table

        table = Table("Veille d'actualité", "", show_header=False)
        for label, value in (
            ("Sources lues", summary.fetched), ("dont inchangées (304)", summary.not_modified),
            ("dont en échec", summary.failed), ("Entrées lues", summary.entries),
            ("Nouveaux articles", summary.new_articles), ("dont pertinents", summary.relevant),
            ("Doublons", summary.duplicates), ("Entrées rejetées", summary.rejected),
            ("Pages d'articles lues", summary.articles_fetched), ("Nouvelles histoires", summary.new_stories),
        ):  # fmt: skip
            table.add_row(label, str(value))
        stdout().print(table)
        for error in summary.errors[:20]:
            stderr().print(f"[yellow]Source en échec[/] {error}")


@news.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Afficher les sources en JSON.")
@common_options
def news_sources(as_json: bool, config_dir: Path, db_path: Path) -> None:
    """L'état de chaque source : dernière lecture, réponses 304, échecs et dernière erreur.

    Exemple : veille news sources
    """
    from monitor.labels import date_fr
    from monitor.store import Store

    _, sources, _ = load_news_config(config_dir)
    with Store.open(db_path) as store:
        store.sync_sources(sources.sources)
        rows = list(store.db.query("SELECT * FROM sources WHERE active = 1 ORDER BY error_count DESC, id"))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.table import Table

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
    stdout().print(table)


@main.command()
@click.option(
    "--topics",
    type=edge_path(dir_okay=False),
    default=None,
    help="Fichier du lexique (par défaut : topics.yml du dossier --config).",
)
@click.option("--no-model", is_flag=True, help="Le lexique seul, sans le modèle appris sur le corpus.")
@common_options
def classify(topics: Path | None, no_model: bool, config_dir: Path, db_path: Path) -> None:
    """Juger des histoires lues en JSON Lines sur l'entrée standard ; une ligne JSON par histoire en sortie.

    Entrée : {"id", "title", "summary"?, "text"?, "lang"?} ; sortie : {"id", "relevant", "score",
    "topics", "kind", "matched", "weak", "evidence", "why"}. La fonction même de la veille
    d'actualité : le lexique et ses règles, puis le modèle appris sur le corpus (relevance-model.json
    du dossier --config, s'il existe), qui ne peut que retenir une histoire manquée par le lexique.

    Exemple : veille classify < stories.jsonl > judged.jsonl
    """
    from monitor.relevance import LexiconError, classify_lines
    from monitor.relevance.cache import cache_folder, load_cached_lexicon
    from monitor.relevance.learning import MODEL_FILE, shipped_judge

    try:  # the compiled copy the nights keep beside the database, when it is this very lexicon
        lexicon = load_cached_lexicon(topics or config_dir / "topics.yml", cache_folder(db_path))
    except LexiconError as exc:
        raise VeilleError(str(exc)) from exc
    settings = load_config(config_dir).news
    judge = None if no_model else shipped_judge(config_dir / MODEL_FILE, settings, lexicon)
    errors = classify_lines(lexicon, sys.stdin, sys.stdout, judge)
    for line_number, message in errors:
        click.echo(f"Ligne {line_number} ignorée : {message}", err=True)
    if errors:
        sys.exit(2)
