"""Rules that recognise exploitation described without being named, and weak signals: on small
literal lexicons and headlines, then on the Collectif's own lexicon for the kinds of stories the
lexicon used to miss and the traps next to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.relevance import LexiconError, classify, lexicon_from_data, load_lexicon
from monitor.relevance.phrases import _pattern_regex

LEXICON = load_lexicon(Path(__file__).parent.parent / "data" / "topics.yml")
SMALL = {
    "terms": [{"phrase": "proxenetisme", "weight": 5}],
    "signals": {
        "contrainte": {"label": "personne sous contrainte", "strong": True, "phrases": ["jamais payes", "fake job"]},
        "travail": {"label": "travail", "context": True, "phrases": ["(saisonniers|job)"]},
    },
    "rules": [{"name": "Travail sous contrainte", "all": ["contrainte", "travail"], "window": 40}],
}  # fmt: skip


def test_a_rule_holds_when_its_groups_are_close_and_says_why() -> None:
    lexicon = lexicon_from_data(SMALL)
    near = classify(lexicon, "Des saisonniers jamais payés dans le Vaucluse")
    assert near.relevant and near.why == ["Travail sous contrainte : « jamais payés » + « saisonniers »"]
    far = classify(lexicon, "Des saisonniers" + " arrivés" * 12 + " jamais payés")
    assert (
        not far.relevant and far.weak and far.why == ["Indice, personne sous contrainte : « jamais payés »"]
    )


def test_one_phrase_is_never_two_pieces_of_evidence() -> None:
    # « fake job » is the deception, and holds the word « job »: the work context must be elsewhere.
    assert not classify(lexicon_from_data(SMALL), "Police warn of fake job adverts").relevant


def test_a_story_with_no_evidence_is_neither_kept_nor_weak() -> None:
    result = classify(lexicon_from_data(SMALL), "Les saisonniers arrivent pour les vendanges")
    assert not result.relevant and not result.weak and result.evidence == 0


def test_rules_are_checked_when_the_lexicon_is_loaded() -> None:
    unknown = {**SMALL, "rules": [{"name": "X", "all": ["contrainte", "inconnu"]}]}
    with pytest.raises(LexiconError, match="inconnu"):
        lexicon_from_data(unknown)
    only_contexts = {**SMALL, "rules": [{"name": "X", "all": ["travail", "travail"]}]}
    with pytest.raises(LexiconError, match="context"):
        lexicon_from_data(only_contexts)


def test_an_optional_group_needs_no_second_space() -> None:
    assert _pattern_regex("debt (to repay)?", False).search("a debt the owner used")
    assert _pattern_regex("a (b)? c", False).search("a c") and _pattern_regex("a (b )?c", False).search("a c")


@pytest.mark.parametrize(
    ("title", "summary", "rule"),
    [
        ("Vingt villageois convaincus de vendre un rein", "Un rabatteur leur promettait 5 000 euros.", "Vente d'organes"),
        ("A woman streamed the abuse of her nieces to order", "Foreign offenders paid for each live video of the children.",
         "Abus d'enfants diffusés à la demande"),
        ("Des enfants envoyés voler dans le métro par leur clan", "", "Enfants envoyés voler"),
        ("Vendue en échange d'une dot, elle est retenue chez son mari", "Elle ne pouvait pas sortir.", "Mariage sous contrainte"),
        ("Lured by a fake job, they ran crypto scams", "Those who missed targets were beaten.",
         "Escroqueries commises sous contrainte"),
        ("Une employée de maison privée de passeport", "Elle travaillait sans salaire.", "Travail sous contrainte"),
    ],
)  # fmt: skip
def test_the_collectifs_rules_recognise_described_exploitation(title: str, summary: str, rule: str) -> None:
    result = classify(LEXICON, title, summary)
    assert result.relevant and any(why.startswith(rule) for why in result.why), result


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Un homme séquestré contre une rançon, libéré par le GIGN", "Ses ravisseurs réclamaient 300 000 euros."),
        ("Teenagers 'enslaved by the scroll', says head teacher", "Phones will be locked away in lessons."),
        ("Esclaves de nos écrans : comment décrocher", "Un psychiatre donne ses conseils."),
        ("Heures supplémentaires non payées : les salariés saisissent les prud'hommes", ""),
        ("Debt collectors accused of harassing vulnerable customers", ""),
        ("Vendue aux enchères, la maison du chanteur", "La bâtisse a trouvé preneur."),
    ],
)  # fmt: skip
def test_figurative_and_non_trafficking_uses_stay_out(title: str, summary: str) -> None:
    assert not classify(LEXICON, title, summary).relevant


def test_patterns_are_split_where_a_character_scan_splits_them() -> None:
    """`_split_top` and `_closing` jump from parenthesis to separator; a scan of every character (the
    reference below) finds the same parts and the same closing places, on every phrase of the lexicon."""
    from monitor.relevance.phrases import _closing, _split_top

    def scanned_parts(text: str, separator: str) -> list[str]:
        parts, depth, current = [], 0, ""
        for char in text:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == separator and depth == 0:
                parts, current = [*parts, current], ""
            else:
                current += char
        return [*parts, current]

    def scanned_closing(text: str) -> int | None:
        depth = 0
        for index, char in enumerate(text):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                return index
        return None

    sets = [LEXICON.terms, LEXICON.negatives, LEXICON.penalties, LEXICON.anchors, LEXICON.contexts]
    patterns = [phrase.pattern for phrases in sets for phrase in phrases]
    patterns += ["(a|(b c)|d) e", "(a )?(b)", "a(b|c)d (e|f)?", "", "(", "x)", "((a)|b)|c"]
    for text in patterns:
        for separator in (" ", "|"):
            assert _split_top(text, separator) == scanned_parts(text, separator), (text, separator)
        assert _closing(text) == scanned_closing(text), text
    assert _split_top("(a|(b c)|d) e", " ") == ["(a|(b c)|d)", "e"]
    assert _closing("(a )?(b)") == 3
