"""What a news night keeps of what its crawls deliver (run.py runs them): every feed entry stored as an
article (new canonical address), attached to an existing one (same address: a duplicate) or rejected
with a reason; judged by the lexicon, then the learnt models; grouped into stories; and, at the article
stage, each fetched page's text stored and judged again.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.config import Config
from monitor.desk.learning import learn_from_desk
from monitor.news.entries import (
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    entry_problem,
    judgement_columns,
    plain_text,
    trusted_date,
    xml_safe,
)
from monitor.relevance import Lexicon, Relevance, classify
from monitor.store import Store

if TYPE_CHECKING:
    from monitor.news.dedup import StoryIndex
    from monitor.relevance.learning import Model

# The lexicon, or a function giving it when first needed (monitor/relevance/cache.py).
LexiconSource = Lexicon | Callable[[], Lexicon]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for one batch of entries, then as it was: the batch's objects
    (entries, articles, their judgements) all live until the batch is stored, and each collection
    would walk them, and everything the night keeps, for no garbage (0.03 s of CPU per 10,000)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class NewsSummary:
    """What a night's harvest did, for the terminal and the `runs` table."""

    sources: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    entries: int = 0
    new_articles: int = 0
    relevant: int = 0
    duplicates: int = 0
    rejected: int = 0
    articles_fetched: int = 0
    new_stories: int = 0
    weak: int = 0
    weak_listed: int = 0
    weak_unlisted: int = 0
    lifted: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


class Harvest:
    """One night's harvest into the store."""

    def __init__(
        self, store: Store, config: Config, lexicon: LexiconSource, run_id: int, now: datetime
    ) -> None:
        self.store, self.config, self._lexicon, self.run_id, self.now = store, config, lexicon, run_id, now
        self.summary = NewsSummary()
        self.desk_model = learn_from_desk(store, config, now)
        self._models: list[Model] | None = None
        self._stories: StoryIndex | None = None
        self.touched_stories: set[str] = set()
        self.created_stories: dict[str, list[tuple[str, str]]] = {}  # story → its titles and summaries
        # Whether a title was learnt for an already stored article tonight: only then can two of
        # tonight's stories turn out to be one.
        self.learnt_titles = False

    @property
    def lexicon(self) -> Lexicon:
        """The lexicon, read at the first entry to judge (a night of unchanged feeds needs none)."""
        if callable(self._lexicon):
            self._lexicon = self._lexicon()
        return self._lexicon

    @property
    def models(self) -> list[Model]:
        """The model trained on the corpus (relevance-model.json beside topics.yml), then the one learnt
        from the desk's decisions once there are enough: each can only add a story. Read at the first
        entry the lexicon does not keep (numpy and the file stay out of a night with nothing new)."""
        if self._models is None:
            from monitor.relevance.learning import MODEL_FILE, shipped_model

            shipped = shipped_model(self.config.directory / MODEL_FILE)
            self._models = [m for m in (shipped, self.desk_model) if m]
        return self._models

    def judge(self, title: str, summary: str, text: str = "") -> Relevance:
        """The lexicon's judgement, then the learnt model's, which can only add a story."""
        judged = classify(self.lexicon, title, summary, text)
        if judged.relevant:
            return judged
        from monitor.relevance.learning import lift  # numpy: only once an entry is not kept

        for model in self.models:
            judged = lift(judged, model, title, summary, self.config.news, self.lexicon)
        self.summary.lifted += int(judged.relevant)
        return judged

    @property
    def window_start(self) -> str:
        """The oldest first sighting a story of tonight may be grouped with (`story_window_days`)."""
        days = self.config.news["story_window_days"]
        return (self.now - timedelta(days=days)).replace(microsecond=0).isoformat()

    @property
    def stories(self) -> StoryIndex:
        """Recent stories, loaded the first time a night has a relevant new article."""
        if self._stories is None:
            from monitor.news.dedup import StoryIndex

            self._stories = StoryIndex(self.config.news["duplicate_similarity"])
            rows = self.store.recent_relevant_articles(self.window_start)
            self._stories.prepare([(row["title"] or "", row["summary"] or "") for row in rows])
            for row in rows:
                self._stories.add(row["id"], row["story_id"], row["title"] or "", row["summary"] or "")
        return self._stories

    def _story_for(self, identity: str, variants: list[tuple[str, str]]) -> tuple[str, bool]:
        """The story of an article seen under these (title, summary) variants; a new one if none."""
        story = self.stories.story_of(variants)
        created = story is None
        story = story or identity
        for number, (title, summary) in enumerate(variants):
            self.stories.add(f"{identity}#{number}" if number else identity, story, title, summary)
        self.touched_stories.add(story)
        if story in self.created_stories or created:
            self.created_stories.setdefault(story, []).extend(variants)
        return story, created

    def merge_new_stories(self) -> None:
        """Order-independent grouping: a story created tonight that matches another one (a title
        learnt later in the night) joins it."""
        if not self.learnt_titles:
            return
        for story, variants in list(self.created_stories.items()):
            target = self.stories.story_of(variants, exclude=story)
            if target and target != story:
                self.store.move_story(story, target)
                self.stories.relabel(story, target)
                self.created_stories.pop(story)
                self.created_stories.setdefault(target, []).extend(variants)
                self.touched_stories.discard(story)
                self.touched_stories.add(target)
                self.summary.new_stories -= 1

    def keep_entries(self, entries: list[dict[str, Any]], languages: dict[str, str]) -> list[str]:
        """Store the entries of the feed stage; return the ids of the new articles."""
        if not entries:  # a batch of unchanged feeds (304)
            return []
        with collector_paused():
            return self._keep_entries(entries, languages)

    def _keep_entries(self, entries: list[dict[str, Any]], languages: dict[str, str]) -> list[str]:
        # Imported here: courlan and numpy are start-up time that a night of unchanged feeds (all 304)
        # does not need.
        from monitor.news.dedup import article_id, canonical_url

        now_iso = self.now.replace(microsecond=0).isoformat()
        limit = self.config.news["max_entries_per_source"]
        per_source: Counter[str] = Counter()
        candidates: dict[str, dict[str, Any]] = {}
        variants: dict[str, list[tuple[str, str]]] = defaultdict(list)
        rejections, links = [], []
        for entry in entries:
            per_source[entry["source"]] += 1
            if per_source[entry["source"]] > limit:
                continue
            # Plain text once, here: everything below reads these.
            entry["title"] = plain_text(entry.get("title") or "", TITLE_MAX_CHARS)
            entry["summary"] = plain_text(entry.get("summary") or "", SUMMARY_MAX_CHARS)
            canonical = canonical_url(entry["link"]) if entry.get("link") else None
            problem = entry_problem(entry, canonical)
            if problem:
                rejections.append(
                    {"run_id": self.run_id, "source_id": entry["source"], "title": entry["title"][:300],
                     "link": (entry.get("link") or "")[:500], "reason": problem, "at": now_iso}
                )  # fmt: skip
                continue
            entry["canonical"] = canonical
            identity = article_id(canonical or "")
            links.append({"article_id": identity, "source_id": entry["source"], "first_seen": now_iso,
                          "title": entry["title"][:300]})  # fmt: skip
            variants[identity].append((entry["title"], entry["summary"]))
            if identity in candidates:
                self.summary.duplicates += 1
                continue
            candidates[identity] = entry
        existing = self.store.existing_articles(candidates)
        self.summary.duplicates += len(existing)
        articles = [
            self._article(identity, entry, languages, now_iso)
            for identity, entry in candidates.items()
            if identity not in existing
        ]
        grouped = [article for article in articles if article["relevant"] or article["weak"]]
        learnt = [identity for identity, story in existing.items() if story]
        if grouped or learnt:  # all signatures at once (numpy's overhead per call is the cost)
            ids = [*learnt, *(article["id"] for article in grouped)]
            self.stories.prepare([pair for identity in ids for pair in variants[identity]])
        for identity in learnt:  # a stored story learns the titles its article is seen under tonight
            self.learnt_titles = True
            story = existing[identity]
            for number, (title, summary) in enumerate(variants[identity]):
                self.stories.add(f"{identity}@{self.run_id}#{number}", story, title, summary)
            if story in self.created_stories:
                self.created_stories[story].extend(variants[identity])
        stories = []
        for article in grouped:
            article["story_id"], created = self._story_for(article["id"], variants[article["id"]])
            if created:
                stories.append({"id": article["id"], "title": article["title"], "summary": article["summary"],
                                "first_seen": now_iso})  # fmt: skip
                self.summary.new_stories += 1
        self.summary.new_articles += len(articles)
        self.summary.relevant += sum(1 for a in articles if a["relevant"])
        self.summary.weak += sum(1 for a in articles if a["weak"])
        self.summary.rejected += len(rejections)
        self.store.save_articles(stories, articles, links, rejections)
        return [a["id"] for a in articles]

    def _article(
        self, identity: str, entry: dict[str, Any], languages: dict[str, str], now_iso: str
    ) -> dict[str, Any]:
        title, summary = entry["title"], entry["summary"]
        published, note = trusted_date(
            entry.get("published"), self.now, self.config.news["future_tolerance_h"]
        )
        if entry.get("raw_date") and not entry.get("published"):
            note = f"date illisible : {entry['raw_date'][:100]}"
        judged = self.judge(title, summary)
        language = entry.get("language") or languages.get(entry["source"]) or "fr"
        return {
            "id": identity, "url": entry["canonical"], "link": entry["link"], "title": title,
            "summary": summary[:2000], "text": None, "published": published, "fetched_at": now_iso,
            "source_id": entry["source"], "lang": language[:2],
            "author": plain_text(entry.get("author", ""))[:200], "image": None, "story_id": None,
            "date_note": note, "text_status": "new", **judgement_columns(judged),
        }  # fmt: skip

    def keep_pages(self, pages: list[dict[str, Any]]) -> None:
        """Store the article stage: text and metadata, judged again with the text."""
        rows = {row["id"]: row for row in self.store.articles_by_id(p["id"] for p in pages)}
        updated, stories = [], []
        for page in pages:
            row = rows.get(page["id"])
            if row is None:
                continue
            if not page.get("ok"):
                updated.append({"id": row["id"], "text_status": f"échec : {page.get('error')}"[:300]})
                continue
            self.summary.articles_fetched += 1
            text = xml_safe(page.get("text") or "")
            description = plain_text(page.get("description") or "", SUMMARY_MAX_CHARS)
            judged = self.judge(row["title"], row["summary"] or description, text)
            published = row["published"]
            if not published and page.get("published"):
                published, _ = trusted_date(
                    page["published"], self.now, self.config.news["future_tolerance_h"]
                )
            row.update(
                text=text, image=page.get("image") or None,
                author=row["author"] or plain_text(page.get("author") or "")[:200],
                lang=(page.get("language") or row["lang"] or "fr")[:2], published=published,
                text_status="ok", summary=row["summary"] or description,
                **judgement_columns(judged),
            )  # fmt: skip
            if (judged.relevant or judged.weak) and not row["story_id"]:
                row["story_id"], created = self._story_for(row["id"], [(row["title"], row["summary"] or "")])
                if created:
                    stories.append({"id": row["id"], "title": row["title"], "summary": row["summary"],
                                    "first_seen": row["fetched_at"]})  # fmt: skip
                    self.summary.new_stories += 1
                self.summary.relevant += int(judged.relevant)
            elif row["story_id"]:
                self.touched_stories.add(row["story_id"])
            updated.append(row)
        self.store.save_articles(stories, updated, [], [], new=False)
