"""The `veille relevance` commands: how the model learnt from the desk does, against the lexicon."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.base import VeilleError, common_options, edge_path, existing_store, main
from monitor.config import load_config

CORPUS = Path("data/corpus/stories.jsonl")
# The blind sets whose first runs are reported (tests/cases/blind-*.jsonl, joined): the model learns
# from them too, since the stories the next blind sets bring are told as theirs are.
SPENT = Path("data/corpus/spent.jsonl")


@main.group()
def relevance() -> None:
    """Ce qui est pertinent : le lexique, et ce qu'ont appris les décisions du bureau de tri."""


@relevance.command("report")
@click.option("--held-out", type=click.FloatRange(0.1, 0.5), default=0.25, show_default=True, metavar="PART",
              help="Part des décisions les plus récentes mise de côté pour le test.")  # fmt: skip
@click.option("--topics", type=edge_path(dir_okay=False), default=None,
              help="Fichier du lexique (par défaut : topics.yml du dossier --config).")  # fmt: skip
@common_options
def relevance_report(held_out: float, topics: Path | None, config_dir: Path, db_path: Path) -> None:
    """Apprendre sur les décisions anciennes, tester sur les récentes : le modèle, le lexique seul, et les
    deux.

    Exemple : veille relevance report --held-out 0.25
    """
    from monitor.relevance import LexiconError, load_lexicon
    from monitor.relevance.report import desk_report

    config = load_config(config_dir)
    try:
        lexicon = load_lexicon(topics or config_dir / "topics.yml")
    except LexiconError as exc:
        raise VeilleError(str(exc)) from exc
    with existing_store(db_path) as store:
        click.echo(desk_report(store, lexicon, config.news, held_out))


@relevance.command("corpus")
@click.argument("sources", nargs=-1, required=True, type=edge_path(exists=True, dir_okay=False))
@click.option("--against", "tests", multiple=True, type=edge_path(exists=True, dir_okay=False),
              help="Un jeu de test : ses histoires et quasi-doublons exclus ; répétable.")  # fmt: skip
@click.option("--out", type=edge_path(dir_okay=False), required=True, help="Le fichier du corpus écrit.")
def relevance_corpus(sources: tuple[Path, ...], tests: tuple[Path, ...], out: Path) -> None:
    """Réunir des fichiers de corpus en un seul, sans quasi-doublons entre eux ni avec les jeux de test.

    Exemple : veille relevance corpus en.jsonl --against tests/cases/blind-5.jsonl --out stories.jsonl
    """
    from monitor.relevance.corpus import CorpusError, read_corpus_files, without_duplicates

    try:
        stories = read_corpus_files(sources)
        others = [s["title"] for s in read_corpus_files(tests, labelled=False)]
    except CorpusError as exc:
        raise VeilleError(str(exc)) from exc
    kept = without_duplicates(stories, others)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in kept), encoding="utf-8")
    click.echo(f"{len(kept)} histoires écrites dans {out} ({len(stories) - len(kept)} doublons écartés).")


@relevance.command("score")
@click.argument("stories", type=edge_path(exists=True, dir_okay=False))
@click.option("--no-model", is_flag=True, help="Le lexique seul, sans le modèle appris.")
@common_options
def relevance_score(stories: Path, no_model: bool, config_dir: Path, db_path: Path) -> None:
    """Le premier passage d'un jeu de test étiqueté : les histoires jugées comme la nuit les juge
    (lexique puis modèle), les chiffres de docs/news.md et les histoires derrière chaque erreur.

    Exemple : veille relevance score tests/cases/blind-16.jsonl
    """
    from monitor.relevance import LexiconError, classify, load_lexicon
    from monitor.relevance.blind import FirstRun, render
    from monitor.relevance.corpus import CorpusError, read_corpus
    from monitor.relevance.learning import MODEL_FILE, shipped_judge

    try:
        lexicon = load_lexicon(config_dir / "topics.yml")
        with stories.open(encoding="utf-8") as lines:
            found = read_corpus(lines, str(stories))
    except (LexiconError, CorpusError) as exc:
        raise VeilleError(str(exc)) from exc
    settings = load_config(config_dir).news
    judge = None if no_model else shipped_judge(config_dir / MODEL_FILE, settings, lexicon)
    judged = []
    for story in found:
        title, summary = story["title"], story.get("summary") or ""
        result = classify(lexicon, title, summary)
        judged.append(judge(result, title, summary) if judge else result)
    click.echo(render(stories.stem, FirstRun(found, judged)))


@relevance.command("train")
@click.option("--corpus", "corpora", type=edge_path(exists=True, dir_okay=False), multiple=True,
              default=[CORPUS, SPENT], show_default=True,
              help="Un fichier d'histoires étiquetées (l'option se répète ; l'ordre compte).")  # fmt: skip
@click.option("--out", type=edge_path(dir_okay=False), default=Path("data/relevance-model.json"),
              show_default=True, help="Le fichier du modèle écrit.")  # fmt: skip
@click.option("--with-desk", is_flag=True, help="Ajouter les décisions du bureau de tri de la base --db.")
@common_options
def relevance_train(
    corpora: tuple[Path, ...], out: Path, with_desk: bool, config_dir: Path, db_path: Path
) -> None:
    """Refaire le modèle à partir du corpus et des jeux aveugles déjà passés (et des décisions du bureau
    de tri) : mêmes entrées, même fichier.

    Exemple : veille relevance train --corpus data/corpus/stories.jsonl --corpus data/corpus/spent.jsonl
    """
    from monitor.relevance.corpus import CorpusError, read_corpus_files, train_model

    try:
        stories = read_corpus_files(corpora)
    except CorpusError as exc:
        raise VeilleError(str(exc)) from exc
    desk = None
    if with_desk:
        with existing_store(db_path) as store:
            desk = store.desk_decisions()
    model = train_model(stories, desk)
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    counts = f"{model.details['corpus']} histoires du corpus, {model.details['desk']} décisions de la veille"
    click.echo(f"Modèle écrit dans {out} : {counts}, {len(model.vocabulary)} termes.")


@relevance.command("cv")
@click.option("--corpus", type=edge_path(exists=True, dir_okay=False), default=CORPUS, show_default=True,
              help="Le corpus étiqueté.")  # fmt: skip
@click.option("--by", type=click.Choice(["outlet", "date"]), default="outlet", show_default=True,
              help="Critère de regroupement des plis.")  # fmt: skip
@click.option("--season", "season_only", is_flag=True,
              help="À la place : une saison de décisions simulée sur des étiquettes écartées.")  # fmt: skip
@common_options
def relevance_cv(corpus: Path, by: str, season_only: bool, config_dir: Path, db_path: Path) -> None:
    """Validation croisée du lexique et du modèle sur le corpus : par langue, forme, nommé ou décrit.

    Exemple : veille relevance cv --by outlet
    """
    from monitor.relevance import LexiconError, load_lexicon
    from monitor.relevance.corpus import CorpusError, read_corpus_files
    from monitor.relevance.crossval import cross_validate, season, table

    try:
        lexicon = load_lexicon(config_dir / "topics.yml")
        stories = read_corpus_files([corpus])
    except (LexiconError, CorpusError) as exc:
        raise VeilleError(str(exc)) from exc
    settings = load_config(config_dir).news
    if season_only:
        click.echo(season(lexicon, stories, settings))
        return
    results = cross_validate(lexicon, stories, settings, by)
    for title, key in (("language", lambda s: s.get("lang") or "?"),
                       ("form", lambda s: str(s.get("form") or "trap").replace(" ", "_")),
                       ("named", lambda s: "named" if s.get("named") else "described")):  # fmt: skip
        click.echo(f"\nBy {title}:\n" + table(results, key))
