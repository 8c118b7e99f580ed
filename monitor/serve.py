"""`veille serve`: the triage desk, Datasette on the Veille database.

Configuration is data (`monitor/datasette/metadata.yml`, `templates/`, `plugins/`). Accounts live in
a secrets file outside git (`data/secrets.yml` by default): password hashes, roles and the cookie
secret, so logins survive a restart. Nothing secret ever enters Datasette's metadata, which it publishes.
"""

from __future__ import annotations

import os
import secrets as random_secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from monitor.config import ConfigError, TriageConfig
from monitor.passwords import hash_password
from monitor.yaml_input import load_yaml

DATASETTE_DIR = Path(__file__).parent / "datasette"
ROLES = ("secretariat", "member")


@dataclass
class Secrets:
    path: Path
    cookie_secret: str = ""
    users: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Secrets:
        data = load_yaml(path.read_text(encoding="utf-8")) if path.exists() else {}
        data = data or {}
        return cls(path, data.get("cookie_secret") or "", dict(data.get("users") or {}))

    def save(self) -> None:
        if not self.cookie_secret:
            self.cookie_secret = random_secrets.token_hex(32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            yaml.safe_dump({"cookie_secret": self.cookie_secret, "users": self.users}), encoding="utf-8"
        )
        self.path.chmod(0o600)

    def add_user(self, name: str, password: str, role: str) -> str:
        password_hash = hash_password(password)
        self.users[name] = {"password_hash": password_hash, "role": role}
        return password_hash


def _desk_metadata() -> dict[str, Any]:
    return yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))


def check_triage(triage: TriageConfig, config_file: Path, desk: dict[str, Any] | None = None) -> None:
    """`triage.public_pages` must name read-only pages of the desk (canned queries or tables)."""
    database = (desk or _desk_metadata())["databases"]["veille"]
    pages = {name for name, query in database["queries"].items() if not query.get("write")}
    pages |= {name for name, table in database["tables"].items() if not table.get("hidden")}
    unknown = [page for page in triage.public_pages if page not in pages]
    if unknown:
        raise ConfigError(
            config_file,
            None,
            "triage.public_pages",
            f"{unknown[0]} n'est pas une page en lecture seule du bureau de tri"
            f" (pages possibles : {', '.join(sorted(pages))})",
        )


def metadata(
    db_name: str,
    secrets: Secrets,
    member_names: dict[str, str],
    triage: TriageConfig | None = None,
    config_file: Path = Path("config.yml"),
) -> dict[str, Any]:
    """The Datasette metadata: the YAML file, the database under its served name, where the accounts
    are (never the accounts themselves), and the `triage` section of the configuration: pick
    categories (for plugins/veille_triage.py) and public pages (for plugins/veille_permissions.py)."""
    triage = triage or TriageConfig()
    data = _desk_metadata()
    check_triage(triage, config_file, data)
    data["databases"] = {db_name: data["databases"]["veille"]}
    # Datasette publishes its metadata (plugin configuration included) at /-/metadata.json: the
    # accounts stay in the secrets file, which plugins/veille_login.py reads at each log-in.
    data["plugins"] = {
        "veille": {
            "public_pages": list(triage.public_pages),
            "categories": list(triage.categories),
            "secrets_file": str(secrets.path.resolve()),
            "config_dir": str(config_file.parent.resolve()),  # for the backlink report (/liens)
            "members": dict(member_names),
        }
    }
    return data


def build_datasette(
    db_path: Path,
    secrets: Secrets,
    member_names: dict[str, str],
    base_url: str = "/",
    triage: TriageConfig | None = None,
    config_file: Path = Path("config.yml"),
) -> Any:
    from datasette.app import Datasette

    from monitor.desk.database import DeskDatabase

    desk = metadata(db_path.stem, secrets, member_names, triage, config_file)
    datasette = Datasette(
        [str(db_path)],
        metadata=desk,
        template_dir=str(DATASETTE_DIR / "templates"),
        plugins_dir=str(DATASETTE_DIR / "plugins"),
        # $DATASETTE_SECRET (a deployer's environment) wins over the secrets file.
        secret=os.environ.get("DATASETTE_SECRET") or secrets.cookie_secret or None,
        # Facet suggestions try every column of every page: over 300,000 stories a search spent a
        # second on them. Configured facets stay, each given at most 200 ms.
        settings={
            "base_url": base_url,
            "sql_time_limit_ms": 3000,
            "default_page_size": 50,
            "suggest_facets": False,
            "facet_time_limit_ms": 200,
            # SQLite's page cache stays at its default (2 MB per connection): the stories search reads
            # story_index (~15 MB), not the 200 MB table; a 64 MB cache no longer saved CPU there and
            # raised the desk's peak memory from 89 to 283 MB (docs/benchmarks.md, story_index).
        },
    )
    tables = desk["databases"][db_path.stem]["tables"]
    fts_tables = {name: table["fts_table"] for name, table in tables.items() if table.get("fts_table")}
    # The same file, served by the desk's database (monitor/desk/database.py): search counts from the
    # index, the stories page from story_index, first pages in key order, answers remembered.
    datasette.remove_database(db_path.stem)
    datasette.add_database(DeskDatabase(datasette, str(db_path), fts_tables), name=db_path.stem)
    return datasette
