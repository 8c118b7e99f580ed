"""Relevance: literal trap cases written for Veille, and precision/recall on the development headlines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.relevance import LexiconError, classify, fold, lexicon_from_data, load_lexicon
from tests.conftest import shared_corpus

LEXICON = load_lexicon(Path(__file__).parent.parent / "data" / "topics.yml")


@pytest.mark.parametrize(
    "title",
    [
        "Réforme des retraites : les syndicats appellent à une nouvelle journée de grève",
        "Il prend sa retraite après vingt ans au club",
        "Maltraitance en crèche : une enquête ouverte après des signalements",
        "Le traité de libre-échange ratifié par le Parlement européen",
        "Un traiteur lyonnais récompensé pour son buffet de Noël",
        "Salon de l'agriculture : la traite des vaches en démonstration",
        "Robot de traite : les éleveurs laitiers investissent",
        "Comptabilité : comment escompter une lettre de change",
        "Trafic de stupéfiants : trois dealers interpellés à Marseille",
        "Drug trafficking kingpin extradited to the United States",
        "Trafic perturbé sur l'A7 en raison d'un accident",
        "Reprise de l'exploitation agricole familiale : un défi pour les jeunes",
        "Hommage aux mineurs de fond du bassin houiller",
        "Mise à jour du système d'exploitation : ce qui change",
        "Je suis esclave de mon smartphone, avoue l'influenceuse",
        "Saisie record d'ivoire : un trafic d'espèces protégées démantelé",
        "10 mai : commémoration des mémoires de la traite négrière et de l'abolition de l'esclavage",
        "Critique : un film poignant sur la prostitution dans le Paris des années 1950",
        "Faut-il rouvrir les maisons closes ? Le débat relancé",
        "Un réseau de passeurs démantelé à Calais, huit interpellations",
        # Traps sharing the crime's words, found in the corpus (tests/test_relevance_model.py has the weak lane's)
        "Pimp My Ride: the car makeover show is back",
        "Court orders Mitsubishi to pay damages to wartime slave workers",
        "Caribbean leaders make case for slavery reparations at the UN",
        "Juneteenth: descendants of slaves celebrate emancipation day",
        "Blatter taken to task over 'ludicrous' slavery claim",
        "Staggering drug bust shows traffickers turning to East Coast",
        "Trafic d'organes : cette rumeur d'enlèvements en camionnette est un faux",
        "How student loan debt keeps people enslaved",
        "Fifty Shades: bondage film has a record weekend",
        "Sans enclave, point de servitude : le droit de passage devant le juge",
        "Madagascar : un trafic de bois précieux démantelé",
        "Customs detention order on counterfeit handbags",
        # Blind-97 (twenty-second session): the MIPROF's other half, violence against women
        "Féminicides conjugaux : une nouvelle hausse en 2024, alerte la Miprof",
        "Voters approve anti-slavery ballot measures on prison labor",
    ],
)
def test_traps_are_not_relevant(title: str) -> None:
    result = classify(LEXICON, title)
    assert not result.relevant, (result.score, result.matched)


@pytest.mark.parametrize(
    ("title", "summary", "topic", "kind"),
    [
        ("Proxénétisme aggravé : un couple condamné à huit ans de prison", "", "proxenetisme", "justice"),
        (
            "Des saisonniers soumis au travail forcé dans des vignes",
            "Sans salaire, logés dans des conditions indignes.",
            "travail_force",
            None,
        ),
        (
            "Servitude domestique : une employée de maison libérée après dix ans",
            "",
            "esclavage_moderne",
            None,
        ),
        ("Mendicité forcée : des enfants exploités dans le métro", "", "mendicite_forcee", None),
        ("County lines: teenagers groomed to move drugs", "", "delinquance_forcee", None),
        (
            "Un réseau de prostitution démantelé, douze victimes mineures",
            "",
            "exploitation_sexuelle",
            "justice",
        ),
        (
            "18 octobre : journée européenne de lutte contre la traite des êtres humains",
            "",
            "traite",
            "evenement",
        ),
        (
            "Le GRETA publie son rapport sur la France",
            "Le groupe d'experts appelle à mieux identifier les victimes.",
            "traite",
            "publication",
        ),
        ("Mariage forcé : une adolescente mise à l'abri", "", "mariage_force", None),
        # Blind-69 and 68 (twentieth session) missed the words of their first run's two stories
        ("Elle fuit un mariage imposé par son père à quinze ans", "", "mariage_force", None),
        ("Mendicité organisée : les « petites mains » dormaient dehors", "", "mendicite_forcee", None),
        # Blind-84 (twenty-second session): the singular, as its first run's one named miss had it
        ("Trafic d'organe : vingt-trois interpellations en Pologne", "", "organes", "justice"),
        # Blind-91 (twenty-second session): labour imposed by states, told as import bans
        ("US customs issue a withhold release order on Malaysian gloves", "", "travail_force", None),
        ("Cotton picked by coerced labor in Xinjiang, report finds", "", "travail_force", "publication"),
        ("Forced labour found in seafood supply chains, report says", "", "travail_force", "publication"),
        ("Vendue à un proxénète à quinze ans, elle témoigne", "", "exploitation_sexuelle", None),
        ("TRAITE DES ETRES HUMAINS : UN RÉSEAU NIGÉRIAN JUGÉ À LYON", "", "traite", "justice"),
    ],
)
def test_trafficking_stories_are_relevant_with_topic_and_kind(
    title: str, summary: str, topic: str, kind: str | None
) -> None:
    result = classify(LEXICON, title, summary)
    assert result.relevant, (result.score, result.matched)
    assert topic in result.topics
    if kind:
        assert result.kind == kind
    assert result.matched, "a relevant story says why"


def test_title_weighs_more_than_summary_and_text_is_capped() -> None:
    in_title = classify(LEXICON, "Travail forcé dans un atelier", "")
    in_summary = classify(LEXICON, "Un atelier", "Travail forcé dans un atelier")
    assert in_title.score > in_summary.score
    crowded = classify(
        LEXICON,
        "Brève",
        "",
        "esclavage moderne. " + "prostitution forcée, travail forcé, mendicité forcée. " * 50,
    )
    assert crowded.score <= LEXICON.field_weights["text"] * 5 + LEXICON.text_cap


def test_fold_keeps_positions() -> None:
    text = "Traité, Êtres « humains » – œuvre’s"
    assert fold(text) == "traite, etres « humains » - œuvre's"
    assert len(fold(text)) == len(text)


def test_lexicon_errors_name_the_entry() -> None:
    with pytest.raises(LexiconError, match=r"topics.yml: terms\[1\]"):
        lexicon_from_data({"terms": [{"phrase": "ok", "weight": 1}, {"weight": 2}]})
    with pytest.raises(LexiconError, match=r"topics.yml: vetoes\[1\]: motif invalide"):
        lexicon_from_data(
            {"terms": [{"phrase": "ok", "weight": 1}], "vetoes": ["coercive control", "(par son"]}
        )


def precision_and_recall(path: Path) -> tuple[float, float, int]:
    """Labelled headlines (JSON Lines with title, summary, label) through the classifier."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    outcomes = [
        (classify(LEXICON, r["title"], r["summary"]).relevant, r["label"] == "relevant") for r in rows
    ]
    true_positive = sum(1 for got, gold in outcomes if got and gold)
    precision = true_positive / max(1, sum(1 for got, _ in outcomes if got))
    recall = true_positive / sum(1 for _, gold in outcomes if gold)
    print(f"\n{path.name}: precision {precision:.3f}, recall {recall:.3f} ({len(rows)} items)")
    return precision, recall, len(rows)


def test_precision_and_recall_on_the_development_headlines() -> None:
    precision, recall, _ = precision_and_recall(shared_corpus("corpora", "headlines-dev", "headlines.jsonl"))
    assert precision >= 0.95 and recall >= 0.95


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).parent / "cases").glob("own-headlines*.jsonl")), ids=str
)
def test_precision_and_recall_on_our_own_headlines(path: Path) -> None:
    """Headlines written for Veille, each set before the lexicon was tuned on it (docs/news.md gives the
    figures each set had then: the honest estimate of what the lexicon does on unseen news)."""
    precision, recall, count = precision_and_recall(path)
    assert count >= 40 and precision >= 0.95 and recall >= 0.9


# Every blind set, at the targets now; docs/news.md gives each one's first run (blind-8 and 9: after the rules).
BLIND_SETS = [Path(__file__).parent / "cases" / f"blind-{n}.jsonl" for n in (5, 6, 7, 8, 9)]


@pytest.mark.parametrize("path", BLIND_SETS, ids=str)
def test_both_lanes_on_the_blind_sets(path: Path) -> None:
    """Real stories that describe exploitation without naming it, and traps next to them (docs/news.md:
    the figures of the first run, before the rules, and of the run after them)."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    judged = [(classify(LEXICON, r["title"], r["summary"]), r["label"] == "relevant") for r in rows]
    kept = [gold for result, gold in judged if result.relevant]
    relevant = sum(gold for _, gold in judged)
    seen = sum(1 for result, gold in judged if gold and (result.relevant or result.weak))
    assert len(rows) >= 40 and sum(kept) / len(kept) >= 0.95
    assert sum(kept) / relevant >= 0.85 and seen / relevant >= 0.95


# Written after the model's freeze, judged as the night judges (lexicon, then the corpus model):
# docs/news.md gives their first runs; the figures below are how the night judges them now.
NIGHT_BLIND_SETS = {
    # (« À trier » precision, kept and relevant, relevant, seen with the weak lane, weak lane's size) as
    # the night judges now; the first runs are in docs/news.md. Since the eighth session a weak signal
    # the model gives under 30 % leaves the weak lane (it was 10 %): 3 → 2, 1 → 0, 1 → 0 and 2 → 1
    # stories in the weak lanes of blind-10, 12, 13 and 15, none of them relevant. Since the ninth,
    # violence within a couple is vetoed (topics.yml `vetoes`): one trap fewer in blind-16's weak lane.
    # Since the tenth, the model is trained on the extended corpus (2,573 stories, data/corpus/RECIPE.md):
    # pooled over these sets, « À trier » 489/516 → 483/503 right, 33 → 34 of 78 → 75 in the weak lane.
    # Since the sixteenth, the model also learns from these sets (data/corpus/spent.jsonl): the figures
    # below are in-sample, a regression check and no longer a measure; their first runs stay in
    # docs/news.md, and docs/news.md « The spent blind sets join the training » measures the change on
    # each block of sets left out of the training. Since the twenty-second, the model's weak lane starts
    # at 60 % (it was 50 %): one relevant story each of blind-38 and 81 leaves it, in-sample.
    "blind-10": (1.0, 17, 17, 17, 0),
    "blind-11": (1.0, 20, 20, 20, 0),
    "blind-12": (23 / 24, 23, 23, 23, 0),
    "blind-13": (1.0, 19, 19, 19, 0),
    # First run: 3 stories in the weak lane; then « cochons « entassés » » no longer counts as a person.
    "blind-15": (1.0, 18, 18, 18, 0),
    # First run: À trier 19 of 21; then a slavery museum's opening is history, not news of the crime.
    "blind-16": (19 / 20, 19, 19, 19, 0),
    # First run: À trier 14 of 16; then « received only 12 months' notice » is no longer pay, and (ninth
    # session) Blatter's « modern slavery » of football transfers weighs −7.
    "blind-17": (1.0, 14, 14, 14, 0),
    "blind-18": (1.0, 8, 8, 8, 0),
    "blind-19": (18 / 19, 18, 19, 19, 1),
    # First run: À trier 24 of 27; then a woman chained by her husband is no longer lifted by the model.
    "blind-20": (1.0, 27, 27, 27, 1),
    # First run: À trier 18 of 19 (5 of 22 missed); then two surrogacy inquiries are kept, a university's
    # « legacy of slavery » is history.
    "blind-21": (1.0, 21, 22, 22, 1),
    "blind-22": (1.0, 24, 24, 24, 0),
    # First run: À trier 15 of 19, weak lane 7; then wildlife, a burial ground, child-abuse images and an
    # ex-boyfriend are out.
    "blind-23": (1.0, 17, 18, 18, 1),
    # First run: named 6 of 7; then « enfants victimes de trafic » is the crime named.
    "blind-24": (20 / 21, 20, 20, 20, 0),
    # First run: À trier 20 of 27; then abuse of care-home residents is vetoed, a « slave-like contract » is
    # a clause.
    "blind-25": (21 / 23, 21, 21, 21, 1),
    "blind-26": (24 / 25, 24, 26, 26, 2),
    "blind-27": (17 / 19, 17, 18, 18, 1),
    "blind-28": (1.0, 26, 27, 27, 1),
    "blind-29": (1.0, 15, 17, 17, 2),
    # First runs: Blatter's and a blog's « modern slavery » of football transfers in À trier (17, 30);
    # then release clauses and the transfer market weigh −7.
    "blind-30": (1.0, 20, 21, 21, 1),
    "blind-31": (23 / 24, 23, 27, 27, 5),
    # First run: À trier 13 of 15; then a « museum about history of slavery » is history.
    "blind-32": (1.0, 19, 21, 21, 2),
    # Tenth session, first runs with the model of the extended corpus (f78b1ae), docs/news.md.
    # First run: À trier 15 of 17; then Madagascar's prison sentences of « travaux forcés » are out.
    "blind-33": (1.0, 19, 19, 19, 0),
    "blind-34": (22 / 23, 22, 23, 23, 1),
    "blind-35": (23 / 24, 23, 23, 23, 0),
    "blind-36": (17 / 18, 17, 17, 17, 0),
    # First runs at ee5975d (after the « travaux forcés » change), docs/news.md.
    "blind-37": (1.0, 20, 20, 20, 0),
    "blind-38": (20 / 22, 20, 22, 21, 1),
    "blind-39": (1.0, 12, 12, 12, 0),
    "blind-40": (1.0, 21, 21, 21, 0),
    # Eleventh session, first runs at 4c29b8b (the model and lexicon of ee5975d), docs/news.md.
    "blind-41": (21 / 25, 21, 22, 22, 1),
    # First run: À trier 20 of 23; then « trafic de travailleuses » names trafficking.
    "blind-42": (1.0, 24, 25, 25, 1),
    "blind-43": (18 / 19, 18, 18, 18, 0),
    # First run: À trier 19 of 22; then « forcing person into sex work » is caught.
    "blind-44": (23 / 25, 23, 23, 23, 0),
    # Twelfth session, first runs at 96333a9 (the lexicon of cee299b, the model of f78b1ae), docs/news.md.
    "blind-45": (16 / 18, 16, 16, 16, 0),
    # First run: À trier 19 of 26; then an age makes a child only under 18 (« a 29-year-old »).
    "blind-46": (21 / 23, 21, 21, 21, 0),
    "blind-47": (26 / 27, 26, 26, 26, 0),
    "blind-48": (17 / 18, 17, 19, 19, 2),
    # Thirteenth session, first runs at f35c2b4 (the lexicon of 25199be, the model of f78b1ae), docs/news.md.
    "blind-49": (1.0, 27, 29, 29, 2),
    "blind-50": (1.0, 21, 21, 21, 0),
    "blind-51": (10 / 13, 10, 10, 10, 0),
    "blind-52": (13 / 14, 13, 16, 16, 3),
    # Sixteenth session: first runs at 0f3fb7a (the model that learns from blind-5 to 52) in docs/news.md;
    # since these sets joined data/corpus/spent.jsonl too, the figures below are in-sample.
    "blind-53": (1.0, 19, 19, 19, 0),
    "blind-54": (1.0, 20, 20, 20, 0),
    "blind-55": (19 / 23, 19, 20, 20, 1),
    "blind-56": (24 / 25, 24, 25, 25, 1),
    # Eighteenth session: first runs in docs/news.md (blind-59 at da11a1d, blind-60 at dc3898a, the model
    # of aa18229; blind-58 at 125d875, the model of fe7d425); in-sample since they joined
    # data/corpus/spent.jsonl.
    "blind-58": (18 / 20, 18, 19, 19, 1),
    "blind-59": (1.0, 20, 20, 20, 0),
    "blind-60": (1.0, 13, 13, 13, 1),
    # Blind-57, 61 and 62: first runs in the eighteenth session (lexicon of bc7c2f6, model of 3e6104f) in
    # docs/news.md; in-sample since they joined data/corpus/spent.jsonl in the nineteenth.
    "blind-57": (1.0, 18, 18, 18, 0),
    "blind-61": (21 / 22, 21, 21, 21, 0),
    "blind-62": (26 / 29, 26, 27, 27, 1),
    # Blind-63 and 65: first runs in the nineteenth session (lexicon of 780127f, model of a11244a) in
    # docs/news.md; in-sample since they joined data/corpus/spent.jsonl.
    "blind-63": (13 / 14, 13, 13, 13, 0),
    "blind-65": (24 / 25, 24, 24, 24, 0),
    # Blind-64: first run at ce76181 (lexicon of a21f348, model of d183be2); in-sample since it joined.
    "blind-64": (21 / 22, 21, 21, 21, 0),
    # Blind-66: first run at cb5f830 (lexicon of 756b3bf, model of 88be766); in-sample since it joined.
    "blind-66": (1.0, 21, 21, 21, 0),
    # Blind-71: first run at c5812ea (lexicon of 5be8dd3, model of 55d23a8); in-sample since it joined.
    "blind-71": (1.0, 16, 16, 16, 1),
    # Blind-67, 68, 69 (first runs at 9578f0f, afb43a0 and a5a75e5: lexicon of 5be8dd3, model of 6d24c7f)
    # and blind-70 (at 6d24c7f); in-sample since they joined. With them, one relevant story of blind-30
    # moves from « À trier » to the weak lane.
    "blind-67": (1.0, 23, 24, 24, 1),
    "blind-68": (24 / 25, 24, 24, 24, 0),
    "blind-69": (1.0, 17, 17, 17, 0),
    "blind-70": (1.0, 16, 17, 17, 1),
    # Blind-72 to 78: first runs at 8cc99f6 to 7b295da (lexicon of 3c2214d, model of 31eda01); in-sample
    # since they joined, with the model trained again and « atlantic trade » among the history words.
    # With them, one relevant story each of blind-27, 30 and 53 moves from the weak lane to « À trier »
    # (blind-30's back where it was), one each of blind-31 and 55 the other way, and one trap of blind-62
    # enters the weak lane.
    "blind-72": (1.0, 19, 19, 19, 0),
    "blind-73": (1.0, 11, 11, 11, 0),
    "blind-74": (22 / 23, 22, 22, 22, 0),
    "blind-75": (22 / 24, 22, 22, 22, 0),
    "blind-76": (20 / 23, 20, 20, 20, 0),
    "blind-77": (15 / 18, 15, 15, 15, 0),
    "blind-78": (15 / 16, 15, 16, 16, 1),
    # Blind-79 and 80: first runs at bd42557 and 305f08f (lexicon and model of 6d1a559); in-sample since
    # they joined. With them, one relevant story each of blind-29 and 53 moves from « À trier » to the
    # weak lane (blind-53's back where it was), and blind-62's trap leaves the weak lane.
    "blind-79": (22 / 23, 22, 22, 22, 0),
    "blind-80": (1.0, 25, 25, 25, 0),
    # Blind-81 and 82: first runs at 77c407a and 8de9739 (lexicon of 6d1a559, model of 4c43292); in-sample
    # since they joined. With them, one relevant story each of blind-53 and 55 moves back to « À trier »,
    # one each of blind-27 and 41 to the weak lane, and one trap each of blind-20 and 62 enters it.
    "blind-81": (23 / 24, 23, 25, 24, 1),
    "blind-82": (1.0, 15, 15, 15, 0),
    # Blind-83 to 88: first runs at 2bc3e30 (lexicon of 6d1a559, model of 6a4aa65), docs/news.md;
    # in-sample since they joined. With them, relevant stories move from « À trier » to the weak lane
    # (two of blind-26 and 78, one of blind-30 and 42), and a trap of blind-79 enters the weak lane.
    "blind-83": (18 / 19, 18, 20, 20, 2),
    "blind-84": (1.0, 14, 14, 14, 0),
    "blind-85": (1.0, 15, 15, 15, 0),
    "blind-86": (12 / 13, 12, 12, 12, 0),
    "blind-87": (1.0, 21, 21, 21, 0),
    "blind-88": (19 / 20, 19, 19, 19, 0),
    # Blind-89 to 92: first runs at 9abf543 (lexicon of 6d1a559, model of 9abf543), docs/news.md;
    # in-sample since they joined, with the lexicon entries of 5c05a7b. With them, one relevant story each
    # of blind-26, 30 and 78 moves back to « À trier », one of blind-19 to the weak lane; a trap of
    # blind-25 enters the weak lane and blind-79's leaves it.
    "blind-89": (17 / 20, 17, 17, 17, 0),
    "blind-90": (1.0, 22, 22, 22, 0),
    "blind-91": (1.0, 16, 21, 21, 5),
    "blind-92": (1.0, 17, 18, 17, 0),
    # Blind-93 to 96: first runs at 1bd7976 (lexicon of 5c05a7b, model of 1bd7976), docs/news.md;
    # in-sample since they joined. With them, one relevant story each of blind-26 and 48 moves to the
    # weak lane, one of blind-31 from it to « À trier ».
    "blind-93": (1.0, 18, 18, 18, 0),
    "blind-94": (1.0, 13, 13, 13, 0),
    "blind-95": (23 / 25, 23, 23, 23, 1),
    "blind-96": (1.0, 15, 15, 15, 0),
    # Blind-97 to 100: first runs at 86f8f0e (lexicon of 5c05a7b, model of 4bf9e26), docs/news.md;
    # in-sample since they joined, with the MIPROF weighing 1. With them, one relevant story each of
    # blind-30, 31, 34, 49, 55 and 83 moves to the weak lane, one of blind-42 back to « À trier »; a trap
    # of blind-62 leaves the weak lane, one of blind-95 enters it.
    "blind-97": (25 / 26, 25, 25, 25, 0),
    "blind-98": (14 / 15, 14, 15, 15, 1),
    "blind-99": (19 / 20, 19, 19, 19, 0),
    "blind-100": (16 / 17, 16, 18, 18, 2),
}


def test_an_age_makes_a_child_only_under_18() -> None:
    sent = "The gang sent the {age}-year-old begging for them in the city centre."
    child = classify(LEXICON, "A 12-year-old and a gang of beggars", sent.format(age=12))
    adult = classify(LEXICON, "A 29-year-old and a gang of beggars", sent.format(age=29))
    assert child.relevant and child.why == [
        "Enfants qui mendient pour d'autres : « 12-year-old » + « beggars » + « gang »"
    ]
    assert not adult.relevant and adult.why == []


@pytest.mark.parametrize("name", NIGHT_BLIND_SETS)
def test_the_nights_judgement_on_the_blind_sets_written_after_the_freeze(name: str) -> None:
    from monitor.config import load_config
    from monitor.relevance.learning import MODEL_FILE, shipped_judge

    data = Path(__file__).parent.parent / "data"
    judge = shipped_judge(data / MODEL_FILE, load_config(data).news, LEXICON)
    assert judge is not None
    rows = [
        json.loads(line)
        for line in (Path(__file__).parent / "cases" / f"{name}.jsonl").open(encoding="utf-8")
    ]
    judged = []
    for r in rows:
        result = judge(classify(LEXICON, r["title"], r["summary"]), r["title"], r["summary"])
        judged.append((result, r["label"] == "relevant"))
    kept = [gold for result, gold in judged if result.relevant]
    weak = [gold for result, gold in judged if result.weak and not result.relevant]
    relevant = sum(gold for _, gold in judged)
    seen = sum(1 for result, gold in judged if gold and (result.relevant or result.weak))
    precision, found, wanted, with_weak, weak_shown = NIGHT_BLIND_SETS[name]
    assert (sum(kept) / len(kept), sum(kept), relevant, seen, len(weak)) == (
        precision,
        found,
        wanted,
        with_weak,
        weak_shown,
    )


@pytest.mark.parametrize(
    "text",
    [
        "traite des etres humains : 12 victimes, l'affaire_2024 a lyon",
        "tab\there\x1cand\x1fcontrol\x0bchars, 3e2 and x_y",
        "« exploites » a l'usine, payes 2 euros",
        "œuvre des sœurs ; straße, ℕ et ① ",
        "",
    ],
)
def test_the_fast_word_splits_find_what_the_regular_expressions_find(text: str) -> None:
    import re

    from monitor.relevance.text import letter_words, words_of

    assert words_of(text) == re.findall(r"\w+", text)
    assert letter_words(text) == re.findall(r"[^\W\d_]+", text)


@pytest.mark.parametrize(
    "text, word",
    [
        ("traite, traites et la traite_2 ; traite", "traite"),
        ("victimes² victimes ①victimes victimesé victimes", "victimes"),
        ("abab ababab abab", "abab"),
        ("l'exploitation, l exploitation", "l"),
        ("sans-papiers sans papiers", "sans"),
        ("", "traite"),
        ("traite", "traite"),
    ],
)
def test_whole_words_are_found_where_the_regular_expression_finds_them(text: str, word: str) -> None:
    import re

    from monitor.relevance.text import whole_word_places

    assert whole_word_places(text, word) == [
        m.start() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    ]


def test_every_start_word_is_found_in_every_corpus_story_where_the_regular_expression_finds_it() -> None:
    import re

    from monitor.relevance.text import FoldedText, whole_word_places

    starts = {w for name in ("primary", "negatives", "contexts", "penalties", "vetoes", "all_kinds")
              for phrase in getattr(LEXICON, name) for w in phrase.starts}  # fmt: skip
    checked = 0
    corpus = Path(__file__).parent.parent / "data" / "corpus" / "stories.jsonl"
    for line in corpus.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        text = FoldedText.of(f"{story['title']} | {story['summary']}")
        for word in starts & text.words:
            expected = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text.folded)]
            assert whole_word_places(text.folded, word) == expected, (story["id"], word)
            checked += 1
    assert checked > 20_000


@pytest.mark.parametrize(
    "text, kept",
    [
        ("Valongo Wharf, where enslaved Africans landed, named a UNESCO World Heritage site", False),
        ("Monument to be built in Bucharest to the Roma victims of Romanian slavery", False),
        ("Police rescue trafficked women found working near the monument in the old town", True),
        ("Delivery workers protest as apps demand more work under threat of suspension", False),
        ("Des ouvriers font des heures supplémentaires sous la menace d'un licenciement", False),
        ("Des ouvriers contraints de travailler sous la menace de coups", True),
        (
            "Angolan artist builds slavery memorial in Lisbon, where millions of enslaved people were shipped",
            False,
        ),
        ("Lisbon unveils a memorial to the victims of slavery", False),
        ("Memorial service held for the 39 trafficking victims found dead in a lorry", True),
        ("Au Mémorial ACTe, une exposition sur la traite des êtres humains aujourd'hui", True),
        ("Slavery memorial vandalised as police free 12 workers held in debt bondage on a farm nearby", True),
        (
            "A DK book for young readers compares children's chores with the lives of enslaved people, tracing"
            " slavery from ancient times to the Atlantic trade that brought Africans to the Americas",
            False,
        ),
        ("Trafficked fishermen held in debt bondage on an Atlantic trawler are freed by police", True),
    ],
)
def test_a_place_of_memory_and_an_employers_sanction_are_not_todays_exploitation(
    text: str, kept: bool
) -> None:
    """From blind-58, 59, 65 and 73's first runs: slavery remembered at a monument, a memorial or a World
    Heritage site, or told as the Atlantic trade's history, and a platform's or employer's threat of a
    sanction; a monument, a memorial or the Atlantic in passing, today's trafficking shown at one, and a
    threat of blows still count."""
    assert classify(LEXICON, text).relevant is kept


@pytest.mark.parametrize(
    "text, kept",
    [
        ("L'ancien président condamné par contumace à des travaux forcés à perpétuité", False),
        ("Dix-sept détenus libérés, dont neuf condamnés à cinq ans de travaux forcés", False),
        ("Condamné aux travaux forcés, il s'évade de la maison de force", False),
        ("Des ouvriers soumis à des travaux forcés dans une exploitation agricole", True),
        ("Condamnés pour travaux forcés imposés à des migrants", True),
    ],
)
def test_travaux_forces_as_a_prison_sentence_is_not_forced_labour(text: str, kept: bool) -> None:
    """Blind-33's Malagasy verdicts: « travaux forcés » is a penal sentence there (topics.yml negatives)."""
    assert classify(LEXICON, text).relevant is kept


@pytest.mark.parametrize(
    "text, kept",
    [
        ("Man found guilty of forcing person into sex work", True),
        ("Two men accused of coercing young women into prostitution in Leeds", True),
        ("Anosy : double arrestation pour trafic de travailleuses", True),
        ("Démantèlement d'un trafic d'ouvriers agricoles entre le Maroc et l'Espagne", True),
        ("Forcing people into the office five days a week hurts productivity", False),
        ("Trafic de voitures volées : des ouvriers du port interpellés", False),
    ],
)
def test_forcing_a_person_into_sex_work_and_trafficking_workers_are_named(text: str, kept: bool) -> None:
    """Blind-44's « forcing person into sex work » and blind-42's « trafic de travailleuses », missed at
    their first runs (docs/news.md)."""
    assert classify(LEXICON, text).relevant is kept


@pytest.mark.parametrize(
    "text, persons",
    [
        ("How trafficked cheetah cubs move from the wild and into your Instagram feed", False),
        ("Cheetah trafficking: two men on trial after ten cubs found in a house", False),
        ("Falcon traffickers jailed after 40 birds seized at airport", False),
        ("Trafficked women rescued from a private zoo where lion cubs were kept", True),
    ],
)
def test_trafficked_animals_are_wildlife_not_persons(text: str, persons: bool) -> None:
    """Blind-64's cheetah cubs, « trafficked » to the Gulf: the animal beside the word is what is
    trafficked (topics.yml negatives), so the word is no term at all (the old lexicon kept the first and
    third and put the second in the weak lane); trafficked women beside animals are still persons."""
    result = classify(LEXICON, text)
    assert bool(result.matched) is persons and result.relevant is persons
