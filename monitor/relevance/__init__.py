"""Is a story about human trafficking? A pure, explainable judgement from the lexicon in
`data/topics.yml`.

Text is folded (lower case, accents removed, one character for one, so positions stay aligned) and
matched on word boundaries: `retraite` never matches `traite`. A few phrases keep their accents
(`traite` must not match `traité`, a treaty). Each matching phrase adds its weight, times the weight
of the field it was found in (title above summary above text). A negative context cancels the
matches it contains (`trafic` inside `trafic de stupéfiants`); a penalty lowers the whole story's
score (slave-trade history, prostitution-policy debates, smuggling with no exploitation). The result
keeps the matched phrases, so a user sees why a story was kept.
"""

from monitor.relevance.classify import FIELDS, TEXT_LIMIT, Relevance, classify, classify_lines
from monitor.relevance.lexicon import Lexicon, LexiconError, lexicon_from_data, load_lexicon
from monitor.relevance.phrases import Phrase, PhraseSet
from monitor.relevance.text import FoldedText, fold

__all__ = [
    "FIELDS", "TEXT_LIMIT", "FoldedText", "Lexicon", "LexiconError", "Phrase", "PhraseSet", "Relevance",
    "classify", "classify_lines", "fold", "lexicon_from_data", "load_lexicon",
]  # fmt: skip
