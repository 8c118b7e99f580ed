"""News sources: `data/sources.yml` (feeds, search feeds, listing pages), validated on load.

Search sources are written as a query and an engine; the feed address is built from the engine's
template, so the secretariat edits words, not URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from monitor.config import YamlDocument

KINDS = ("feed", "page", "search")


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    url: str
    kind: str
    language: str
    tags: tuple[str, ...] = ()
    query: str | None = None
    origin: str = "config"
    member_id: str | None = None


@dataclass(frozen=True)
class SourceList:
    sources: tuple[Source, ...]
    engines: dict[str, str] = field(default_factory=dict)


def load_sources(file: Path | str) -> SourceList:
    """Read and validate a sources file; errors name the file, the line and the field."""
    doc = YamlDocument(Path(file))
    top = doc.mapping((), doc.data, {"search_engines", "sources"})
    engines = doc.mapping(
        ("search_engines",), top.get("search_engines"), set(top.get("search_engines") or {})
    )
    for name, template in engines.items():
        if not isinstance(template, str) or "{query}" not in template or not template.startswith("http"):
            raise doc.error(("search_engines", name), "une adresse http(s) contenant {query} est attendue")
    entries = top.get("sources") or []
    if not isinstance(entries, list):
        raise doc.error(("sources",), "une liste de sources est attendue")
    sources: list[Source] = []
    seen: set[str] = set()
    fields = {"id", "name", "url", "kind", "language", "tags", "query", "engine"}
    for index, entry in enumerate(entries):
        path = ("sources", index)
        entry = doc.mapping(path, entry, fields)
        source_id = doc.unique_id(path, entry.get("id"), seen)
        kind = entry.get("kind", "feed")
        if kind not in KINDS:
            raise doc.error((*path, "kind"), f"type inconnu {kind!r} (attendus: {', '.join(KINDS)})")
        if kind == "search":
            engine = entry.get("engine")
            if engine not in engines:
                raise doc.error((*path, "engine"), f"moteur inconnu {engine!r} (voir search_engines)")
            if not isinstance(entry.get("query"), str) or not entry["query"].strip():
                raise doc.error((*path, "query"), "requête obligatoire pour une source « search »")
            url = engines[engine].replace("{query}", quote_plus(entry["query"]))
        else:
            url = entry.get("url")
            if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
                raise doc.error((*path, "url"), f"adresse web invalide: {url!r}")
        language = entry.get("language", "fr")
        if language not in ("fr", "en"):
            raise doc.error((*path, "language"), "langues possibles: fr, en")
        sources.append(
            Source(
                id=source_id,
                name=str(entry.get("name") or source_id),
                url=url,
                kind=kind,
                language=language,
                tags=tuple(entry.get("tags") or ()),
                query=entry.get("query"),
            )
        )
    return SourceList(tuple(sources), engines)
