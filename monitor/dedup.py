"""Duplicates: the same article under several addresses, and the same story in several articles.

`canonical_url` gives an article's identity: redirect wrappers unwrapped (Google News, Bing), host
and scheme normalised (courlan), fragment and tracking parameters dropped. `StoryIndex` groups
near-identical stories (title and lead) with MinHash LSH (datasketch).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit, urlunsplit

import numpy as np
from courlan import normalize_url
from datasketch import MinHash, MinHashLSH
from w3lib.url import url_query_cleaner

from monitor.relevance import fold

TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|xtor|at_\w+|mc_cid|mc_eid|ns_\w+|ocid|cmpid|_ga|igshid"
    r"|ref_src|s_cid|smid|oc|icid|wt_mc|spm|__tn__|mkt_tok|_hsenc|_hsmi|echobox|amp)$",
    re.I,
)
# Hosts that wrap the real address in a query parameter, and that parameter.
REDIRECT_WRAPPERS = {
    "news.google.com": "url",
    "www.bing.com": "url",
    "bing.com": "url",
    "l.facebook.com": "u",
}
_WRAPPER_HOSTS = re.compile("|".join(map(re.escape, REDIRECT_WRAPPERS)), re.I)
_WORDS = re.compile(r"\w+")
NUM_PERM = 32
LEAD_WORDS = 20


def unwrap(url: str) -> str:
    """The publisher's address when `url` is a known redirect wrapper that carries it."""
    if not _WRAPPER_HOSTS.search(url):
        return url
    parts = urlsplit(url)
    parameter = REDIRECT_WRAPPERS.get((parts.hostname or "").lower())
    if parameter:
        target = parse_qs(parts.query).get(parameter, [""])[0]
        if target.startswith(("http://", "https://")):
            return target
    return url


def canonical_url(url: str) -> str | None:
    """A stable address for an article, or None when `url` is not an http(s) address."""
    url = unwrap(url.strip())
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        normalised = normalize_url(url)
    except ValueError:
        return None
    parts = urlsplit(normalised)
    if not parts.query:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    kept = [
        name for name in parse_qs(parts.query, keep_blank_values=True) if not TRACKING_PARAMETERS.match(name)
    ]
    cleaned = url_query_cleaner(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")), kept)
    return cleaned


def article_id(canonical: str) -> str:
    """Identity of an article: its canonical address without scheme and `www.`."""
    parts = urlsplit(canonical)
    host = (parts.hostname or "").removeprefix("www.")
    key = f"{host}{parts.path}?{parts.query}" if parts.query else f"{host}{parts.path}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def shingles(title: str, lead: str) -> set[str]:
    """The words (four letters or more) of the folded title and of the start of the lead.

    Word sets rather than word sequences: rewordings of one story ("Hérault : quinze saisonniers
    libérés du travail forcé" / "Travail forcé : quinze saisonniers libérés dans l'Hérault") keep
    their words; short words (de, la, the) would make unrelated stories look alike.
    """
    words = _WORDS.findall(fold(title)) + _WORDS.findall(fold(lead))[:LEAD_WORDS]
    return {word for word in words if len(word) >= 4}


_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=7)
# Candidates the LSH returns are checked exactly; past this many, the best so far is good enough.
MAX_CANDIDATES = 50


@lru_cache(maxsize=4096)
def signature(title: str, lead: str) -> MinHash:
    """The MinHash of a (title, lead); cached, as a night asks for each one twice (query, then add)."""
    # Reusing the permutations: drawing them is most of the cost of a new MinHash.
    minhash = MinHash(num_perm=NUM_PERM, seed=7, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    minhash.update_batch([s.encode() for s in shingles(title, lead)])
    return minhash


class StoryIndex:
    """Stories seen recently, to find the one a new article belongs to."""

    def __init__(self, similarity: float) -> None:
        self.similarity = similarity
        self._lsh = MinHashLSH(threshold=similarity, num_perm=NUM_PERM)
        self._signatures: dict[str, tuple[str, np.ndarray]] = {}  # article → (story, hash values)

    def add(self, article: str, story: str, title: str, lead: str) -> None:
        if article in self._signatures:
            return
        minhash = signature(title, lead)
        self._signatures[article] = (story, minhash.hashvalues)
        self._lsh.insert(article, minhash)

    def story_of(self, variants: list[tuple[str, str]], exclude: str | None = None) -> str | None:
        """The story of the known article most similar to any (title, lead) variant, if similar enough
        (articles of the story `exclude` do not count)."""
        best: tuple[float, str] | None = None
        for title, lead in variants:
            minhash = signature(title, lead)
            found = (self._signatures[c] for c in self._lsh.query(minhash)[:MAX_CANDIDATES])
            candidates = [(story, values) for story, values in found if story != exclude]
            if not candidates:
                continue
            # Estimated Jaccard similarity to every candidate at once: the share of equal hash values.
            equal = np.vstack([values for _, values in candidates]) == minhash.hashvalues
            similarities = equal.mean(axis=1)
            index = int(similarities.argmax())
            similarity = float(similarities[index])
            if similarity >= self.similarity and (best is None or similarity > best[0]):
                best = (similarity, candidates[index][0])
        return best[1] if best else None

    def relabel(self, old: str, new: str) -> None:
        """Articles of story `old` now belong to story `new` (two stories found to be one)."""
        for article, (story, values) in self._signatures.items():
            if story == old:
                self._signatures[article] = (new, values)
