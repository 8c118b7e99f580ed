"""The nightly news harvest: fetch the sources, keep the entries, judge them, group them into stories,
then fetch the new articles' pages for their text and judge again.

Feed stage: `scrapy crawl news` in a child process; every entry is stored as an article (new canonical
address), attached to an existing article (same address: a duplicate), or rejected with a reason.
Article stage: `scrapy crawl articles` on the night's new articles, best first, a few per source.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from crawler.judge.targets import host_of
from monitor.config import Config
from monitor.crawl import global_concurrency, run_spider
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
from monitor.store import Store, utc_now

if TYPE_CHECKING:
    from monitor.news.dedup import StoryIndex
    from monitor.relevance.learning import Model

# The lexicon, or a function giving it when first needed (monitor/relevance/cache.py).
LexiconSource = Lexicon | Callable[[], Lexicon]
# A night's feed stage is cut after this long, whatever the number of sources.
FEED_STAGE_TIMEOUT_S = 900


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
                stories.append({"id": article["id"], "title": article["title"], "first_seen": now_iso})
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
                    stories.append({"id": row["id"], "title": row["title"], "first_seen": row["fetched_at"]})
                    self.summary.new_stories += 1
                self.summary.relevant += int(judged.relevant)
            elif row["story_id"]:
                self.touched_stories.add(row["story_id"])
            updated.append(row)
        self.store.save_articles(stories, updated, [], [], new=False)


def choose_for_text(
    waiting: list[dict[str, Any]], per_source: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(to fetch, not to fetch) among the articles waiting for their page.

    `queued` ones were chosen by a run killed before it fetched them: they are fetched first and
    count in their source's budget; then `new` ones, best scores first, `per_source` per source.
    """
    taken: Counter[str] = Counter()
    chosen, skipped = [], []
    queued = [row for row in waiting if row["text_status"] == "queued"]
    new = sorted(
        (row for row in waiting if row["text_status"] == "new"), key=lambda r: (-(r["score"] or 0), r["id"])
    )
    for row in [*queued, *new]:
        if row["text_status"] == "queued" or taken[row["source_id"]] < per_source:
            taken[row["source_id"]] += 1
            chosen.append(row)
        else:
            skipped.append(row)
    return chosen, skipped


def configured_hosts(config: Config, sources: list[dict[str, Any]]) -> list[str]:
    """Hosts the Collectif wrote in its configuration (sources, member sites): only these may be on a
    private or loopback network. A feed discovered on a member's page is on the member's own host or
    judged like any web address."""
    hosts = {host_of(s["url"]) for s in sources if s["origin"] == "config"}
    return sorted(hosts | {host_of(m.site) for m in config.members if m.site})


def run_news(
    store: Store,
    config: Config,
    lexicon: LexiconSource,
    on_progress: Callable[[str], None] | None = None,
    fetch_articles: bool = True,
) -> tuple[int, NewsSummary]:
    """Harvest every due source into the store; returns the run id and what happened.

    Killed at any line, the next run loses nothing: a feed's validators are stored after the entries
    they vouch for (else the rerun's 304 would hide them), and articles wait for their page as `new`
    (not yet chosen) or `queued` (chosen, not yet fetched) until a run fetches them.
    """
    with store.exclusive_run("veille news run"):
        now = datetime.now(UTC)
        run_id = store.start_run("news", "static")
        harvest = Harvest(store, config, lexicon, run_id, now)
        _feed_stage(store, config, harvest, on_progress)
        if fetch_articles:
            _article_stage(store, config, harvest, on_progress)
        harvest.merge_new_stories()
        with store.db.atomic():
            store.refresh_stories(harvest.touched_stories | set(store.unrefreshed_stories()))
            # Candidates: every weak story not listed yet from the grouping window, not only tonight's,
            # so that those of a night killed before this line, or first seen by an earlier run whose
            # page came tonight, are not left out.
            cap = config.news["weak_signals_per_night"]
            listed, unlisted = store.fill_weak_lane(run_id, harvest.window_start, cap)
            harvest.summary.weak_listed, harvest.summary.weak_unlisted = listed, unlisted
            store.finish_run(run_id, harvest.summary.to_json())
    return run_id, harvest.summary


def _feed_stage(
    store: Store, config: Config, harvest: Harvest, on_progress: Callable[[str], None] | None
) -> None:
    now_iso = utc_now()
    sources = store.due_sources(now_iso)
    harvest.summary.sources = len(sources)
    backoff = config.news["failing_backoff_max_days"]
    job = store.work_dir / "sources.json"
    job.write_text(json.dumps({"sources": [
        {"id": s["id"], "url": s["url"], "kind": "page" if s["kind"] == "page" else "feed",
         "etag": s["etag"], "last_modified": s["last_modified"]} for s in sources
    ], "origin_hosts": configured_hosts(config, sources)}), encoding="utf-8")  # fmt: skip
    if on_progress:
        on_progress(f"Lecture de {len(sources)} sources…")
    languages = {s["id"]: s["language"] for s in sources}

    def keep(fetches: list[dict[str, Any]]) -> None:
        """Store one batch of sources as the crawl delivers them: entries first, then validators."""
        fetches = [f for f in fetches if f.get("type") == "fetch"]
        entries = [entry for fetch in fetches for entry in fetch.pop("items", [])]
        harvest.summary.entries += len(entries)
        harvest.keep_entries(entries, languages)
        store.record_fetches(fetches, now_iso, backoff)
        for fetch in fetches:
            harvest.summary.fetched += 1
            harvest.summary.not_modified += int(bool(fetch.get("not_modified")))
            if fetch.get("error"):
                harvest.summary.failed += 1
                harvest.summary.errors.append(f"{fetch['source']}: {fetch['error']}")

    settings = _crawl_settings(config, [s["url"] for s in sources])
    output = run_spider(
        "news", {"job": str(job)}, settings, FEED_STAGE_TIMEOUT_S, workdir=store.work_dir, on_items=keep
    )
    answered = {f["source"] for f in output.items if f.get("type") == "fetch"}
    silent = [{"source": s["id"], "error": "pas de réponse (exploration interrompue)"}
              for s in sources if s["id"] not in answered]  # fmt: skip
    store.record_fetches(silent, now_iso, backoff)
    harvest.summary.failed += len(silent)


def _article_stage(
    store: Store, config: Config, harvest: Harvest, on_progress: Callable[[str], None] | None
) -> None:
    chosen, skipped = choose_for_text(store.articles_awaiting_text(), config.news["articles_per_source"])
    store.set_text_status({row["id"]: "queued" for row in chosen} | {row["id"]: "skipped" for row in skipped})
    if not chosen:
        return
    if on_progress:
        on_progress(f"Lecture de {len(chosen)} articles…")
    job = store.work_dir / "articles.json"
    origin_hosts = configured_hosts(config, store.active_sources())
    job.write_text(
        json.dumps({"articles": [{"url": r["link"]} for r in chosen], "origin_hosts": origin_hosts})
    )
    settings = _crawl_settings(config, [r["link"] for r in chosen])
    pages = run_spider(
        "articles", {"job": str(job)}, settings, FEED_STAGE_TIMEOUT_S, workdir=store.work_dir
    ).items
    by_link = defaultdict(list)
    for row in chosen:
        by_link[row["link"]].append(row["id"])
    answered = [{**page, "id": i} for page in pages for i in by_link.pop(page["url"], [])]
    # A page the crawl never answered for (a crash in the spider, the time limit) is said so.
    unanswered = [
        {"id": i, "ok": False, "error": "aucune réponse du robot"} for ids in by_link.values() for i in ids
    ]
    harvest.keep_pages(answered + unanswered)


def _crawl_settings(config: Config, urls: list[str]) -> dict[str, Any]:
    per_host = config.crawl["concurrency_per_site"]
    return {**config.scrapy_settings(), "CONCURRENT_REQUESTS": global_concurrency(urls, per_host)}
