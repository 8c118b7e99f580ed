"""The `veille relevance` commands: how the model learnt from the desk does, against the lexicon."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.base import VeilleError, common_options, edge_path, existing_store, main
from monitor.config import load_config


@main.group()
def relevance() -> None:
    """What is relevant: the lexicon, and what the desk's decisions taught."""


@relevance.command("report")
@click.option("--held-out", type=click.FloatRange(0.1, 0.5), default=0.25, show_default=True,
              help="Share of the newest decisions kept aside to test on.")  # fmt: skip
@click.option("--topics", type=edge_path(dir_okay=False), default=None,
              help="Lexicon file (default: topics.yml in the --config folder).")  # fmt: skip
@common_options
def relevance_report(held_out: float, topics: Path | None, config_dir: Path, db_path: Path) -> None:
    """Train on the older decisions, test on the newest: the model, the lexicon alone, and both.

    Example: veille relevance report --held-out 0.25
    """
    from monitor.relevance import LexiconError, load_lexicon
    from monitor.relevance.report import desk_report

    config = load_config(config_dir)
    try:
        lexicon = load_lexicon(topics or config_dir / "topics.yml")
    except LexiconError as exc:
        raise VeilleError(str(exc)) from exc
    click.echo(desk_report(existing_store(db_path), lexicon, config.news, held_out))
