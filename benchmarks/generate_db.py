"""Fill a Veille database with N articles in about N × 0.3 stories (French text of realistic lengths),
a weak signal in ten stories (a quarter of them listed in « Signaux faibles »), through the real
schema (migrations, full-text indexes), for the triage-desk benchmark.

Run: uv run python benchmarks/generate_db.py benchmarks/out/veille.db [--articles 1000000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import DEFAULT_CATEGORIES, Member  # noqa: E402
from monitor.store import Store  # noqa: E402

WORDS = (
    "le la les un une des du de et à en pour par sur dans avec sans selon après avant contre entre "
    "enquête tribunal procès victimes réseau police associations travail salaire logement mineurs femmes "
    "jeunes ville région gouvernement rapport étude journée européenne exploitation traite proxénétisme "
    "prostitution esclavage servitude mendicité contrainte accompagnement hébergement foyer juge peine "
    "prison interpellé démantelé condamné témoignage livre colloque campagne sensibilisation migrants "
    "saisonniers vignes chantier atelier restaurant domestique passeport dette famille réseau sociaux"
).split()
WHY = '["Indice, personne sous contrainte : « enfermée »"]'
CITIES = ["Lyon", "Lille", "Nantes", "Rennes", "Marseille", "Toulouse", "Bordeaux", "Nice", "Metz", "Paris"]


def sentence(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(words)).capitalize() + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    rnd = random.Random(args.seed)
    started = time.perf_counter()
    store = Store.open(args.db)
    store.sync_members(
        [Member("amicale-du-nid", "Amicale du Nid"), Member("fondation-scelles", "Fondation Scelles")]
    )
    store.db["sources"].insert_all(
        {"id": f"source-{i}", "name": f"Journal {i}", "url": f"https://journal{i}.example/rss", "kind": "feed",
         "language": "fr", "origin": "config", "active": 1} for i in range(50)
    )  # fmt: skip
    today = date.today()
    store.db["duty"].insert({"start": (today - timedelta(days=3)).isoformat(),
                             "end": (today + timedelta(days=10)).isoformat(), "member_id": "amicale-du-nid", "note": ""})  # fmt: skip
    stories_count = max(1, int(args.articles * 0.3))
    now = datetime(2026, 11, 26, tzinfo=UTC)
    conn = store.db.conn
    batch = 20_000
    story_rows, article_rows, links = [], [], []
    for n in range(args.articles):
        story = n % stories_count
        relevant = story % 4 == 0
        # A weak signal in ten stories (a year of them); one in four of those listed by its night.
        weak = story % 10 == 1
        weak_night = 1 + story // 1000 if story % 40 == 1 else None
        moment = now - timedelta(minutes=story * 3)
        seen, week = moment.isoformat(), (moment.date() - timedelta(days=moment.weekday())).isoformat()
        title = f"{rnd.choice(CITIES)} : {sentence(rnd, 9)[:-1]}"
        summary = " ".join(sentence(rnd, 14) for _ in range(3))
        text = " ".join(sentence(rnd, 16) for _ in range(20))
        score = round(rnd.uniform(3, 15), 2) if relevant else round(rnd.uniform(-4, 2.9), 2)
        if n < stories_count:
            story_rows.append((f"st{story}", title, summary, f"https://journal{story % 50}.example/a/{n}", "fr", seen, seen,
                               seen, 1 + (args.articles - 1 - n) // stories_count, score, int(relevant),
                               '["traite"]' if relevant else "[]", "justice" if relevant else None,
                               '["traite des êtres humains"]' if relevant else "[]",
                               week, f"source-{n % 50}", int(weak), round(rnd.uniform(0.5, 3), 2) if weak else 0,
                               WHY if weak else None, weak_night))  # fmt: skip
        article_rows.append((f"a{n}", f"https://journal{n % 50}.example/a/{n}", f"https://journal{n % 50}.example/a/{n}",
                             title, summary, text, seen, seen, f"source-{n % 50}", "fr", score, int(relevant),
                             f"st{story}" if relevant else None, "ok"))  # fmt: skip
        links.append((f"a{n}", f"source-{n % 50}", seen, title))
        if len(article_rows) >= batch or n == args.articles - 1:
            with conn:
                last = conn.execute("select coalesce(max(rowid), 0) from articles").fetchone()[0]
                conn.executemany(
                    "insert into stories (id, title, summary, url, lang, published, first_seen, last_seen,"
                    " article_count, score, relevant, topics, kind, matched, week, source_id, weak, evidence, why,"
                    " weak_night) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    story_rows,
                )
                conn.executemany(
                    "insert into articles (id, url, link, title, summary, text, published, fetched_at, source_id,"
                    " lang, score, relevant, story_id, text_status) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    article_rows,
                )
                conn.executemany("insert into article_sources values (?,?,?,?)", links)
                store.index_articles_after(last)
            story_rows, article_rows, links = [], [], []
            print(f"\r{n + 1:,} articles", end="", file=sys.stderr, flush=True)
    store.sync_categories(DEFAULT_CATEGORIES)
    relevant_stories = (stories_count + 3) // 4
    with conn:
        # A year of decisions: 500 published picks, 2,000 dismissals, 300 refused alerts, and 1,000
        # weak signals dismissed.
        published = [
            (
                f"st{s * 4}",
                "amicale-du-nid",
                "choisir",
                "Résumé de l'association.",
                "Procès et justice",
                "publie",
                None,
            )
            for s in range(min(500, relevant_stories))
        ]
        dismissed = [
            (f"st{s * 4}", "amicale-du-nid", "ecarter", None, None, "ecarte", None)
            for s in range(500, min(2500, relevant_stories))
        ]
        refused = [
            (f"st{s * 4}", "amicale-du-nid", "signaler", None, None, "refuse", "Hors sujet.")
            for s in range(2500, min(2800, relevant_stories))
        ]
        weak_dismissed = [
            (f"st{s * 40 + 1}", "amicale-du-nid", "ecarter", None, None, "ecarte", None)
            for s in range(min(1000, stories_count // 40))
        ]
        picks = [(*p[:6], "amicale-du-nid", now.isoformat(), "secretariat", now.isoformat(),
                  now.isoformat() if p[5] == "publie" else None, p[6])
                 for p in [*published, *dismissed, *refused, *weak_dismissed]]  # fmt: skip
        conn.executemany(
            "insert into picks (story_id, member_id, action, summary, category, status, created_by, created_at,"
            " decided_by, decided_at, published_at, reason) values (?,?,?,?,?,?,?,?,?,?,?,?)",
            picks,
        )
    store.db.execute("ANALYZE")
    print(f"\n{args.articles:,} articles, {stories_count:,} stories in {time.perf_counter() - started:.0f} s;"
          f" {args.db.stat().st_size / 2**30:.2f} GiB", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
