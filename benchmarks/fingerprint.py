"""Fingerprint of what a news night stores, to check that a change keeps the results identical.

Serves the realistic newsroom (benchmarks/realistic.py, from nginx), runs `veille news run --no-articles`
twice (a first night, then a second over the unchanged web) on a fresh database with the code of
`--code` (a checkout of Veille: the worktree by default, or e.g. `git archive BASE | tar -x -C DIR`),
and prints a SHA-256 of the stored articles (addresses, texts, dates, relevance, score, topics,
matched words), of the stories (relevance, score, members, their best articles) and of full-text
matches. Times and story ids are left out: they differ from run to run; so is which of a story's equally
good best articles it shows (the first to arrive, in the crawl's order), only that it shows one.
`--dump FILE` writes the fingerprinted JSON for a diff.

Run: uv run python benchmarks/fingerprint.py [--code DIR] [--feeds 50] [--entries 200] [--dump FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_news import HOSTS, newsroom, write_config  # noqa: E402

ARTICLE = ("url", "link", "title", "summary", "text", "published", "source_id", "lang", "author", "image",
           "score", "relevant", "topics", "kind", "matched", "date_note", "text_status")  # fmt: skip
STORY = ("title", "summary", "url", "lang", "published", "article_count", "score", "relevant", "topics", "kind",
         "matched")  # fmt: skip
QUERIES = ("proxenetisme", "traite", "retraite", "victimes lyon", "forced labour")


def fingerprint(db: Path) -> dict[str, object]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    articles = [dict(r) for r in con.execute(f"SELECT {', '.join(ARTICLE)} FROM articles ORDER BY url")]
    stories = []
    for row in con.execute(f"SELECT id, {', '.join(STORY)} FROM stories"):
        rows = con.execute(
            "SELECT url, relevant, score, coalesce(evidence, 0) FROM articles WHERE story_id = ? ORDER BY url",
            [row["id"]],
        ).fetchall()
        # The article a story shows is the first to arrive of its best ones (relevance, score, evidence),
        # and arrival order between feeds is the crawl's: the fingerprint holds all the best ones and
        # whether the story shows one of them, not which.
        top = max(r[1:] for r in rows)
        best = [r[0] for r in rows if r[1:] == top]
        shown = {k: row[k] for k in STORY if k not in ("title", "summary", "url")}
        stories.append(
            {**shown, "members": [r[0] for r in rows], "best": best, "shows_a_best": row["url"] in best}
        )
    stories.sort(key=lambda s: s["members"])
    sources = [dict(r) for r in con.execute(
        "SELECT a.url, s.source_id, s.title FROM article_sources s JOIN articles a ON a.id = s.article_id"
        " ORDER BY a.url, s.source_id")]  # fmt: skip
    fts = {
        q: [
            r[0]
            for r in con.execute(
                "SELECT a.url FROM articles_fts f JOIN articles a ON a.rowid = f.rowid WHERE articles_fts MATCH ?"
                " ORDER BY a.url",
                [q],
            )
        ]
        for q in QUERIES
    }
    return {"articles": articles, "stories": stories, "article_sources": sources, "fts": fts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="veille-fingerprint-"))
    with newsroom(args.feeds, args.entries) as bases:
        feeds = [f"{bases[i % HOSTS]}/feed/{i}.xml" for i in range(args.feeds)]
        config = write_config(tmp / "config", feeds, args.entries)
        db = tmp / "veille.db"
        # PYTHONPATH too: a checkout older than 400492d gave its crawl child the crawler of the
        # virtual environment's editable install, not its own.
        env = {**os.environ, "PYTHONPATH": str(args.code.resolve())}
        for _ in range(2):
            subprocess.run([sys.executable, "-m", "monitor", "news", "run", "--no-articles", "-q", "--config",
                            str(config), "--db", str(db)], cwd=args.code, env=env, check=True)  # fmt: skip
    # The feeds' addresses carry nginx's random ports: keep only the path.
    text = json.dumps(fingerprint(db), sort_keys=True, ensure_ascii=False)
    for base in bases:
        text = text.replace(base, "")
    if args.dump:
        args.dump.write_text(text)
    data = json.loads(text)
    print(f"{len(data['articles'])} articles, {len(data['stories'])} stories, "
          f"{sum(a['relevant'] or 0 for a in data['articles'])} relevant")  # fmt: skip
    print(f"fingerprint {hashlib.sha256(text.encode()).hexdigest()}")


if __name__ == "__main__":
    main()
