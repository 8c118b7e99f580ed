"""The model trained on the corpus beside the lexicon, `veille relevance train`, and the weak lane's
cues that need a person under constraint."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.news.harvest import Harvest
from monitor.relevance import classify, classify_lines, load_lexicon
from monitor.relevance.corpus import (
    CorpusError,
    near_duplicate,
    read_corpus,
    read_corpus_files,
    title_words,
    train_model,
    without_duplicates,
)
from monitor.relevance.crossval import season
from monitor.relevance.learning import MODEL_FILE, Decision, Model, lift, shipped_judge, shipped_model, train
from monitor.store import Store

ROOT = Path(__file__).parent.parent
LEXICON = load_lexicon(ROOT / "data" / "topics.yml")
SETTINGS = load_config(ROOT / "data").news


@pytest.mark.parametrize(
    "title, summary",
    [
        ("Les agriculteurs dénoncent la traite des cotisations", ""),
        ("La traite des factures impayées inquiète les artisans", ""),
        ("La traite des contributions inquiète les indépendants", ""),
        ("Fin de la traite des loyers impayés", ""),
        ("British Airways flight forced to make emergency landing in Siberia", ""),
        ("Footballer sold to rival club for record fee", ""),
        ("Player sold to Chelsea for 60 million", "the club were forced to sell him"),
        ("He was forced to sell his company", ""),
        ("Trafic de cocaïne : 500 kilos saisis au port du Havre, la drogue était dans des bananes", ""),
        ("Trafic de stupéfiants : les guetteurs payés 80 euros par jour", ""),
        ("Fentanyl trafficking network disrupted: 23 arrests", ""),
        ("Man jailed for trafficking enough fentanyl to kill millions", ""),
        ("Vendue aux enchères, la maison d'enfance du chanteur attire les collectionneurs", ""),
        (
            "« On est des esclaves des temps modernes », lâche le capitaine du PSG",
            "cinq matchs en quinze jours",
        ),
        ('"We are modern-day slaves", says Liverpool captain after fixture pile-up', ""),
        ("Les joueurs sont des esclaves modernes, dénonce un agent", ""),
        ("Mini-miss : les concours interdits sous peine de 30 000 euros d'amende", ""),
        ("Summit held in Paris", "the suspect was held in custody"),
        ("Les tableaux qui ont battu tous les records de vente", ""),
        ("Maltraitance : des poulets entassés dans un hangar", ""),
        ("L214 dénonce le traitement des cochons", "Des cochons « entassés », brutalisés à l'abattoir"),
        ('Pigs "crammed into" tiny pens at a factory farm', ""),
        (
            "PM urged to comply with pension change ruling",
            "the Department for Work and Pensions; some women received only 12 months' notice of the delay",
        ),
        (
            "America's First Slavery Museum Shifts the Focus from Masters to Slaves",
            "Unlike many plantation tours, the Whitney Plantation tells the history of slavery from the"
            " perspective of the people who were enslaved",
        ),
        ("Des nounous violentes piégées par des enregistrements clandestins", ""),
        ("Smugglers left migrants in a truck without water", ""),
        ("Businessman lured to a meeting by kidnappers who demanded a ransom", ""),
    ],
)
def test_the_weak_lane_keeps_no_cue_without_a_person_under_constraint(title: str, summary: str) -> None:
    judged = classify(LEXICON, title, summary)
    assert not judged.relevant and not judged.weak, judged


@pytest.mark.parametrize(
    "title, summary",
    [
        ("Girl, 14, sold to a cafe owner after answering a job advert on Facebook", ""),
        ("Inde : vendue 620 euros par sa sœur à un homme de quarante ans", ""),
        ("Workers were drugged and forced to work on the farm", ""),
        ("Teenage girls forced to sell sex on the streets of Leeds", ""),
        ("Women made to sell sex in hotels", ""),
        ("Pregnant surrogates freed", "they were held in a cramped Phnom Penh villa they could not leave"),
        ("GPA : scandale en Grèce", "des femmes pauvres poussées à vendre leurs ovocytes"),
        ("Jobseekers held in compounds", "and forced to run online scams"),
        ("Une aide à domicile séquestrée et battue pendant des années", ""),
        ("Des ouvriers « entassés » dans des conteneurs sans eau", ""),
        ('Workers "crammed into" a shed on the farm, passports taken', ""),
        (
            "Cannabis gardener jailed",
            "he tended 436 plants in a house and received just £20 for three weeks of work",
        ),
    ],
)
def test_a_person_sold_or_drugged_still_counts(title: str, summary: str) -> None:
    judged = classify(LEXICON, title, summary)
    assert judged.relevant or judged.weak, judged


def test_near_duplicates_of_a_test_set_and_of_each_other_are_dropped() -> None:
    stories = [
        {"title": "Bonded labourers rescued from brick factory", "label": "relevant"},
        {"title": "Bonded labourers rescued from a brick factory!", "label": "relevant"},
        {"title": "Vendangeurs jamais payés : procès à Dijon", "label": "relevant"},
        {"title": "Chelsea complete Morata signing", "label": "irrelevant"},
    ]
    kept = without_duplicates(stories, ["Vendangeurs jamais payés : le procès à Dijon"])
    assert [s["title"] for s in kept] == [stories[0]["title"], stories[3]["title"]]
    assert not near_duplicate(title_words("Chelsea complete Morata signing"), title_words("Bonded labourers"))


STORIES = [
    {
        "title": f"Harvest crew stayed in the shed all season {n}",
        "summary": "the recruiter kept the money",
        "label": "relevant",
    }
    for n in range(6)
] + [
    {"title": f"Farm shed prices rise again {n}", "summary": "a market report", "label": "irrelevant"}
    for n in range(6)
]


def test_the_corpus_model_lifts_what_the_lexicon_missed_and_says_why_in_words() -> None:
    model = train_model(STORIES)
    assert model.details == {"version": 1, "corpus": 12, "desk": 0, "source": "corpus"}
    judge = shipped_judge_of(model)
    out = io.StringIO()
    lines = [json.dumps({"id": 1, "title": "Harvest crew stayed in the shed", "summary": "the recruiter kept the money"}),
             json.dumps({"id": 2, "title": "Farm shed prices", "summary": "a market report"})]  # fmt: skip
    assert classify_lines(LEXICON, lines, out, judge) == []
    lifted, left = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lifted["relevant"] or lifted["weak"]
    assert any(w.startswith("Appris des exemples du corpus") and "« " in w for w in lifted["why"]), lifted[
        "why"
    ]
    assert not left["relevant"] and not left["weak"]


def shipped_judge_of(model: Model, tmp: Path | None = None):  # type: ignore[no-untyped-def]
    path = (tmp or Path(os.environ.get("TMPDIR", "/tmp"))) / f"model-{os.getpid()}.json"
    path.write_text(model.to_json(), encoding="utf-8")
    try:
        return shipped_judge(path, SETTINGS)
    finally:
        path.unlink()


def test_the_model_never_removes_a_story_the_lexicon_kept() -> None:
    model = train_model(
        [{**s, "label": "irrelevant" if s["label"] == "relevant" else "relevant"} for s in STORIES]
    )
    judge = shipped_judge_of(model)
    title = "Démantèlement d'un réseau de traite des êtres humains à Lyon"
    kept = classify(LEXICON, title)
    assert kept.relevant and judge is not None and judge(kept, title, "") == kept


def test_train_gives_a_byte_identical_model_whatever_the_hash_seed(tmp_path: Path) -> None:
    corpus = tmp_path / "stories.jsonl"
    corpus.write_text("".join(json.dumps(s) + "\n" for s in STORIES), encoding="utf-8")
    made = []
    for seed in ("1", "2"):
        out = tmp_path / f"model-{seed}.json"
        subprocess.run([sys.executable, "-m", "monitor", "relevance", "train", "--corpus", str(corpus), "--out",
                        str(out), "--config", str(ROOT / "data")], check=True, capture_output=True, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": seed})  # fmt: skip
        made.append(out.read_bytes())
    assert made[0] == made[1] and json.loads(made[0])["details"]["corpus"] == 12


def test_the_corpus_is_learnt_whole_and_the_desk_up_to_its_newest_decisions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A corpus longer than the desk's cap (the corpus and the spent blind sets are 6,664 stories) is
    not cut by the desk's decisions: they are capped themselves, newest kept."""
    import monitor.relevance.corpus as corpus

    limits: list[object] = []

    def noted(decisions: list[Decision], **options: object) -> Model:
        limits.append(options.get("limit", "default"))
        return train(decisions, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus, "MAX_EXAMPLES", 3)
    monkeypatch.setattr(corpus, "train", noted)
    desk = [Decision(f"Décision {n}", "", n % 2 == 0) for n in range(5)]
    model = train_model(STORIES, desk)
    assert model.trained_on == len(STORIES) + 3 and model.details["desk"] == 3 and limits == [None]
    assert train([Decision(s["title"], "", True) for s in STORIES], limit=4).trained_on == 4


def test_the_spent_sets_and_the_model_were_made_together() -> None:
    """data/corpus/spent.jsonl is every blind set in tests/cases (near-duplicates of the corpus dropped,
    RECIPE.md's command), and the shipped model is what `veille relevance train` makes of the corpus
    and that file: a set added without the file, a label changed without training, fail here. Weights
    are compared within a tolerance, not byte for byte: another processor's arithmetic may move the
    last rounded digit (on the machine that trained it, the file comes out identical)."""
    corpus = read_corpus_files([ROOT / "data" / "corpus" / "stories.jsonl"])
    sets = sorted(
        (ROOT / "tests" / "cases").glob("blind-*.jsonl"), key=lambda p: int(re.findall(r"\d+", p.name)[0])
    )
    joined = without_duplicates(read_corpus_files(sets), [s["title"] for s in corpus])
    spent = read_corpus_files([ROOT / "data" / "corpus" / "spent.jsonl"])
    assert [s["id"] for s in spent] == [s["id"] for s in joined]
    model = shipped_model(ROOT / "data" / MODEL_FILE)
    assert model is not None and model.details["corpus"] == len(corpus) + len(spent)
    retrained = train_model(corpus + spent)
    assert retrained.vocabulary == model.vocabulary and retrained.char_weights is not None
    assert model.char_weights is not None
    assert abs(retrained.bias - model.bias) < 1e-3
    assert abs(retrained.weights - model.weights).max() < 1e-3
    # Stored as 16-bit levels of `char_scale` (3.5e-5 today): 1e-3 leaves room for a few dozen.
    assert abs(retrained.char_weights - model.char_weights).max() < 1e-3


def test_the_probability_is_the_sum_of_the_word_features_to_the_last_bit() -> None:
    """`probability` looks a story's pairs up without writing them out; on every labelled story it gives
    what the sum over `words` (the features `contributions` explains) gives, bit for bit."""
    import math
    from itertools import repeat

    from monitor.relevance.features import tokens, words

    model = shipped_model(ROOT / "data" / MODEL_FILE)
    assert model is not None and model.char_weights is not None
    weight = model._word_weights().get

    def summed(title: str, summary: str) -> float:
        found = tokens(title, summary)
        total = model.bias + sum(map(weight, words(title, summary, found), repeat(0.0)))
        total += sum(model._chars()[word] for word in found) / math.sqrt(len(found)) if found else 0.0
        return 1 / (1 + math.exp(-total))

    stories = read_corpus_files(
        [ROOT / "data" / "corpus" / name for name in ("stories.jsonl", "spent.jsonl")]
    )
    pairs_weighed = 0
    for story in stories:
        title, summary = story["title"], story.get("summary") or ""
        assert model.probability(title, summary) == summed(title, summary), story["id"]
        pairs_weighed += any(" " in feature and weight(feature) for feature in words(title, summary))
    assert pairs_weighed > len(stories) / 2  # the pairs' look-up is exercised, not only the words'


def test_a_simulated_season_never_removes_a_story_the_lexicon_kept() -> None:
    named = {"title": "Démantèlement d'un réseau de traite des êtres humains", "label": "irrelevant"}
    stories = [{**s, "outlet": f"outlet{n}.example"} for n, s in enumerate([*STORIES, *[named] * 6])]
    report = season(LEXICON, stories, SETTINGS)
    assert report.count("removed 0") == 3 and "then desk (the night)" in report, report


def test_the_night_lifts_with_the_corpus_model_beside_topics_yml(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).write_text(train_model(STORIES).to_json(), encoding="utf-8")
    config = replace(load_config(ROOT / "tests" / "config"), directory=tmp_path)
    harvest = Harvest(Store.open(tmp_path / "veille.db"), config, LEXICON, 1, datetime.now(UTC))
    lifted = harvest.judge("Harvest crew stayed in the shed", "the recruiter kept the money")
    assert (lifted.relevant or lifted.weak) and lifted.why[-1].startswith("Appris des exemples du corpus")
    assert not harvest.judge("Farm shed prices", "a market report").weak
    title = "Démantèlement d'un réseau de traite des êtres humains à Lyon"
    assert harvest.judge(title, "") == classify(LEXICON, title)


def test_the_night_does_not_lift_what_the_lexicon_vetoes(tmp_path: Path) -> None:
    """A model that would lift her into « À trier » (taught here, not the shipped one: the shipped model
    has learnt a story like hers as a trap) is kept from it by the lexicon's veto."""
    title = "Woman kept chained to her bed by husband rescued in Delhi"
    summary = "Police rescued a woman chained to a bed by her husband, who had been torturing her for months."
    taught = [Decision(f"Woman kept chained {n} rescued", "held for months", True) for n in range(8)] + [
        Decision(f"Market prices report {n}", "grain and shed prices", False) for n in range(8)
    ]
    model = train(taught)
    assert model.probability(title, summary) >= 0.8
    (tmp_path / MODEL_FILE).write_text(model.to_json(), encoding="utf-8")
    config = replace(load_config(ROOT / "tests" / "config"), directory=tmp_path)
    harvest = Harvest(Store.open(tmp_path / "veille.db"), config, LEXICON, 1, datetime.now(UTC))
    judged = harvest.judge(title, summary)
    assert not judged.relevant and not judged.weak, judged
    assert lift(classify(LEXICON, title, summary), model, title, summary, SETTINGS).relevant  # no veto


def test_family_violence_is_vetoed_as_violence_within_a_couple_is() -> None:
    """Blind-67's false alarm (twentieth session): the model lifted Human Rights Watch's report on family
    violence in Papua New Guinea; « family violence » now stands beside « domestic violence »."""
    from monitor.relevance.classify import vetoed

    assert vetoed(LEXICON, "Bashed Up: Family Violence in Papua New Guinea", "Women suffer brutal attacks.")
    assert vetoed(LEXICON, "Domestic violence: a helpline opens in Suva")
    assert not vetoed(LEXICON, "Family of trafficking victim speaks out", "Her family was threatened.")


def test_character_ngrams_carry_a_lesson_to_other_forms_of_a_word() -> None:
    decisions = [Decision(f"Saisonnières logées dans un hangar {n}", "", True) for n in range(8)] + [
        Decision(f"Prix des hangars agricoles {n}", "", False) for n in range(8)
    ]
    story = ("Saisonniers logés à Nîmes", "")  # neither word seen as such
    assert train(decisions, chars=True).probability(*story) > 0.6
    assert train(decisions, chars=False).probability(*story) == pytest.approx(0.5, abs=0.05)


def test_a_weak_signal_the_model_finds_very_unlikely_leaves_the_weak_lane_only() -> None:
    decisions = [
        Decision(f"Vol {n} : passagers enfermés dans l'avion contraint d'atterrir", "", False)
        for n in range(20)
    ]
    model = train(
        [*decisions, *(Decision(f"Ouvriers enfermés, jamais payés {n}", "", True) for n in range(20))]
    )
    weak = classify(LEXICON, "Passagers enfermés dans l'avion contraint d'atterrir")
    assert weak.weak and model.probability("Passagers enfermés dans l'avion contraint d'atterrir", "") < 0.1
    assert not lift(weak, model, "Passagers enfermés dans l'avion contraint d'atterrir", "", SETTINGS).weak
    kept = "Démantèlement d'un réseau de traite des êtres humains"
    assert lift(classify(LEXICON, kept), model, kept, "", SETTINGS).relevant


def test_the_shipped_model_takes_out_of_the_weak_lane_what_it_finds_unlikely() -> None:
    """A lone cue the model gives less than 30 % leaves « Signaux faibles » (it gave 0.1 before: on the
    spent blind sets every lexicon-only weak signal under 0.3 was a false alarm, every real one over
    0.8); a story the model itself finds plausible stays."""
    judge = shipped_judge(ROOT / "data" / MODEL_FILE, SETTINGS)
    assert judge is not None
    # Written for this test, in no training file (the spent sets' own examples, b13-47 and b16-29, are
    # learnt since the sixteenth session): walkouts « exploited », a player « treated like a slave ».
    unlikely = [
        ("Warehouse workers walk out over targets, saying they feel exploited",
         "Staff at a parcel depot staged a walkout on Black Friday, saying managers exploit them with "
         "impossible targets and constant surveillance."),
        ("Midfielder accuses club of treating him like a slave",
         "The player says the club blocked his move and kept him training alone after he refused a new "
         "contract."),
    ]  # fmt: skip
    for title, summary in unlikely:
        assert classify(LEXICON, title, summary).weak
        judged = judge(classify(LEXICON, title, summary), title, summary)
        assert not judged.weak and not judged.relevant, title
    title = "Housekeeper exploited for years by diplomat family"
    summary = "She cooked and cleaned seven days a week for a few euros and was never allowed out alone, the court heard."
    assert classify(LEXICON, title, summary).weak
    shown = judge(classify(LEXICON, title, summary), title, summary)
    assert shown.weak or shown.relevant


@pytest.mark.parametrize(
    "title",
    [
        "Rescue of workers in slave-like conditions in coffee plantations",
        "Migrant fishermen in Ireland 'treated like slaves'",
        "UN blasts Canada for allowing contemporary forms of slavery",
        "Un trafic de bébés démantelé entre la Grèce et la Bulgarie",
        "Vorly : un couple poursuivi pour esclavagisme",
        "Haïti : en finir avec les restaveks",
        "Des enfants esclaves cultivent le cannabis anglais",
        "Agriculteur condamné : hébergement incompatible avec la dignité humaine",
    ],
)
def test_named_forms_of_slavery_the_bare_word_missed_are_kept(title: str) -> None:
    assert classify(LEXICON, title).relevant


def test_a_fine_or_a_sanction_is_not_coercion() -> None:
    judged = classify(
        LEXICON, "RSA : quinze heures d'activité par semaine", "pour tout emploi, sous peine de sanctions"
    )
    assert not judged.relevant and not judged.weak, judged


def test_the_why_of_a_lift_names_meaningful_words_only() -> None:
    model = train([*(Decision(f"Dans la rue, un jeune joueur abandonné par un faux agent {n}", "", True)
                     for n in range(10)),
                   *(Decision(f"Le club recrute un joueur confirmé {n}", "", False) for n in range(10))])  # fmt: skip
    reasons = model.reasons("Dans la rue, un jeune abandonné", "")
    assert reasons and not {"dans", "la", "un"} & set(reasons), reasons


@pytest.mark.parametrize(
    "bad, says",
    [
        ('{"title": "Vendangeurs jamais payés"', "JSON illisible"),
        ('["a list"]', "« title »"),
        ('{"title": "Vendangeurs jamais payés", "label": "borderline"}', "« label »"),
    ],
)
def test_a_bad_corpus_line_is_named_by_file_and_line(bad: str, says: str) -> None:
    good = json.dumps({"title": "Bonded labourers rescued", "label": "relevant"})
    with pytest.raises(CorpusError, match=rf"fr\.jsonl, ligne 2 : .*{says}"):
        read_corpus([good, bad], "fr.jsonl")


@pytest.mark.parametrize(
    "title, summary",
    [
        ("Surrogacy racket busted in Hyderabad", "Police found pregnant women in an unlicensed clinic."),
        (
            "GPA clandestine : une enquête ouverte",
            "Une mère porteuse payée par un couple, alerte le parquet.",
        ),
        ("Fertility clinic owners arrested", "Women lured by a fake job were used as surrogates."),
    ],
)
def test_surrogacy_under_police_inquiry_or_deceit_is_kept(title: str, summary: str) -> None:
    assert classify(LEXICON, title, summary).relevant


@pytest.mark.parametrize(
    "title, summary",
    [
        ("Lily Collins annonce la naissance de sa fille", "Née d'une mère porteuse ; débat sur les réseaux."),
        ("GPA : la Cour de cassation valide la transcription", "Un enfant né par gestation pour autrui."),
        ("Gestation pour autrui : où trouver une mère porteuse ?", "Tolérée sans rémunération au Danemark."),
        (
            "University releases report on its legacy of slavery",
            "In the 17th and 18th centuries the sale and trafficking of human beings in slavery shaped it.",
        ),
    ],
)
def test_surrogacy_news_and_the_legacy_of_slavery_are_not_kept(title: str, summary: str) -> None:
    assert not classify(LEXICON, title, summary).relevant


def test_violence_within_a_couple_is_not_lifted_by_the_model_nor_a_weak_signal_by_its_cues() -> None:
    judge = shipped_judge(ROOT / "data" / MODEL_FILE, SETTINGS, LEXICON)
    assert judge is not None
    chained = "Woman kept chained to her bed by husband rescued in Delhi"
    summary = "Police rescued a woman chained to a bed by her husband, who had been torturing her for months."
    assert judge(classify(LEXICON, chained, summary), chained, summary) == classify(LEXICON, chained, summary)
    assert not judge(classify(LEXICON, chained, summary), chained, summary).relevant
    held = "Avignon : une jeune femme séquestrée et battue pendant des mois par son compagnon"
    assert not classify(LEXICON, held).weak
    # The lexicon's own rules still judge: a partner who prostitutes her is exploitation.
    pimped = "Contrainte de se prostituer par son compagnon, elle recevait dix clients par jour"
    assert classify(LEXICON, pimped).relevant


@pytest.mark.parametrize(
    "title, summary",
    [
        ("Officers nab accused turtle trafficker at the airport", "He shipped hundreds of turtles to China."),
        (
            "Ceremony reconsecrates a burial ground for hundreds of enslaved people",
            "Archaeologists identified the unmarked graves at the plantation site.",
        ),
        (
            "65-year-old charged with possession of child abuse material",
            "The Anti Child Exploitation Team was alerted by the Center for Missing and Exploited Children.",
        ),
        (
            "Man accused of holding ex-girlfriend captive",
            "A woman whose ex-boyfriend held her for three days called police; two restraining orders barred him.",
        ),
        (
            "Fraud against the elderly a concern",
            "Seniors are most often exploited by family members, officials say.",
        ),
    ],
)
def test_other_crimes_in_the_words_of_exploitation_are_in_no_lane(title: str, summary: str) -> None:
    judge = shipped_judge(ROOT / "data" / MODEL_FILE, SETTINGS, LEXICON)
    assert judge is not None
    judged = judge(classify(LEXICON, title, summary), title, summary)
    assert not judged.relevant and not judged.weak, judged


def test_abuse_of_care_home_residents_is_not_lifted_but_exploited_care_workers_still_are_judged() -> None:
    judge = shipped_judge(ROOT / "data" / MODEL_FILE, SETTINGS, LEXICON)
    assert judge is not None
    title = "3 ex-employees of nursing home face charges for abusing elderly residents"
    summary = "Police plan to send papers to prosecutors on three former employees charged with assaulting residents."
    judged = judge(classify(LEXICON, title, summary), title, summary)
    assert not judged.relevant and not judged.weak, judged
    workers = "Migrant care workers came to help the UK. Now they're trapped in debt bondage"
    assert judge(classify(LEXICON, workers), workers, "").relevant


def test_a_slave_contract_is_a_clause_but_slave_like_conditions_are_still_kept() -> None:
    assert not classify(LEXICON, "Court invalidates ‘slave-like contract’ for entertainers").relevant
    assert not classify(LEXICON, "Le footballeur dénonce un « contrat d'esclave »").relevant
    assert classify(LEXICON, "Rescue of workers in slave-like conditions in coffee plantations").relevant


@pytest.mark.parametrize(
    "title, kept",
    [
        ("Côte d'Ivoire : 38 enfants victimes de trafic sauvés lors d'une opération de police", True),
        ("Des femmes victimes de trafic entre le Nigeria et la France", True),
        ("Des enfants victimes de trafic de drogue dans les quartiers nord", False),
        ("Des enfants victimes du trafic routier devant l'école", False),
    ],
)
def test_children_victims_of_trafic_name_the_crime_unless_drugs_or_traffic_follow(
    title: str, kept: bool
) -> None:
    assert classify(LEXICON, title).relevant is kept


@pytest.mark.parametrize(
    "title, kept",
    [
        ("Modern slavery: the deterrent power of termination clauses", False),
        ("Blatter: in football there is too much modern slavery, transferring players here and there", False),
        ("Human trafficking: young African footballers sold by fake agents", True),
        (
            "Traite des êtres humains : de jeunes footballeurs vendus par de faux agents sur le marché des transferts",
            True,
        ),
    ],
)
def test_footballs_figurative_slavery_is_not_kept_but_trafficked_young_players_are(
    title: str, kept: bool
) -> None:
    assert classify(LEXICON, title).relevant is kept


def test_a_museum_about_the_history_of_slavery_is_history() -> None:
    title = "Museum about history of slavery to open in English city that once profited from it"
    summary = (
        "A museum charting the history of the trans-Atlantic slave trade opens in Liverpool, focusing on the way"
        " the city enriched itself on human trafficking, but also on the resistance enslaved Africans showed."
    )
    assert not classify(LEXICON, title, summary).relevant
    assert classify(LEXICON, "Slavery today: the museum guide who was trafficked into forced labour").relevant
