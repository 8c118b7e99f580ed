"""`story_index`: a narrow copy of each story's sort and facet columns beside `stories`, kept by triggers.

At 1,000,000 articles a search matching 14,620 stories looked each one up in the 200 MB `stories`
table to sort the page and again for the five facets; the same look-ups in this narrow copy (one row
per story, the same rowid) read ~15 MB (~20 MB since m020 added the id). The triggers write it in the
statement that writes the story, as `stories_fts` is (m004). Its migrations are registered in order in
schema.py.
"""

from __future__ import annotations

import sqlite_utils

# What the desk's stories table sorts, counts and pages by, kept beside `stories` in `story_index`:
# since m020 the story's id too, which orders equal scores (Datasette's next pages continue after it).
STORY_INDEX_COLUMNS = ("score", "source_id", "topics", "kind", "lang", "week", "id")


def _triggers(db: sqlite_utils.Database, columns: tuple[str, ...]) -> None:
    listed, new = ", ".join(columns), ", ".join(f"new.{column}" for column in columns)
    insert = f"INSERT OR REPLACE INTO story_index (story_rowid, {listed}) VALUES (new.rowid, {new});"
    delete = "DELETE FROM story_index WHERE story_rowid = old.rowid;"
    for name in ("story_index_ai", "story_index_ad", "story_index_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute(f"CREATE TRIGGER story_index_ai AFTER INSERT ON stories BEGIN {insert} END")
    db.execute(f"CREATE TRIGGER story_index_ad AFTER DELETE ON stories BEGIN {delete} END")
    db.execute(
        f"CREATE TRIGGER story_index_au AFTER UPDATE OF {listed} ON stories BEGIN {delete} {insert} END"
    )


def m017_story_index(db: sqlite_utils.Database) -> None:
    columns = ("score", "source_id", "topics", "kind", "lang", "week")
    db.execute(
        "CREATE TABLE story_index (story_rowid INTEGER PRIMARY KEY,"
        " score FLOAT, source_id TEXT, topics TEXT, kind TEXT, lang TEXT, week TEXT)"
    )
    listed = ", ".join(columns)
    db.execute(f"INSERT INTO story_index (story_rowid, {listed}) SELECT rowid, {listed} FROM stories")
    _triggers(db, columns)
    # The stories table unsearched sorts its 300,000 stories by score (1.3–3 s without an index). DESC:
    # read forwards, equal scores come in rowid order, as from the sort it replaces.
    db.execute("CREATE INDEX idx_stories_score ON stories (score DESC)")


def m020_story_index_keys(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE story_index ADD COLUMN id TEXT")
    db.execute("UPDATE story_index SET id = (SELECT id FROM stories WHERE stories.rowid = story_rowid)")
    _triggers(db, STORY_INDEX_COLUMNS)


def m021_stories_version(db: sqlite_utils.Database) -> None:
    # The desk holds story_index in memory and remembers which stories a search matched
    # (monitor/desk/story_memory.py): this number tells it when they may have changed. It counts, in
    # the statement that writes them, every write of story_index and every write of the stories'
    # searched text (its full-text index follows it by triggers), whoever writes them. A full-text
    # index created again (another tokenizer) changes the schema, which the desk reads with this number;
    # an FTS 'rebuild' does not, so a migration that rebuilds the index raises the number too.
    db.execute(
        "CREATE TABLE stories_version (id INTEGER PRIMARY KEY CHECK (id = 1), writes INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO stories_version (id, writes) VALUES (1, 0)")
    count = "UPDATE stories_version SET writes = writes + 1 WHERE id = 1;"
    searched = "UPDATE OF title, summary"
    for table, events in (
        ("stories", ("INSERT", "DELETE", searched)),
        ("story_index", ("INSERT", "DELETE", "UPDATE")),
    ):
        for event in events:
            name = f"{table}_version_{event.split()[0].lower()}"
            db.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {count} END")
