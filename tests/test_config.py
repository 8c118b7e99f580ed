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
        ("max_depth: 2", "max_depth: deux", "config.yml:14: crawl.max_depth: nombre entier attendu"),
        ("page_budget: 60", "page_budgett: 60", "config.yml:15: crawl.page_budgett: clé inconnue"),
        ("browser: auto", "browser: toujours", "config.yml:24: crawl.browser: valeurs possibles"),
        (
            "timeout_s: 20",
            "timeout_s: -1",
            "config.yml:18: crawl.timeout_s: valeur hors limites -1 (entre 1 et 600)",
        ),
        ("    - Livre\n", "    - 12\n", "config.yml:53: triage.categories[4]: texte attendu, trouvé 12"),
        ("public_pages: [publies]", "public_pages: publies", "config.yml:47: triage.public_pages: une liste"),
        ("    - Livre\n", "    - Autre\n", "triage.categories: une catégorie apparaît deux fois"),
        (
            "  site: https://www.contrelatraite.org/",
            "  site:",
            "config.yml:6: collectif.site: valeur obligatoire",
        ),
        # A zero size cap used to switch the cap off: a gzip bomb was decompressed whole.
        ("max_download_mb: 5", "max_download_mb: 0", "crawl.max_download_mb: valeur hors limites 0.0"),
        ("max_download_mb: 5", "max_download_mb: .nan", "crawl.max_download_mb: valeur hors limites nan"),
        ("max_download_mb: 5", "max_download_mb: .inf", "crawl.max_download_mb: valeur hors limites inf"),
        (
            "concurrency_per_site: 2",
            "concurrency_per_site: 0",
            "crawl.concurrency_per_site: valeur hors limites",
        ),
        (
            "timeout_s: 20",
            "timeout_s: 100000",
            "crawl.timeout_s: valeur hors limites 100000 (entre 1 et 600)",
        ),
        ("page_budget: 60", "page_budget: 0", "crawl.page_budget: valeur hors limites"),
        ("start: 2026-11-30", "start: 2026-13-45", "config.yml:38: date invalide '2026-13-45'"),
        (
            "max_depth: 2",
            "max_depth: 2\n  max_depth: 3",
            "config.yml:15: clé en double : 'max_depth' (déjà à la ligne 14)",
        ),
    ],
)
def test_config_errors_name_file_line_and_field(tmp_path: Path, replace: str, by: str, message: str) -> None:
    text = (DATA / "config.yml").read_text(encoding="utf-8")
    assert replace in text
    write(tmp_path, config=text.replace(replace, by, 1))
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert message in str(error.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.yml: fichier introuvable"):
        load_config(tmp_path)


def test_every_crawl_setting_is_documented_and_in_the_shipped_config() -> None:
    readme = (DATA.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
    shipped = (DATA / "config.yml").read_text(encoding="utf-8")
    for setting in CRAWL_SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name
        assert f"{setting.name}:" in shipped, setting.name


def test_browser_off_as_the_shipped_comment_suggests(tmp_path: Path) -> None:
    text = (DATA / "config.yml").read_text(encoding="utf-8")
    members = (DATA / "members.yml").read_text(encoding="utf-8")
    write(tmp_path, config=text.replace("browser: auto", "browser: off"), members=members)
    assert load_config(tmp_path).crawl["browser"] == "off"


def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """Nine levels of nine aliases expand to 387 million strings: refused before expansion."""
    lines = ['a0: &a0 ["x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    write(tmp_path, members="\n".join(lines) + "\nmembers: *a9\n")
    with pytest.raises(ConfigError, match=r"members\.yml:2: les alias YAML"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ("", "aucun terme de poids positif"),
        ("terms: []\n", "aucun terme de poids positif"),
        (
            "terms:\n  - {phrase: traite des êtres humains, weight: lourd}\n",
            "terms[0]: weight: nombre attendu, trouvé 'lourd'",
        ),
        ("terms:\n  - {phrase: a, weight: 3}\nterms: []\n", "topics.yml:3: clé en double : 'terms'"),
    ],
)
def test_lexicon_mistakes_are_named(tmp_path: Path, topics: str, message: str) -> None:
    from monitor.relevance import LexiconError, load_lexicon

    path = tmp_path / "topics.yml"
    path.write_text(topics, encoding="utf-8")
    with pytest.raises(LexiconError) as error:
        load_lexicon(path)
    assert message in str(error.value)


def test_over_size_failures_are_said_in_french() -> None:
    from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
    from twisted.python.failure import Failure

    from crawler.failures import describe_failure

    while_downloading = DownloadCancelledError(
        "Received 6000000 bytes which is larger than download max size (5242880) in request <GET http://x/>."
    )
    while_decompressing = IgnoreRequest(
        "Ignored response <200 http://x/> because its body (1 B compressed, 9 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (5 B) during decompression."
    )
    for exc in (while_downloading, while_decompressing):
        assert describe_failure(Failure(exc)) == (
            "too_large",
            "page trop lourde (taille maximale dépassée)",
            None,
        )
    assert describe_failure(Failure(DownloadCancelledError()))[1] == "téléchargement interrompu"


@pytest.mark.parametrize(
    "address", ["|\n      a@b.org\n", '"a@b.org\\n"', '"a@b.org\\x01"', '"a@b.org, c@d.org"', '"A <a@b.org>"']
)
def test_an_address_with_a_newline_or_a_second_recipient_is_refused(tmp_path: Path, address: str) -> None:
    members = f"members:\n  - id: a\n    name: A\n    contact_email: {address}\n"
    write(tmp_path, members=members)
    with pytest.raises(
        ConfigError, match=r"members\.yml:4: members\[0\]\.contact_email: adresse e-mail invalide"
    ):
        load_config(tmp_path)
    for key in ("sender", "secretariat"):
        config = (DATA / "config.yml").read_text(encoding="utf-8") + f"mail:\n  {key}: {address}\n"
        write(tmp_path, config=config)
        with pytest.raises(ConfigError, match=rf"config\.yml:\d+: mail\.{key}: adresse e-mail invalide"):
            load_config(tmp_path)


def test_libyaml_and_the_python_parser_read_every_bundled_file_alike() -> None:
    """The fast parser (libyaml) gives the data and the lines the pure-Python one gives; a document
    it cannot read, or holding an alias, goes to the pure-Python parser for the message."""
    from monitor import yaml_input

    assert yaml_input.FastLoader is not None  # PyYAML's wheels ship libyaml: the fast path is tested
    root = Path(__file__).parent.parent
    files = [*root.glob("data/*.yml"), *root.glob("monitor/**/*.yml")]
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast, fast_node = yaml_input.read_yaml(text)
        slow, slow_node = yaml_input._read_slowly(text)
        assert fast == slow, path
        assert [n.start_mark.line for _, n in fast_node.value] == [
            n.start_mark.line for _, n in slow_node.value
        ]
    tricky = "a: 2026-12-04\nb: yes\nc: '007'\nd: 1_000\ne: [1, {f: ~}]\n"
    assert yaml_input.read_yaml(tricky)[0] == yaml_input._read_slowly(tricky)[0]
    for wrong, message in (
        ("a: 1\nb: [\n", r"^YAML illisible"),
        ("a: 1\na: 2\n", r"clé en double : 'a' \(déjà à la ligne 1\)"),
        ("a: &x 1\nb: *x\n", r"les alias YAML"),
        ("a: 2026-13-45\n", r"date invalide"),
    ):
        with pytest.raises(yaml_input.YamlInputError, match=message) as raised:
            yaml_input.read_yaml(wrong)
        with pytest.raises(yaml_input.YamlInputError) as slowly:
            yaml_input._read_slowly(wrong)
        assert (str(raised.value), raised.value.line) == (str(slowly.value), slowly.value.line)


def test_the_default_schedule_that_config_loading_skips_is_a_valid_crontab_line(tmp_path: Path) -> None:
    """Loading a configuration does not check the default schedule (APScheduler's start-up spared):
    it must be valid, and any other line is still checked, with the file and line named."""
    from monitor.config import DEFAULT_SCHEDULE
    from monitor.night.clock import cron_trigger

    assert DEFAULT_SCHEDULE == "15 4 * * *" and cron_trigger(DEFAULT_SCHEDULE) is not None
    base = (DATA / "config.yml").read_text(encoding="utf-8")
    write(tmp_path, config=base + "night:\n  schedule: '61 4 * * *'\n")
    with pytest.raises(ConfigError, match=r"config\.yml:\d+: night\.schedule: ligne crontab invalide '61 4"):
        load_config(tmp_path)
