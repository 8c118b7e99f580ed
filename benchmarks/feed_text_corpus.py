"""What Veille stores as the plain text of feed entries, against feedparser's sanitised HTML read as
text, on a folder of feeds (feedparser's own test corpus, for one): how many feeds give the same
titles, summaries and authors, and each difference.

    uv run python benchmarks/feed_text_corpus.py ../shared/corpora/feedparser/tests
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.judge.feeds import parse_feed  # noqa: E402
from monitor.news.entries import plain_text  # noqa: E402

FIELDS = ("title", "summary", "author")
HEADERS = {"content-type": "application/xml"}


def sanitised_text(value: str) -> str:
    """feedparser's sanitised HTML read as text, as a reader of its default output would."""
    if "<" in value or "&" in value:
        with contextlib.suppress(ValueError, lxml.etree.ParserError):
            value = lxml.html.fromstring(f"<div>{value}</div>").text_content()
    return " ".join(value.split())


def sanitised(body: bytes) -> list[tuple[str, ...]]:
    parsed = feedparser.parse(io.BytesIO(body), response_headers=HEADERS, resolve_relative_uris=False)
    return [
        tuple(
            sanitised_text(
                (entry.get(name) or "")
                or (
                    entry["content"][0].get("value") or ""
                    if name == "summary" and entry.get("content")
                    else ""
                )
            )
            for name in FIELDS
        )
        for entry in parsed.get("entries") or []
    ]


def stored(body: bytes) -> list[tuple[str, ...]]:
    return [tuple(plain_text(entry[name]) for name in FIELDS) for entry in parse_feed(body, HEADERS).entries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    files = sorted(args.folder.rglob("*.xml"))
    different = 0
    for path in files:
        body = path.read_bytes()
        before, now = sanitised(body), stored(body)
        if before == now:
            continue
        different += 1
        print(path.relative_to(args.folder))
        for old, new in zip(before, now, strict=False):
            for name, a, b in zip(FIELDS, old, new, strict=True):
                if a != b:
                    print(f"  {name}: sanitised {a[:120]!r}\n  {' ' * len(name)}  stored    {b[:120]!r}")
        if len(before) != len(now):
            print(f"  entries: {len(before)} sanitised, {len(now)} stored")
    print(f"{len(files)} feeds: {len(files) - different} give the same text, {different} differ")


if __name__ == "__main__":
    main()
