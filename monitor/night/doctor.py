"""`veille doctor`: is this installation ready to run unattended? Each check says ok, attention or
échec in French with what to do; the exit code is the worst (0, 1, 2)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.labels import PARIS, date_fr

LEVELS = {"ok": 0, "attention": 1, "échec": 2}


@dataclass(frozen=True)
class Check:
    level: str  # ok, attention, échec
    subject: str
    detail: str


def _guarded(subject: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as exc:  # a check that cannot run is a failed check, said in one line
        return Check("échec", subject, f"{type(exc).__name__}: {exc}"[:300])


def diagnose(config_dir: Path, db_path: Path, now: datetime | None = None) -> list[Check]:
    now = now or datetime.now(PARIS)
    checks = [_guarded("Configuration", lambda: _configuration(config_dir))]
    if checks[0].level == "échec":
        return checks
    from monitor.config import load_config

    config = load_config(config_dir)
    checks.append(_guarded("Base de données", lambda: _database(db_path)))
    checks.append(_guarded("Espace disque", lambda: _disk(db_path)))
    checks.append(_guarded("Envoi des e-mails", lambda: _smtp(config.mail)))
    checks.append(_guarded("Roulement", lambda: _rota(config)))
    checks.append(_guarded("Navigateur", lambda: _browser(config.crawl["browser"])))
    checks.append(_guarded("Dernière nuit", lambda: _last_night(db_path, now)))
    return checks


def worst(checks: list[Check]) -> int:
    return max((LEVELS[c.level] for c in checks), default=0)


def _configuration(config_dir: Path) -> Check:
    from monitor.cli.news import load_news_config

    config, sources, lexicon = load_news_config(config_dir)
    return Check("ok", "Configuration", f"{len(config.members)} associations, {len(sources.sources)} sources,"
                 f" {len(lexicon().terms)} termes")  # fmt: skip


def _database(db_path: Path) -> Check:
    from monitor.store import Store
    from monitor.store.schema import migrations

    with Store.open(db_path) as store:
        pending = migrations.pending(store.db)
        if pending:
            return Check(
                "échec",
                "Base de données",
                f"migrations non appliquées : {', '.join(m.name for m in pending)}",
            )
        with store.db.atomic():
            store.db.execute("CREATE TEMP TABLE IF NOT EXISTS doctor_probe (x)")
            store.db.execute("INSERT INTO doctor_probe VALUES (1)")
        verdict = store.db.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        return Check("échec", "Base de données", f"intégrité : {verdict}")
    return Check("ok", "Base de données", f"{db_path} : accessible en écriture, à jour, intègre")


def _disk(db_path: Path) -> Check:
    free = shutil.disk_usage(db_path.resolve().parent).free / 2**30
    level = "échec" if free < 0.2 else "attention" if free < 1 else "ok"
    return Check(level, "Espace disque", f"{free:.1f} Gio libres près de la base")


def _smtp(mail: dict[str, Any]) -> Check:
    if not mail["host"]:
        return Check(
            "attention",
            "Envoi des e-mails",
            "aucun serveur SMTP configuré (mail.host) : aucun e-mail ne part",
        )
    if not mail["secretariat"]:
        return Check("attention", "Envoi des e-mails", "adresse du secrétariat absente (mail.secretariat)")
    from monitor.night.mail import connect

    with connect(mail, timeout_s=10) as session:
        session.noop()
    login = f", connexion de {mail['user']} acceptée" if mail["user"] else ""
    return Check("ok", "Envoi des e-mails", f"{mail['host']}:{mail['port']} répond{login}")


def _rota(config: Any) -> Check:
    from monitor.rota import unreachable_warning

    unreachable = config.unreachable_on_rota()
    if unreachable:
        return Check("attention", "Roulement", unreachable_warning(unreachable))
    return Check("ok", "Roulement", f"{len(config.rota.members)} associations, toutes joignables par e-mail")


def _browser(setting: str) -> Check:
    from crawler.browser import find_chromium

    if setting == "off":
        return Check("ok", "Navigateur", "désactivé (crawl.browser: off) : jugement statique seulement")
    found = find_chromium()
    if found:
        return Check("ok", "Navigateur", f"Chromium trouvé : {found}")
    return Check(
        "attention", "Navigateur", "Chromium absent : jugement statique seulement (apt-get install chromium)"
    )


def _last_night(db_path: Path, now: datetime) -> Check:
    from monitor.store import Store

    with Store.open(db_path) as store:
        last = store.last_good_night()
    if last is None:
        return Check("attention", "Dernière nuit", "aucune nuit réussie pour l'instant")
    age = now - last
    level = "échec" if age > timedelta(hours=72) else "attention" if age > timedelta(hours=36) else "ok"
    return Check(
        level,
        "Dernière nuit",
        f"réussie le {date_fr(last.isoformat())} (il y a {age.total_seconds() / 3600:.0f} h)",
    )
