"""Which URLs point to the Collectif, matched by host (never by substring), and which are on a site."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

# Tabs and newlines are removed anywhere in a URL, spaces only at its ends (WHATWG URL parsing).
_URL_NOISE = re.compile(r"[\t\n\r]")


def normalise_host(host: str) -> str:
    """Lower-case a host and turn an internationalised name into its ASCII (IDNA) form."""
    host = host.strip().rstrip(".").lower()
    if not host or host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def resolve_href(href: str, base_url: str) -> str | None:
    """The absolute http(s) URL an `href` leads to from a page whose base URL is `base_url`."""
    cleaned = _URL_NOISE.sub("", href).strip(" \x0c\x00")
    if not cleaned:
        return None
    # A navigation bar repeats the same links on every page: an absolute href does not depend on the
    # page, a rooted one (`/x`) only on its origin, so most answers are remembered.
    if _SCHEME.match(cleaned):
        return _resolve(cleaned, "")
    if cleaned.startswith("/") and not cleaned.startswith("//"):
        return _resolve(cleaned, _origin(base_url))
    return _resolve(cleaned, base_url)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@lru_cache(maxsize=4096)
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


@lru_cache(maxsize=16384)
def _resolve(cleaned: str, base_url: str) -> str | None:
    try:
        parts = urlsplit(urljoin(base_url, cleaned))
        port = parts.port  # raises on a port that is not a number or out of range
    except ValueError:
        return None  # malformed (bad brackets, bad port): no address to follow
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    netloc = normalise_host(parts.hostname)
    if not netloc or any(character.isspace() for character in netloc):
        return None  # `http://./`, `http://. ./`: no host a request could name
    if ":" in netloc:  # an IPv6 literal keeps its brackets
        netloc = f"[{netloc}]"
    if port:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def host_of(url: str) -> str:
    """The normalised host name of a URL ('' when it has none)."""
    return normalise_host(urlsplit(url).hostname or "")


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the port made explicit; None when it has none."""
    try:
        parts = urlsplit(url.strip())
        scheme, port = parts.scheme.lower(), parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, normalise_host(parts.hostname), port or DEFAULT_PORTS[scheme]


def site_origins(start_url: str, hosts: frozenset[str] | set[str]) -> frozenset[tuple[str, str, int]]:
    """The origins that are one site: the start address's own (scheme, host, port), and `hosts` on
    the default ports of http and https (a site on a default port is the same site over either).
    `www.collectif.test:8080` is another server, not the site."""
    start = origin_of(start_url)
    defaults = {(scheme, host, port) for host in hosts for scheme, port in DEFAULT_PORTS.items()}
    if start and start[2] != DEFAULT_PORTS[start[0]]:
        defaults = {origin for origin in defaults if origin[1] != start[1]}  # that host only on its port
    return frozenset(defaults | ({start} if start else set()))


def is_on_domains(url: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    """True when the URL's host is one of `domains` or a subdomain of one of them."""
    host = host_of(url)
    return bool(host) and any(host == d or host.endswith("." + d) for d in domains)


@lru_cache(maxsize=1)
def _extractor() -> Any:
    """tldextract, offline: the public-suffix snapshot it ships, never fetched. Imported on first use
    (it costs 0.2 s, which every `veille` command would otherwise pay)."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The domain a registrant owns (`www.example.co.uk` → `example.co.uk`); an IP stays as it is."""
    host = normalise_host(host)
    extracted = _extractor()(host)
    if not extracted.suffix:
        return host
    return f"{extracted.domain}.{extracted.suffix}"


def on_same_site(url: str, site_url: str) -> bool:
    """True when `url` is http(s) on the registrable domain of `site_url` (a feed a member's home page
    announces may only be the member's own: anything else could point anywhere, internal included)."""
    scheme = urlsplit(url).scheme.lower()
    host, site = host_of(url), host_of(site_url)
    return (
        scheme in ("http", "https")
        and bool(host and site)
        and registrable_domain(host) == registrable_domain(site)
    )


@lru_cache(maxsize=16)
def mention_pattern(domains: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern finding the Collectif's address written as plain text (not part of another name)."""
    names = "|".join(re.escape(d) for d in sorted(domains, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:https?://)?(?:[\w-]+\.)*(?:{names})(?![\w-]|\.\w)", re.I)
