"""The `veille` command as users and scripts call it: real child processes, real output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.demo.run import DEMO_PASSWORD
from monitor.demo.web import FixtureWeb
from tests.conftest import TESTS
from tests.serving import first_answer, free_port, logged_in


def veille(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_links_check_json_keeps_the_order_of_the_urls(web: FixtureWeb) -> None:
    urls = [web.url("partners"), web.url("robots"), web.url("comment")]
    result = veille("links", "check", *urls, "--json", "--no-browser", "--config", str(TESTS / "config"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(d["url"], d["status"], d["mode"]) for d in data] == [
        (urls[0], "linked", "static"),
        (urls[1], "blocked", "static"),
        (urls[2], "hidden", "static"),
    ]
    [finding] = data[0]["findings"]
    assert set(finding) == {"page", "depth", "href", "text", "rel", "location", "visible", "hidden_reason"}
    assert (finding["depth"], finding["location"], finding["visible"], finding["rel"]) == (
        1,
        "main",
        True,
        [],
    )
    assert data[0]["pages_crawled"] >= 2


@pytest.mark.browser
def test_links_check_in_browser_mode(web: FixtureWeb) -> None:
    result = veille(
        "links", "check", web.url("js-injected"), "--json", "--config", str(TESTS / "config"), "--browser"
    )
    assert result.returncode == 0, result.stderr
    [data] = json.loads(result.stdout)
    assert (data["status"], data["mode"]) == ("linked", "browser")


def test_bad_configuration_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "config.yml").write_text((TESTS / "config" / "config.yml").read_text(encoding="utf-8"))
    (tmp_path / "members.yml").write_text("members:\n  - id: x\n    name: X\n    site: pas une adresse\n")
    result = veille("links", "run", "--config", str(tmp_path), "--db", str(tmp_path / "v.db"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Erreur : {tmp_path}/members.yml:4: members[0].site: adresse web invalide: 'pas une adresse' "
        "(attendu: https://exemple.org/)"
    )
    assert "Traceback" not in result.stderr and not (tmp_path / "v.db").exists()


@pytest.mark.parametrize(("feature", "run"), [("links", "links run"), ("site", "site audit")])
def test_report_without_database_says_what_to_do(feature: str, run: str, tmp_path: Path) -> None:
    result = veille(feature, "report", "--db", str(tmp_path / "none.db"), "--config", str(TESTS / "config"))
    assert result.returncode == 1 and f"lancez d'abord « veille {run} »" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_config_check_refuses_a_writing_page_made_public(tmp_path: Path) -> None:
    data = TESTS.parent / "data"
    config = (data / "config.yml").read_text(encoding="utf-8")
    (tmp_path / "config.yml").write_text(config.replace("public_pages: [publies]", "public_pages: [choisir]"))
    for name in ("members.yml", "sources.yml", "topics.yml"):
        (tmp_path / name).write_text((data / name).read_text(encoding="utf-8"))
    result = veille("config", "check", "--config", str(tmp_path))
    assert result.returncode == 1
    assert "config.yml: triage.public_pages: choisir n'est pas une page en lecture seule" in result.stderr
    (tmp_path / "config.yml").write_text(config)
    (tmp_path / "topics.yml").write_text("# vidé par erreur\n")
    result = veille("config", "check", "--config", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Erreur : {tmp_path / 'topics.yml'}: terms: aucun terme de poids positif (le fichier est-il vide ?)"
    )


def test_config_check_on_the_shipped_configuration() -> None:
    result = veille("config", "check", cwd=TESTS.parent)
    assert result.returncode == 0 and result.stdout.startswith("Configuration valide : 24 associations")
    assert " sources ; " in result.stdout and " termes de pertinence." in result.stdout


def run_demo_until_the_desk_opens(out: Path) -> str:
    """`veille demo --serve`: its output once the triage desk answers, after checking the desk."""
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "monitor", "demo", "--out", str(out), "--no-browser", "-q", "--serve",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert demo.stdout is not None
        for line in demo.stdout:  # the job, then the desk's address
            lines.append(line)
            if "Ctrl-C" in line:
                break
        assert f"Bureau de tri : http://127.0.0.1:{port}/" in lines[-1], "".join(lines)
        base = f"http://127.0.0.1:{port}"
        assert "Actualités publiées" in first_answer(base + "/", demo, wait_s=10)
        lucioles = logged_in(base, "les-lucioles", DEMO_PASSWORD)
        home = lucioles.open(base + "/").read().decode()
        assert "De veille :</strong> Les Lucioles (démo)" in home
        queue = lucioles.open(base + "/tri").read().decode()
        assert queue.count('value="choisir"') >= 3 and "Proxénétisme" in queue
    finally:
        demo.terminate()
        demo.wait(timeout=10)
    return "".join(lines)


def test_demo_runs_end_to_end_offline_and_opens_the_desk(tmp_path: Path) -> None:
    stdout = run_demo_until_the_desk_opens(tmp_path / "demo")
    report = tmp_path / "demo" / "rapport-liens.html"
    assert f"Rapport des liens : {report}" in stdout
    # What the night would send, printed, nothing sent: Les Lucioles is on duty this week (its digest,
    # and on Mondays the start of its turn too); the secretariat hears of the audit of the site.
    assert "Messages que la nuit enverrait (2 ; la démo n'envoie rien) :" in stdout
    assert "À : contact@lucioles.example\nObjet : " in stdout and " à trier\n" in stdout  # the digest
    assert "À : secretariat@collectif.example" in stdout and "Audit du site du Collectif :" in stdout
    assert "http://127.0.0.1:8001/tri?histoire=" in stdout
    html = report.read_text(encoding="utf-8")
    for label in (
        "Lien visible",
        "Lien visible mais « nofollow »",
        "Lien présent mais invisible",
        "Aucun lien",
        "Site injoignable",
        "Accès refusé au robot",
        "Site non renseigné",
    ):
        assert label in html
    report_md = veille(
        "links",
        "report",
        "--format",
        "md",
        "--db",
        str(tmp_path / "demo" / "veille.db"),
        "--config",
        str(tmp_path / "demo" / "config"),
    )
    assert report_md.returncode == 0 and "| Les Lucioles (démo) | Lien visible |" in report_md.stdout
    demo = tmp_path / "demo"
    # The news part: the fictional newspaper and the feed discovered on a member site.
    from monitor.store import Store

    stored = Store.open(demo / "veille.db").db
    assert stored["articles"].count >= 8 and stored["stories"].count >= 5 and stored["rejections"].count == 2
    sources = veille(
        "news", "sources", "--json", "--db", str(demo / "veille.db"), "--config", str(demo / "config")
    )
    health = {row["id"]: row for row in json.loads(sources.stdout)}
    assert health["gazette-absent"]["last_error"] == "HTTP 404" and health["gazette-rss"]["error_count"] == 0
    assert any(
        row["origin"] == "discovered" and row["member_id"] == "les-lucioles" for row in health.values()
    )
    # The triage desk on the demo data: accounts printed, a demo association on duty this week.
    assert (
        "Comptes de démonstration : les-lucioles, le-phare, secretariat (mot de passe : demo-veille)"
        in stdout
    )
    assert (demo / "secrets.yml").exists()
    rota = veille("rota", "--db", str(demo / "veille.db"), "--config", str(demo / "config"))
    assert rota.stdout.startswith("De veille aujourd'hui") and "Les Lucioles (démo)" in rota.stdout


def test_scrapy_crawl_works_alone_without_the_database(web: FixtureWeb, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "backlinks", "-a", f"site={web.url('partners')}",
         "-o", str(out), "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, timeout=120, cwd=TESTS.parent, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    kinds = {item["type"] for item in items}
    assert kinds == {"page", "link"}
    [link] = [item for item in items if item["type"] == "link"]
    assert link["page"].endswith("/partenaires.html") and link["visible"] is True


def test_classify_reads_and_writes_json_lines(tmp_path: Path) -> None:
    lines = "\n".join([
        json.dumps({"id": "a", "title": "Proxénétisme : un réseau démantelé à Lyon"}),
        json.dumps({"id": 7, "title": "Réforme des retraites", "summary": "Les syndicats manifestent."}),
        "pas du JSON",
        json.dumps({"id": "c", "title": "Servitude", "text": "Une employée de maison réduite en esclavage.", "lang": "fr"}),
    ])  # fmt: skip
    command = [sys.executable, "-m", "monitor", "classify", "--db", str(tmp_path / "veille.db")]
    result = subprocess.run(command, input=lines, capture_output=True, text=True, timeout=60, check=False,
                            cwd=TESTS.parent)  # fmt: skip
    # The lexicon compiled once and kept beside the database, as the nights keep it; read back next time.
    assert len(list((tmp_path / ".veille.db.cache").glob("lexicon-*.pickle"))) == 1
    again = subprocess.run(command, input=lines, capture_output=True, text=True, timeout=60, check=False,
                           cwd=TESTS.parent)  # fmt: skip
    assert again.stdout == result.stdout and again.returncode == 2
    assert (
        result.returncode == 2
        and result.stderr.strip() == "Ligne 3 ignorée : Expecting value: line 1 column 1 (char 0)"
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o["relevant"]) for o in out] == [("a", True), (7, False), ("c", True)]
    assert set(out[0]) == {"id", "relevant", "score", "topics", "kind", "matched", "weak", "evidence", "why"}
    assert out[0]["matched"] == ["Proxénétisme"] and "proxenetisme" in out[0]["topics"]


def test_classify_says_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    """The « pourquoi ? » of a rule quotes the first words it meets: in text order, not in the order of
    a set of phrases, which follows the hash seed (these five corpus stories were judged with other
    words under seeds 3, 5, 7 and 8 than under 0)."""
    wanted = {"enl-0033", "enl-0156", "enl-0260", "enp-0098", "fr-0097"}
    corpus = (TESTS.parent / "data" / "corpus" / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    stories = [story for story in map(json.loads, corpus) if story["id"] in wanted]
    lines = "\n".join(
        json.dumps({key: story[key] for key in ("id", "title", "summary")}) for story in stories
    )
    env = dict(os.environ)
    outputs = {}
    for seed in ("0", "3", "5", "7", "8", "random"):
        env["PYTHONHASHSEED"] = seed
        command = [sys.executable, "-m", "monitor", "classify", "--db", str(tmp_path / f"veille-{seed}.db")]
        run = subprocess.run(command, input=lines, capture_output=True, text=True, timeout=60, check=True,
                             cwd=TESTS.parent, env=env)  # fmt: skip
        outputs[seed] = run.stdout
    assert len(stories) == 5 and all(json.loads(line)["why"] for line in outputs["0"].splitlines())
    assert {seed: output == outputs["0"] for seed, output in outputs.items()} == dict.fromkeys(outputs, True)


def test_serve_warns_in_french_when_nobody_can_log_in(tmp_path: Path) -> None:
    serve = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve", "--port", str(free_port()), "--db", str(tmp_path / "veille.db"),
         "--secrets", str(tmp_path / "secrets.yml"), "--config", str(TESTS / "config")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert serve.stdout is not None
        first = serve.stdout.readline() + serve.stdout.readline()
    finally:
        serve.terminate()
        serve.wait(timeout=10)
    assert "Attention : aucun compte dans" in first and "personne ne peut se connecter" in first
    assert "veille users add secretariat --role secretariat" in first.replace("\n", " ")


def test_a_command_closes_its_database_before_it_exits(tmp_path: Path) -> None:
    """`veille` leaves the cycle collector out of its exit (gc.freeze): each command closes its database
    itself, and SQLite, closing the last connection, checkpoints the WAL and removes it."""
    db = tmp_path / "veille.db"
    listed = veille("news", "sources", "--config", str(TESTS.parent / "data"), "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    assert "Source" in listed.stdout and db.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("veille.db-")) == []
    rota = veille("rota", "--config", str(TESTS.parent / "data"), "--db", str(db))
    assert rota.returncode == 0, rota.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("veille.db-")) == []
