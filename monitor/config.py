"""The Collectif's configuration: `config.yml` and `members.yml` in a folder (default `data/`).

Loaded from YAML and validated at once; every error names the file, the line and the field, in
French, because the secretariat edits these files. Crawl settings are declared as data in
`CRAWL_SETTINGS`, which feeds validation, the crawler's Scrapy settings and docs/configuration.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from crawler.judge.targets import host_of, normalise_host
from monitor.rota import Turn
from monitor.settings import (
    CRAWL_SETTINGS,
    DEFAULT_CATEGORIES,
    MAIL_SETTINGS,
    NEWS_SETTINGS,
    NIGHT_SETTINGS,
    SITE_SETTINGS,
    Setting,
)
from monitor.yaml_input import YamlInputError, read_yaml

DEFAULT_SCHEDULE = next(s.default for s in NIGHT_SETTINGS if s.name == "schedule")


class ConfigError(ValueError):
    """A configuration file is wrong; the message says where and what."""

    def __init__(self, file: Path, line: int | None, field_name: str, message: str) -> None:
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {field_name}: {message}" if field_name else f"{where}: {message}")


_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# One plain address, matched whole: no space or control character (a YAML `|` block ends with a
# newline, which would end the mail header early), no comma or angle bracket (more recipients).
_EMAIL = re.compile(
    r"[^@\s\x00-\x1f\x7f,;<>\"()]+@[^@\s\x00-\x1f\x7f,;<>\"()]+\.[^@\s\x00-\x1f\x7f,;<>\"()]+"
)


@dataclass(frozen=True)
class Collectif:
    name: str
    site: str
    domains: tuple[str, ...]


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    site: str | None = None
    contact_email: str | None = None
    link_pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class RotaConfig:
    """Who takes turns on watch duty, from when, for how long, and the exceptions."""

    start: date | None = None
    turn_weeks: int = 2
    members: tuple[str, ...] = ()
    overrides: tuple[Turn, ...] = ()


@dataclass(frozen=True)
class TriageConfig:
    """The triage desk: what an association may call a story it picks, and what is public."""

    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    # Pages of the desk (canned queries or tables) that visitors may read without logging in.
    public_pages: tuple[str, ...] = ("publies",)


@dataclass(frozen=True)
class Config:
    directory: Path
    collectif: Collectif
    crawl: dict[str, Any]
    members: tuple[Member, ...] = field(default_factory=tuple)
    news: dict[str, Any] = field(default_factory=lambda: {s.name: s.default for s in NEWS_SETTINGS})
    rota: RotaConfig = field(default_factory=RotaConfig)
    triage: TriageConfig = field(default_factory=TriageConfig)
    night: dict[str, Any] = field(default_factory=lambda: {s.name: s.default for s in NIGHT_SETTINGS})
    mail: dict[str, Any] = field(default_factory=lambda: {s.name: s.default for s in MAIL_SETTINGS})
    site: dict[str, Any] = field(default_factory=lambda: {s.name: s.default for s in SITE_SETTINGS})

    def scrapy_settings(self) -> dict[str, Any]:
        """The crawl settings as Scrapy settings, for `scrapy crawl -s NAME=VALUE`."""
        settings = {s.scrapy: s.to_scrapy(self.crawl[s.name]) for s in CRAWL_SETTINGS if s.scrapy}
        settings["VEILLE_COLLECTIF_DOMAINS"] = ",".join(self.collectif.domains)
        return settings

    def unreachable_on_rota(self) -> list[str]:
        """Names of the members on the rota whom no message can reach (no contact_email)."""
        from monitor.rota import unreachable

        names = {m.id: m.name for m in self.members}
        on_rota = [*self.rota.members, *(o.member_id for o in self.rota.overrides)]
        return [names.get(m, m) for m in unreachable(on_rota, {m.id: m.contact_email for m in self.members})]


class YamlDocument:
    """A YAML document with the line of every value, addressed by its path of keys and indexes."""

    def __init__(self, file: Path) -> None:
        self.file = file
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(file, None, "", "fichier introuvable") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(file, None, "", f"le fichier n'est pas en UTF-8 ({exc.reason})") from None
        try:
            self.data, node = read_yaml(text)
        except YamlInputError as exc:
            raise ConfigError(file, exc.line, "", str(exc)) from None
        self.lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines[(*path, key.value)] = key.start_mark.line + 1
                self._index(value, (*path, key.value))
                self.lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, index))

    def error(self, path: tuple[Any, ...], message: str) -> ConfigError:
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None)
        name = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
        return ConfigError(self.file, line, name, message)

    def unique_id(self, path: tuple[Any, ...], value: Any, seen: set[str]) -> str:
        """An entry's `id`: lower case, digits and dashes, not used by an earlier entry."""
        if not isinstance(value, str) or not _ID.match(value):
            raise self.error((*path, "id"), f"identifiant invalide {value!r} (minuscules, chiffres, tirets)")
        if value in seen:
            raise self.error((*path, "id"), f"identifiant en double: {value}")
        seen.add(value)
        return value

    def mapping(self, path: tuple[Any, ...], value: Any, allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(path, "une liste de « clé: valeur » est attendue ici")
        for key in value:
            if key not in allowed:
                raise self.error((*path, key), f"clé inconnue (attendues: {', '.join(sorted(allowed))})")
        return value


def _url(doc: YamlDocument, path: tuple[Any, ...], value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://", value.strip(), re.I) or not host_of(value):
        raise doc.error(path, f"adresse web invalide: {value!r} (attendu: https://exemple.org/)")
    return value.strip()


def _settings(doc: YamlDocument, section: str, raw: Any, table: tuple[Setting, ...]) -> dict[str, Any]:
    """A settings section checked against its table: known keys, right types, positive numbers."""
    settings = {s.name: s for s in table}
    given = doc.mapping((section,), raw, set(settings))
    values: dict[str, Any] = {}
    for name, setting in settings.items():
        value = given.get(name, setting.default)
        if setting.name == "browser" and isinstance(value, bool):
            value = "auto" if value else "off"  # YAML reads a bare `off` as false
        if setting.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, setting.kind) or isinstance(value, bool):
            expected = {int: "nombre entier", float: "nombre", str: "texte"}[setting.kind]
            raise doc.error((section, name), f"{expected} attendu, trouvé {value!r}")
        if setting.kind in (int, float) and not (
            math.isfinite(value) and setting.low <= value <= setting.high
        ):
            high = "" if math.isinf(setting.high) else f" et {setting.high:g}"
            raise doc.error((section, name), f"valeur hors limites {value!r} (entre {setting.low:g}{high})")
        values[name] = value
    return values


def _date(doc: YamlDocument, path: tuple[Any, ...], value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise doc.error(path, f"date invalide {value!r} (attendu : AAAA-MM-JJ)") from None


def _load_rota(doc: YamlDocument, raw: Any) -> RotaConfig:
    rota = doc.mapping(("rota",), raw, {"start", "turn_weeks", "members", "overrides"})
    if not rota:
        return RotaConfig()
    weeks = rota.get("turn_weeks", 2)
    if not isinstance(weeks, int) or isinstance(weeks, bool) or weeks < 1:
        raise doc.error(("rota", "turn_weeks"), f"nombre de semaines attendu, trouvé {weeks!r}")
    members = rota.get("members") or []
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise doc.error(("rota", "members"), "une liste d'identifiants d'associations est attendue")
    overrides = []
    for index, entry in enumerate(rota.get("overrides") or []):
        path = ("rota", "overrides", index)
        entry = doc.mapping(path, entry, {"from", "to", "member", "reason"})
        if not isinstance(entry.get("member"), str):
            raise doc.error((*path, "member"), "identifiant d'association obligatoire")
        start, end = (
            _date(doc, (*path, "from"), entry.get("from")),
            _date(doc, (*path, "to"), entry.get("to")),
        )
        if end < start:
            raise doc.error((*path, "to"), "la fin précède le début")
        overrides.append(Turn(start, end, entry["member"], str(entry.get("reason") or "")))
    start = _date(doc, ("rota", "start"), rota["start"]) if rota.get("start") else None
    return RotaConfig(start, weeks, tuple(members), tuple(overrides))


def _load_triage(doc: YamlDocument, raw: Any) -> TriageConfig:
    triage = doc.mapping(("triage",), raw, {"categories", "public_pages"})
    pages = triage.get("public_pages", list(TriageConfig.public_pages))
    if not isinstance(pages, list) or not all(isinstance(p, str) and re.match(r"^\w+$", p) for p in pages):
        raise doc.error(
            ("triage", "public_pages"), "une liste de noms de pages est attendue (ex. : [publies])"
        )
    return TriageConfig(_categories(doc, triage), tuple(pages))


def _categories(doc: YamlDocument, triage: dict[str, Any]) -> tuple[str, ...]:
    categories = triage.get("categories", list(DEFAULT_CATEGORIES))
    if not isinstance(categories, list) or not categories:
        raise doc.error(("triage", "categories"), "une liste de catégories est attendue")
    for index, category in enumerate(categories):
        if not isinstance(category, str) or not category.strip():
            raise doc.error(("triage", "categories", index), f"texte attendu, trouvé {category!r}")
    if len(set(categories)) != len(categories):
        raise doc.error(("triage", "categories"), "une catégorie apparaît deux fois")
    return tuple(category.strip() for category in categories)


def _load_config(file: Path) -> tuple[Any, ...]:
    doc = YamlDocument(file)
    top = doc.mapping((), doc.data, {"collectif", "crawl", "news", "rota", "triage", "night", "mail", "site"})
    raw = doc.mapping(("collectif",), top.get("collectif"), {"name", "site", "domains"})
    for key in ("name", "site", "domains"):
        if not raw.get(key):
            raise doc.error(("collectif", key), "valeur obligatoire manquante")
    domains = raw["domains"]
    if not isinstance(domains, list) or not all(isinstance(d, str) and "." in d for d in domains):
        raise doc.error(("collectif", "domains"), "une liste de noms de domaine est attendue")
    collectif = Collectif(
        name=str(raw["name"]),
        site=_url(doc, ("collectif", "site"), raw["site"]),
        domains=tuple(normalise_host(d) for d in domains),
    )
    crawl = _settings(doc, "crawl", top.get("crawl"), CRAWL_SETTINGS)
    if crawl["browser"] not in ("auto", "off"):
        raise doc.error(("crawl", "browser"), "valeurs possibles: auto, off")
    news = _settings(doc, "news", top.get("news"), NEWS_SETTINGS)
    night = _settings(doc, "night", top.get("night"), NIGHT_SETTINGS)
    _check_schedule(doc, night["schedule"])
    mail = _settings(doc, "mail", top.get("mail"), MAIL_SETTINGS)
    if mail["security"] not in ("starttls", "tls", "none"):
        raise doc.error(("mail", "security"), "valeurs possibles: starttls, tls, none")
    for key in ("sender", "secretariat"):
        if mail[key] and not _EMAIL.fullmatch(mail[key]):
            raise doc.error(("mail", key), f"adresse e-mail invalide: {mail[key]!r}")
    site = _settings(doc, "site", top.get("site"), SITE_SETTINGS)
    if site["start_url"]:
        site["start_url"] = _url(doc, ("site", "start_url"), site["start_url"])
    rota, triage = _load_rota(doc, top.get("rota")), _load_triage(doc, top.get("triage"))
    return collectif, crawl, news, rota, triage, night, mail, site


def _check_schedule(doc: YamlDocument, line: str) -> None:
    if line == DEFAULT_SCHEDULE:  # checked by the tests: APScheduler's 50 ms of start-up spared
        return
    from monitor.night.clock import cron_trigger

    try:
        cron_trigger(line)
    except ValueError as exc:
        raise doc.error(("night", "schedule"), f"ligne crontab invalide {line!r} ({exc})") from None


def _load_members(file: Path) -> tuple[Member, ...]:
    doc = YamlDocument(file)
    top = doc.mapping((), doc.data, {"members"})
    entries = top.get("members") or []
    if not isinstance(entries, list):
        raise doc.error(("members",), "une liste d'associations est attendue")
    members: list[Member] = []
    seen: set[str] = set()
    fields = {"id", "name", "site", "contact_email", "link_pages"}
    for index, entry in enumerate(entries):
        path = ("members", index)
        entry = doc.mapping(path, entry, fields)
        member_id = doc.unique_id(path, entry.get("id"), seen)
        if not entry.get("name"):
            raise doc.error((*path, "name"), "nom obligatoire")
        site = entry.get("site")
        email = entry.get("contact_email")
        if email is not None and (not isinstance(email, str) or not _EMAIL.fullmatch(email)):
            raise doc.error((*path, "contact_email"), f"adresse e-mail invalide: {email!r}")
        pages = entry.get("link_pages") or []
        if not isinstance(pages, list):
            raise doc.error((*path, "link_pages"), "une liste d'adresses est attendue")
        members.append(
            Member(
                id=member_id,
                name=str(entry["name"]),
                site=_url(doc, (*path, "site"), site) if site else None,
                contact_email=email,
                link_pages=tuple(_url(doc, (*path, "link_pages", i), p) for i, p in enumerate(pages)),
            )
        )
    return tuple(members)


def load_config(directory: Path | str) -> Config:
    """Read and validate `config.yml` and `members.yml` in `directory`."""
    directory = Path(directory)
    collectif, crawl, news, rota, triage, night, mail, site = _load_config(directory / "config.yml")
    members = _load_members(directory / "members.yml")
    known = {m.id for m in members} | {"secretariat"}
    unknown = [m for m in (*rota.members, *(o.member_id for o in rota.overrides)) if m not in known]
    if unknown:
        raise ConfigError(
            directory / "config.yml", None, "rota", f"association inconnue : {unknown[0]} (voir members.yml)"
        )
    return Config(directory, collectif, crawl, members, news, rota, triage, night, mail, site)
