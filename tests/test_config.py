"""Configuration files: the shipped ones are valid; every mistake names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import CRAWL_SETTINGS, ConfigError, load_config

DATA = Path(__file__).parent.parent / "data"


def test_shipped_configuration_is_valid() -> None:
    config = load_config(DATA)
    ids = {m.id for m in config.members}
    assert {
        "secours-catholique",
        "amicale-du-nid",
        "fondation-scelles",
        "ecpat-france",
        "hors-la-rue",
        "ccem",
    } <= ids
    assert {
        "armee-du-salut",
        "afj",
        "bon-pasteur",
        "planete-enfants",
        "justice-et-paix",
        "esclavage-tolerance-zero",
    } <= ids
    assert config.collectif.domains == ("contrelatraite.org", "contrelatraite.net", "contrelatraite.com")
    without_site = {m.id for m in config.members if not m.site}
    assert without_site == {"esclavage-tolerance-zero", "cpdh"}
    assert config.crawl["max_depth"] == 2 and config.crawl["page_budget"] == 60
    assert config.crawl["max_download_mb"] == 5


def test_shipped_addresses_come_from_the_addresses_note() -> None:
    from tests.conftest import shared_corpus

    note = shared_corpus("notes", "addresses.md").read_text(encoding="utf-8")
    for member in load_config(DATA).members:
        if member.site:
            host = member.site.split("//", 1)[1].rstrip("/")
            assert host in note, f"{member.id}: {member.site} is not in addresses.md"


def write(folder: Path, config: str | None = None, members: str = "members: []\n") -> Path:
    base = (DATA / "config.yml").read_text(encoding="utf-8")
    (folder / "config.yml").write_text(config if config is not None else base, encoding="utf-8")
    (folder / "members.yml").write_text(members, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (
            "members:\n  - id: a\n    name: A\n    site: htp:/x\n",
            "members.yml:4: members[0].site: adresse web invalide",
        ),
        (
            "members:\n  - id: a\n    name: A\n  - id: a\n    name: B\n",
            "members.yml:4: members[1].id: identifiant en double: a",
        ),
        ("members:\n  - id: A B\n    name: A\n", "members.yml:2: members[0].id: identifiant invalide"),
        ("members:\n  - id: a\n    nom: A\n", "members.yml:3: members[0].nom: clé inconnue"),
        (
            "members:\n  - id: a\n    name: A\n    contact_email: pas-un-mail\n",
            "members.yml:4: members[0].contact_email",
        ),
        ("members:\n  - id: a\n    name: [unclosed\n", "members.yml:4: YAML illisible"),
        (
            "members:\n  - id: a\n    name: A\n    link_pages: [https://ok.org/, 12]\n",
            "members.yml:4: members[0].link_pages[1]",
        ),
    ],
)
def test_member_errors_name_file_line_and_field(tmp_path: Path, members: str, message: str) -> None:
    write(tmp_path, members=members)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("max_depth: 2", "max_depth: deux", "config.yml:14: crawl.max_depth: int attendu"),
        ("page_budget: 60", "page_budgett: 60", "config.yml:15: crawl.page_budgett: clé inconnue"),
        ("browser: auto", "browser: toujours", "config.yml:24: crawl.browser: valeurs possibles"),
        ("timeout_s: 20", "timeout_s: -1", "config.yml:18: crawl.timeout_s: la valeur doit être positive"),
        ("    - Livre\n", "    - 12\n", "config.yml:53: triage.categories[4]: texte attendu, trouvé 12"),
        ("public_pages: [publies]", "public_pages: publies", "config.yml:47: triage.public_pages: une liste"),
        ("    - Livre\n", "    - Autre\n", "triage.categories: une catégorie apparaît deux fois"),
        (
            "  site: https://www.contrelatraite.org/",
            "  site:",
            "config.yml:6: collectif.site: valeur obligatoire",
        ),
    ],
)
def test_config_errors_name_file_line_and_field(tmp_path: Path, replace: str, by: str, message: str) -> None:
    text = (DATA / "config.yml").read_text(encoding="utf-8")
    assert replace in text
    write(tmp_path, config=text.replace(replace, by))
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert message in str(error.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.yml: fichier introuvable"):
        load_config(tmp_path)


def test_every_crawl_setting_is_documented_and_in_the_shipped_config() -> None:
    readme = (DATA.parent / "README.md").read_text(encoding="utf-8")
    shipped = (DATA / "config.yml").read_text(encoding="utf-8")
    for setting in CRAWL_SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name
        assert f"{setting.name}:" in shipped, setting.name
