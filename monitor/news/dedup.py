"""Duplicates: the same article under several addresses, and the same story in several articles.

`canonical_url` gives an article's identity: redirect wrappers unwrapped (Google News, Bing), host
and scheme normalised (courlan), fragment and tracking parameters dropped. `StoryIndex` groups
near-identical stories (title and lead) with MinHash LSH (numpy: datasketch's import pulled in
scipy, over a second of start-up).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit, urlunsplit

import numpy as np

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
_PLAIN_URL = re.compile(
    r"https?://(?P<host>[a-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?(?P<path>/[A-Za-z0-9_.~/%!=:,-]*)?"
)
# A query of tracking parameters only (values of plain characters), and the address before it.
_TRACKED_URL = re.compile(r"(?P<address>[^?#]+)\?(?P<query>[A-Za-z0-9_.~%+=&-]+)")
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
    if _already_canonical(url):
        return url
    address = _without_tracking(url)
    if address is not None:
        return address
    return _normalised(url)


def _normalised(url: str) -> str | None:
    """`canonical_url` of any address, through courlan."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    # ~0.25 s of start-up (babel, urllib3; w3lib brings urllib.request, http.client, ssl, email): only
    # for a link that needs it.
    from courlan import normalize_url
    from w3lib.url import url_query_cleaner

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


def _already_canonical(url: str) -> bool:
    """Whether `canonical_url` would give `url` back unchanged, told without courlan (most of a night's
    links): lower-case scheme and host (no punycode), no default port, a path of characters
    that need no quoting without `//` or `..`, no query, fragment or entity."""
    match = _PLAIN_URL.fullmatch(url)
    if not match or "xn--" in match["host"] or "//" in (match["path"] or "") or ".." in (match["path"] or ""):
        return False
    return match["port"] is None or int(match["port"]) not in (80, 443)


def _without_tracking(url: str) -> str | None:
    """The address itself when `url` is a canonical address followed by tracking parameters only
    (`?xtor=RSS-3208`, `?utm_source=rss&utm_medium=feed`, as many outlets send them), told without courlan;
    None for any other shape."""
    match = _TRACKED_URL.fullmatch(url)
    if not match or not _already_canonical(match["address"]):
        return None
    pairs = match["query"].split("&")
    if all(pair and TRACKING_PARAMETERS.match(pair.split("=", 1)[0]) for pair in pairs):
        return match["address"]
    return None


def article_id(canonical: str) -> str:
    """Identity of an article: its canonical address without scheme, port and `www.`."""
    plain = _PLAIN_URL.fullmatch(canonical)
    if plain:  # most of a night's addresses: host and path read as `urlsplit` would read them
        key = plain["host"].removeprefix("www.") + (plain["path"] or "")
    else:
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


# MinHash: NUM_PERM hash functions (a·x + b) on the 32-bit hash of each shingle, the minimum of each.
_MAX_HASH = np.uint64((1 << 32) - 1)
_PRIME = np.uint64((1 << 61) - 1)
# The hash functions' coefficients, drawn once by `numpy.random.RandomState(7)` (pairs of `randint(1,
# PRIME)` then `randint(0, PRIME)`, see tests/test_dedup.py) and written here: numpy.random is not
# loaded for them at every night's start. Signatures are recomputed every night from the stored titles
# and leads: nothing stored depends on these numbers.
_A, _B = np.array([
    (1407639518939636933, 551904368352831990), (1169693746941186260, 1816361973745530471),
    (1899821249326607546, 710123494352685591), (20668929189138778, 1329108821600893482),
    (340139256470221705, 2303675491809990630), (1000366761065432497, 991310334879981959),
    (109594561920622081, 1216310873990163255), (703662130126978055, 638137941648739772),
    (1630422002828422848, 1422685883315097400), (1036818128723030200, 459309668489100400),
    (1854800229375720638, 1385894553171423522), (1942495339429673162, 894481085146036774),
    (629557289527310831, 150699654041190231), (431885845465162948, 7560552725577555),
    (811901033415426306, 1710988252442831248), (1472955763471030176, 2135503771371547564),
    (2257599037232710397, 1888967880029509911), (2137800293231471338, 1621800693932111296),
    (343985777391818120, 1180493507496296540), (1339701004333548769, 480520206995736932),
    (1435948594654321122, 1899615533287464827), (597664676345565666, 2220085585853692827),
    (1551241601042318100, 1739972896441478267), (700825546094354106, 579656920049608521),
    (1022901906749708242, 2142015223914235295), (873896800313095252, 949150881323790738),
    (173028038855841400, 422544806453360843), (735766494121238576, 26321280442669580),
    (1701939947512211564, 1556801716876202377), (449096953234708292, 1312678820709839502),
    (1484378615570944277, 1068322013161506812), (980051403770393404, 1085640342191777584),
], dtype=np.uint64).T  # fmt: skip
# A story keeps this many signatures for comparison: the same story told by fifty sources costs
# what it costs told by eight.
REPRESENTATIVES = 8
# Headlines whose signatures are computed together (their words × NUM_PERM × 8 bytes, times three).
_BULK = 1000


@lru_cache(maxsize=65536)
def _word_hash(word: str) -> int:
    """The 32-bit hash of a shingle; a night's stories share most of their words."""
    return int.from_bytes(hashlib.sha1(word.encode()).digest()[:4], "little")


@lru_cache(maxsize=4096)
def signature(title: str, lead: str) -> np.ndarray:
    """The MinHash of a (title, lead); cached, as a night asks for each one twice (query, then add)."""
    return signatures([(title, lead)])[0]


def signatures(pairs: list[tuple[str, str]]) -> list[np.ndarray]:
    """The MinHash of each (title, lead), in one pass of numpy over all their words: per call, numpy's
    overhead costs more than the hashing of one headline."""
    word_sets = [[_word_hash(word) for word in shingles(title, lead)] for title, lead in pairs]
    filled = [i for i, words in enumerate(word_sets) if words]
    result = [np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64) if not words else None for words in word_sets]
    if filled:
        hashed = np.fromiter((h for i in filled for h in word_sets[i]), dtype=np.uint64)
        starts = np.cumsum([0, *(len(word_sets[i]) for i in filled[:-1])])
        with np.errstate(over="ignore"):
            values = (np.outer(hashed, _A) + _B) % _PRIME & _MAX_HASH
        for i, row in zip(filled, np.minimum.reduceat(values, starts, axis=0), strict=True):
            result[i] = row
    return result  # type: ignore[return-value]


def _false_rates(bands: int, rows: int, threshold: float, steps: int = 200) -> float:
    """False positives below the threshold plus false negatives above it, for b bands of r rows."""

    def chance(similarity: float) -> float:  # that two sets this similar share a band
        return 1 - (1 - similarity**rows) ** bands

    below = sum(chance(threshold * (i + 0.5) / steps) for i in range(steps)) * threshold / steps
    above = sum(1 - chance(threshold + (1 - threshold) * (i + 0.5) / steps) for i in range(steps))
    return below + above * (1 - threshold) / steps


@lru_cache(maxsize=16)
def banding(threshold: float, permutations: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) of the LSH for a similarity threshold: the split with the fewest errors."""
    splits = [(b, permutations // b) for b in range(1, permutations + 1)]
    return min(splits, key=lambda split: _false_rates(*split, threshold))


class StoryIndex:
    """Stories seen recently, to find the one a new article belongs to: MinHash LSH whose buckets
    hold stories, each story keeping a few representative signatures."""

    def __init__(self, similarity: float) -> None:
        self.similarity = similarity
        self.bands, self.rows = banding(similarity)
        self._buckets: list[dict[bytes, set[str]]] = [{} for _ in range(self.bands)]
        self._representatives: dict[str, list[np.ndarray]] = {}
        self._stacked: dict[str, np.ndarray] = {}  # a story's representatives as one matrix
        self._keys: dict[str, list[tuple[int, bytes]]] = {}  # story → its buckets
        self._articles: dict[str, str] = {}  # article → story
        self._signatures: dict[tuple[str, str], np.ndarray] = {}  # computed in bulk by `prepare`

    def prepare(self, pairs: list[tuple[str, str]]) -> None:
        """Compute the signatures of these (title, lead) in one go, before they are added or looked up."""
        missing = list(dict.fromkeys(pair for pair in pairs if pair not in self._signatures))
        for start in range(0, len(missing), _BULK):  # numpy's arrays stay a few MB
            chunk = missing[start : start + _BULK]
            self._signatures.update(zip(chunk, signatures(chunk), strict=True))

    def _signature(self, title: str, lead: str) -> np.ndarray:
        values = self._signatures.get((title, lead))
        return signature(title, lead) if values is None else values

    def _band_keys(self, values: np.ndarray) -> list[tuple[int, bytes]]:
        return [
            (band, values[band * self.rows : (band + 1) * self.rows].tobytes()) for band in range(self.bands)
        ]

    def add(self, article: str, story: str, title: str, lead: str) -> None:
        if article in self._articles:
            return
        self._articles[article] = story
        representatives = self._representatives.setdefault(story, [])
        if len(representatives) >= REPRESENTATIVES:
            return
        values = self._signature(title, lead)
        representatives.append(values)
        self._stacked.pop(story, None)
        for band, key in self._band_keys(values):
            self._buckets[band].setdefault(key, set()).add(story)
            self._keys.setdefault(story, []).append((band, key))

    def story_of(self, variants: list[tuple[str, str]], exclude: str | None = None) -> str | None:
        """The story most similar to any (title, lead) variant, if similar enough (the story
        `exclude` does not count)."""
        best: tuple[float, str] | None = None
        for title, lead in variants:
            values = self._signature(title, lead)
            stories = {s for band, key in self._band_keys(values) for s in self._buckets[band].get(key, ())}
            stories.discard(exclude)  # type: ignore[arg-type]
            for story in sorted(stories):
                # Estimated Jaccard similarity: the share of equal hash values, best representative.
                # (`sum` and a division, not numpy's `mean`: its Python wrapper costs more than the sum.)
                similarity = int((self._matrix(story) == values).sum(axis=1).max()) / NUM_PERM
                if similarity >= self.similarity and (best is None or similarity > best[0]):
                    best = (similarity, story)
        return best[1] if best else None

    def _matrix(self, story: str) -> np.ndarray:
        matrix = self._stacked.get(story)
        if matrix is None:
            matrix = self._stacked[story] = np.vstack(self._representatives[story])
        return matrix

    def relabel(self, old: str, new: str) -> None:
        """Articles of story `old` now belong to story `new` (two stories found to be one)."""
        for article, story in self._articles.items():
            if story == old:
                self._articles[article] = new
        kept = self._representatives.setdefault(new, [])
        kept.extend(self._representatives.pop(old, [])[: max(0, REPRESENTATIVES - len(kept))])
        self._stacked.pop(old, None)
        self._stacked.pop(new, None)
        for band, key in self._keys.pop(old, []):
            bucket = self._buckets[band][key]
            bucket.discard(old)
            bucket.add(new)
            self._keys.setdefault(new, []).append((band, key))
