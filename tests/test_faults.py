"""Killed at any moment, nothing is lost: `veille news run` and `veille links run` are killed with SIGKILL
at several moments on a fixture web, then run again; the database then holds what a clean run stores
(same articles, texts, stories, sources' validators, link verdicts), and passes SQLite's and FTS5's
integrity checks. Two runs at once: the second says so in one French line."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from monitor.demo.web import FixtureWeb
from tests.conftest import TESTS

Moment = Callable[[Path], bool]
TITLES = [
    "Traite des êtres humains : un réseau démantelé à Marseille",
    "Proxénétisme aggravé : cinq prévenus jugés à Lyon",
    "Travail forcé dans les vignes : des saisonniers libérés",
    "Réforme des retraites : nouvelle journée de grève",
    "Le traité européen sur le climat signé à Bruxelles",
    "Exploitation sexuelle de mineurs : un procès s'ouvre à Paris",
    "Un traiteur lyonnais récompensé au salon de la gastronomie",
    "Esclavage moderne : une domestique libérée à Nice",
    "Mendicité forcée : trois personnes interpellées à Bordeaux",
    "Maltraitance animale : une ferme fermée par la préfecture",
]
LEADS = [
    "Les enquêteurs ont découvert un appartement où plusieurs femmes étaient contraintes de se prostituer.",
    "Le tribunal correctionnel examine le rôle de chacun des prévenus dans le réseau de prostitution.",
    "Les ouvriers agricoles logeaient sous des tentes, sans salaire, et leurs passeports étaient confisqués.",
    "Les syndicats appellent à manifester contre le recul de l'âge légal de départ à la retraite.",
    "Les ministres ont approuvé le texte après deux jours de négociations sur les émissions de carbone.",
    "Les victimes, recrutées sur les réseaux sociaux, étaient filmées contre leur gré par les accusés.",
    "Le chef a présenté un menu de fête à base de produits locaux devant le jury du concours régional.",
    "La jeune femme travaillait jour et nuit pour une famille sans être payée ni pouvoir sortir seule.",
    "Les enfants étaient conduits chaque matin aux carrefours du centre-ville pour y mendier.",
    "Les inspecteurs vétérinaires ont constaté l'état de santé alarmant d'une centaine de bovins.",
]


def newspaper(root: Path) -> None:
    """Four slow feeds of twelve entries (duplicates across feeds, the same story under two
    addresses, traps) and slow article pages."""
    site = root / "journal"
    (site / "a").mkdir(parents=True)
    for feed in range(4):
        items = []
        for entry in range(12):
            number = (feed * 9 + entry) % 40  # feeds overlap: the same article in two feeds
            title = TITLES[number % len(TITLES)] + ("" if number < 10 else f" ({number // 10})")
            items.append(
                f"<item><title>{title}</title><link>/a/{number}.html</link>"
                f"<description>{LEADS[number % len(LEADS)]}</description></item>"
            )
        (site / f"f{feed}.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Flux {feed}</title>'
            f"{''.join(items)}</channel></rss>",
            encoding="utf-8",
        )
    for number in range(40):
        body = " ".join([LEADS[number % len(LEADS)], f"Article numéro {number}."] * 8)
        (site / "a" / f"{number}.html").write_text(
            f"<html><head><title>Article {number}</title></head><body><nav>Accueil · Actualités</nav>"
            f"<article><h1>{TITLES[number % len(TITLES)]}</h1><p>{body}</p></article></body></html>",
            encoding="utf-8",
        )
    # Feeds answer in a fixed order, so an article two feeds share always belongs to the same one.
    routes = "".join(f"  /f{feed}.xml: {{delay_s: {0.1 + 0.4 * feed:.1f}}}\n" for feed in range(4))
    (site / "_site.yml").write_text(f"routes:\n{routes}  /a/*: {{delay_s: 0.12}}\n", encoding="utf-8")
    for number in range(3):
        member = root / f"membre-{number}"
        member.mkdir()
        pages = "".join(f'<a href="/p{page}.html">Page {page}</a> ' for page in range(6))
        link = '<a href="https://www.contrelatraite.org/">Collectif</a>' if number != 1 else ""
        (member / "index.html").write_text(f"<html><body>{pages}{link}</body></html>", encoding="utf-8")
        for page in range(6):
            footer = (
                '<footer><a href="https://contrelatraite.org/">Le Collectif</a></footer>' if page == 2 else ""
            )
            (member / f"p{page}.html").write_text(f"<html><body><p>Page {page}</p>{footer}</body></html>")
        (member / "_site.yml").write_text("routes:\n  /p*: {delay_s: 0.25}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def fault_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FixtureWeb, Path]]:
    root = tmp_path_factory.mktemp("fault-web")
    newspaper(root)
    with FixtureWeb(root, first_address=200) as web:
        config = tmp_path_factory.mktemp("fault-config")
        base = (TESTS / "config" / "config.yml").read_text(encoding="utf-8")
        (config / "config.yml").write_text(base + "news:\n  articles_per_source: 7\n", encoding="utf-8")
        (config / "topics.yml").write_text((TESTS.parent / "data" / "topics.yml").read_text(encoding="utf-8"))
        sources = "".join(
            f'  - {{id: f{n}, name: "Flux {n}", kind: feed, url: "{web.url("journal", f"f{n}.xml")}", language: fr}}\n'
            for n in range(4)
        )
        (config / "sources.yml").write_text(f"search_engines: {{}}\nsources:\n{sources}", encoding="utf-8")
        members = "".join(
            f"  - {{id: membre-{n}, name: Membre {n}, site: '{web.url(f'membre-{n}')}'}}\n" for n in range(3)
        )
        (config / "members.yml").write_text(f"members:\n{members}", encoding="utf-8")
        yield web, config


def start(command: str, db: Path, config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", *command.split(), "-q", "--config", str(config), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "VEILLE_CHROMIUM": ""},
    )


def run_to_end(command: str, db: Path, config: Path) -> None:
    process = start(command, db, config)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute(sql).fetchall()
    except sqlite3.OperationalError:  # schema not created yet
        return []


def count(db: Path, sql: str) -> int:
    rows = query(db, sql)
    return int(rows[0][0]) if rows else 0


def killed_then_rerun(command: str, db: Path, config: Path, moment: Moment) -> tuple[bool, bool]:
    """Start a run, SIGKILL it when `moment(db)` holds (or it ends first), run again to the end.
    Returns whether the kill happened before the run finished, and after it had started its run."""
    process = start(command, db, config)
    deadline = time.monotonic() + 60
    while process.poll() is None and not moment(db) and time.monotonic() < deadline:
        time.sleep(0.01)
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    started = count(db, "SELECT count(*) FROM runs WHERE status = 'running'") > 0
    run_to_end(command, db, config)
    return killed, started


def news_state(db: Path) -> dict[str, Any]:
    stories = query(
        db,
        "SELECT group_concat(id, ' ') FROM (SELECT id, story_id FROM articles ORDER BY id)"
        " WHERE story_id IS NOT NULL GROUP BY story_id",
    )
    return {
        "articles": query(db, "SELECT id, url, title, summary, relevant, score, text_status, text, kind"
                              " FROM articles ORDER BY id"),
        "stories": sorted(row[0] for row in stories),
        "story_rows": query(db, "SELECT title, article_count, relevant, score FROM stories ORDER BY title"),
        "article_sources": query(db, "SELECT article_id, source_id FROM article_sources ORDER BY 1, 2"),
        "validators": query(db, "SELECT id, etag, last_modified, error_count FROM sources ORDER BY id"),
        "fts": count(db, "SELECT count(*) FROM articles_fts"),
    }  # fmt: skip


def links_state(db: Path) -> dict[str, Any]:
    newest = "(SELECT max(id) FROM runs WHERE kind = 'links' AND status = 'ok')"
    return {
        "checks": query(db, f"SELECT member_id, status, links_found, visible_links FROM link_checks"
                            f" WHERE run_id = {newest} ORDER BY 1"),
        "backlinks": query(db, "SELECT id, member_id, page_url, url, visible, present, missed_runs"
                               " FROM backlinks ORDER BY id"),
        "events": query(db, "SELECT member_id, event FROM link_events ORDER BY 1, 2"),
        "runs": query(db, "SELECT kind, status FROM runs ORDER BY id"),
    }  # fmt: skip


def assert_sound(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert not db.with_name(f".{db.name}.work").exists()  # the killed run's temporary files are gone


def work_items(db: Path, lines: int) -> bool:
    """True once a crawl child has written `lines` items in the run's work folder."""
    files = db.parent.glob(f".{db.name}.work/veille-crawl-*/items.jsonl")
    return any(sum(1 for _ in file.open("rb")) >= lines for file in files if file.exists())


NEWS_MOMENTS: dict[str, Moment] = {
    "while migrating or starting": lambda db: db.exists(),
    "feed stage, some entries stored": lambda db: count(db, "SELECT count(*) FROM articles") > 0,
    "article stage, chosen": lambda db: count(db, "SELECT count(*) FROM articles WHERE text_status = 'queued'") > 0,
    "article stage, texts arriving": lambda db: work_items(db, 4),
    "article stage, half the texts stored": lambda db: (
        count(db, "SELECT count(*) FROM articles WHERE text_status = 'ok'") >= 10
    ),
}  # fmt: skip
LINKS_MOMENTS: dict[str, Moment] = {
    "while starting": lambda db: db.exists(),
    "crawl under way": lambda db: work_items(db, 3),
    "crawl nearly done": lambda db: work_items(db, 14),
}


def test_a_news_run_killed_at_any_moment_loses_nothing(fault_web: Any, tmp_path: Path) -> None:
    _, config = fault_web
    clean = tmp_path / "clean" / "veille.db"
    run_to_end("news run", clean, config)
    expected = news_state(clean)
    assert len(expected["articles"]) == 39 and expected["fts"] == 39  # 4 feeds × 12, 9 shared
    assert sum(1 for a in expected["articles"] if a[6] == "ok") == 28  # 7 per feed
    assert len(expected["stories"]) >= 5
    databases = {name: tmp_path / f"news-{number}" / "veille.db" for number, name in enumerate(NEWS_MOMENTS)}
    with ThreadPoolExecutor(max_workers=3) as pool:  # each scenario waits on its own database's state
        outcomes = dict(zip(NEWS_MOMENTS, pool.map(
            lambda name: killed_then_rerun("news run", databases[name], config, NEWS_MOMENTS[name]), NEWS_MOMENTS
        ), strict=True))  # fmt: skip
    for name, (_, had_started) in outcomes.items():
        db = databases[name]
        assert news_state(db) == expected, name
        runs = query(db, "SELECT kind, status FROM runs ORDER BY id")
        assert runs == [("news", "interrupted"), ("news", "ok")] if had_started else [("news", "ok")], name
        assert_sound(db)
    assert sum(killed for killed, _ in outcomes.values()) >= 4  # the moments came before the end


def test_a_links_run_killed_at_any_moment_loses_nothing(fault_web: Any, tmp_path: Path) -> None:
    _, config = fault_web
    clean = tmp_path / "clean" / "veille.db"
    run_to_end("links run", clean, config)
    run_to_end("links run", clean, config)  # two nights: the history has something to keep
    expected = links_state(clean)
    assert [row[1] for row in expected["checks"]] == ["linked", "linked", "linked"]
    databases = {
        name: tmp_path / f"links-{number}" / "veille.db" for number, name in enumerate(LINKS_MOMENTS)
    }

    def scenario(name: str) -> bool:
        run_to_end("links run", databases[name], config)
        return killed_then_rerun("links run", databases[name], config, LINKS_MOMENTS[name])[0]

    with ThreadPoolExecutor(max_workers=3) as pool:
        killed = list(pool.map(scenario, LINKS_MOMENTS))
    for name, db in databases.items():
        state = links_state(db)
        runs = state.pop("runs")
        assert state == {k: v for k, v in expected.items() if k != "runs"}, name
        assert [r for r in runs if r[1] != "interrupted"] == expected["runs"]
        assert_sound(db)
    assert sum(killed) >= 2


def test_two_runs_at_once_the_second_says_so_in_one_french_line(fault_web: Any, tmp_path: Path) -> None:
    _, config = fault_web
    db = tmp_path / "veille.db"
    first = start("news run --no-articles", db, config)
    while count(db, "SELECT count(*) FROM runs WHERE status = 'running'") == 0 and first.poll() is None:
        time.sleep(0.01)
    second = start("news run --no-articles", db, config)
    _, err = second.communicate(timeout=60)
    first.communicate(timeout=120)
    assert second.returncode == 1 and first.returncode == 0
    assert err.strip().splitlines() == [
        f"Erreur : « veille news run » (processus {first.pid}) est déjà en cours sur {db} :"
        " réessayez quand elle sera finie."
    ]
    assert query(db, "SELECT kind, status FROM runs") == [("news", "ok")]


def test_first_runs_at_once_on_a_fresh_database_migrate_once(tmp_path: Path) -> None:
    db = tmp_path / "veille.db"
    code = "import sys; from monitor.store import Store; Store.open(sys.argv[1])"
    openers = [subprocess.Popen([sys.executable, "-c", code, str(db)], stderr=subprocess.PIPE, text=True)
               for _ in range(4)]  # fmt: skip
    errors = [opener.communicate(timeout=60)[1] for opener in openers]
    assert [opener.returncode for opener in openers] == [0, 0, 0, 0], errors
    names = [row[0] for row in query(db, "SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names)) >= 10


NIGHT_MOMENTS: dict[str, Moment] = {
    "member sites under way": lambda db: (
        work_items(db, 3) and count(db, "SELECT count(*) FROM articles") == 0
    ),
    "news under way": lambda db: count(db, "SELECT count(*) FROM articles") > 0,
}


def test_a_night_killed_at_any_moment_loses_nothing(fault_web: Any, tmp_path: Path) -> None:
    """A completed stage of the killed night stays (the rerun's links check then knows more pages),
    so the night is held to: nothing stored is lost, no duplicate, the same verdicts, the same news as
    a clean night, the killed night marked, the database readable throughout."""
    _, config = fault_web
    clean = tmp_path / "clean" / "veille.db"
    run_to_end("run", clean, config)
    verdicts = "SELECT member_id, status FROM link_checks WHERE run_id = (SELECT max(id) FROM runs WHERE kind = 'links' AND status = 'ok') ORDER BY 1"

    def scenario(name: str) -> dict[str, Any]:
        db = tmp_path / f"night-{list(NIGHT_MOMENTS).index(name)}" / "veille.db"
        process = start("run", db, config)
        while process.poll() is None and not NIGHT_MOMENTS[name](db):
            time.sleep(0.01)
        readable = query(db, "SELECT count(*) FROM stories")  # a reader during the night (the desk)
        stored = {table: set(query(db, f"SELECT id FROM {table}")) for table in ("articles", "backlinks")}
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        run_to_end("run", db, config)
        return {"db": db, "readable": readable, "stored": stored}

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip(NIGHT_MOMENTS, pool.map(scenario, NIGHT_MOMENTS), strict=True))
    for name, outcome in outcomes.items():
        db = outcome["db"]
        assert outcome["readable"], name
        for table, ids in outcome["stored"].items():
            assert ids <= set(query(db, f"SELECT id FROM {table}")), (name, table)  # nothing stored lost
        assert count(db, "SELECT count(*) - count(DISTINCT url) FROM articles") == 0
        assert news_state(db) == news_state(clean), name
        assert query(db, verdicts) == query(clean, verdicts), name
        assert [row[0] for row in query(db, "SELECT status FROM nights ORDER BY id")] == ["interrupted", "ok"]
        assert_sound(db)


def crawl_child(parent: int, item_type: str | None = None) -> int | None:
    """The pid of a `python -m crawler` child of `parent`, if one runs; with `item_type`, one whose
    items file (open in the child) already holds an item of that type: the spider's own mark, since
    its name is sent on the child's standard input, not on its command line."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes().split(b"\0")
            if fields.get("PPid", "").strip() != str(parent) or command[-4:-1] != [b"-m", b"crawler", b"-"]:
                continue
            opened = [os.readlink(fd) for fd in (status.parent / "fd").iterdir()]
            items = [Path(path).read_text() for path in opened if path.endswith("/items.jsonl")]
        except OSError:
            continue
        if item_type is None or any(f'"type": "{item_type}"' in text for text in items):
            return int(status.parent.name)
    return None


def test_a_crawl_child_killed_during_a_night_never_makes_a_site_missing(
    fault_web: Any, tmp_path: Path
) -> None:
    _, config = fault_web
    clean = tmp_path / "clean" / "veille.db"
    run_to_end("links run", clean, config)
    db = tmp_path / "killed" / "veille.db"
    process = start("run", db, config)
    child = None
    deadline = time.monotonic() + 60
    while child is None and process.poll() is None and time.monotonic() < deadline:
        child = crawl_child(process.pid, "page") if work_items(db, 2) else None
        time.sleep(0.01)
    assert child is not None
    os.kill(child, signal.SIGKILL)
    process.communicate(timeout=120)  # the night goes on
    statuses = [row[0] for row in query(db, "SELECT status FROM link_checks")]
    assert statuses and "missing" not in statuses, statuses
    run_to_end("links run", db, config)
    verdicts = "SELECT member_id, status FROM link_checks WHERE run_id = (SELECT max(id) FROM runs WHERE kind = 'links') ORDER BY 1"
    assert query(db, verdicts) == query(clean, verdicts)
    assert_sound(db)


def test_a_crawl_child_dies_with_its_parent(web: Any) -> None:
    """PR_SET_PDEATHSIG: a run killed with SIGKILL leaves no crawl running on behind it. The crawl of
    the `slow` site (a home page answering after 30 s, a 3 s timeout, one retry) would outlive its
    parent by several seconds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "links", "check", web.url("slow"), "-q", "--config", str(TESTS / "config")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    child = None
    deadline = time.monotonic() + 30
    while child is None and process.poll() is None and time.monotonic() < deadline:
        child = crawl_child(process.pid)
        time.sleep(0.01)
    assert child is not None
    time.sleep(0.5)  # the crawl is under way, waiting for the slow home page
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert wait_gone(child, 1.0), f"crawl child {child} still running after its parent was killed"


def wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status")
        if not status.exists() or "State:\tZ" in status.read_text():
            return True
        time.sleep(0.05)
    return False
