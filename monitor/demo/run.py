"""`veille demo`: serve the fictional web, check it into a fresh database, write the report."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from monitor.demo.web import FixtureWeb
from monitor.serve import Secrets

DEMO_DIR = Path(__file__).parent
PROJECT_DATA = DEMO_DIR.parent.parent / "data"


DEMO_PASSWORD = "demo-veille"
DEMO_ACCOUNTS = (("les-lucioles", "member"), ("le-phare", "member"), ("secretariat", "secretariat"))


@dataclass
class DemoPaths:
    folder: Path
    config: Path
    db: Path
    report: Path
    site_report: Path
    secrets: Path


def prepare(folder: Path, web: FixtureWeb) -> DemoPaths:
    """A fresh demo folder: configuration pointing at the running fixture web, no database yet."""
    config_dir = folder / "config"
    if folder.exists():
        for name in ("veille.db", "veille.db-wal", "veille.db-shm"):
            (folder / name).unlink(missing_ok=True)
    config_dir.mkdir(parents=True, exist_ok=True)
    for name in ("config.yml", "members.yml", "sources.yml"):
        text = (DEMO_DIR / name).read_text(encoding="utf-8")
        text = re.sub(r"\{web:([\w-]+)\}", lambda m: web.url(m.group(1)), text)
        (config_dir / name).write_text(text, encoding="utf-8")
    # The demo judges stories with the Collectif's own lexicon.
    shutil.copy(PROJECT_DATA / "topics.yml", config_dir / "topics.yml")
    # A rota whose first turn (Les Lucioles) is the current week.
    monday = date.today() - timedelta(days=date.today().weekday())
    with (config_dir / "config.yml").open("a", encoding="utf-8") as config:
        config.write(
            f"rota:\n  start: {monday.isoformat()}\n  turn_weeks: 1\n  members: [les-lucioles, le-phare]\n"
        )
    secrets = Secrets(folder / "secrets.yml")
    for name, role in DEMO_ACCOUNTS:
        secrets.add_user(name, DEMO_PASSWORD, role)
    secrets.save()
    return DemoPaths(
        folder,
        config_dir,
        folder / "veille.db",
        folder / "rapport-liens.html",
        folder / "rapport-site.html",
        secrets.path,
    )
