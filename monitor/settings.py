"""Veille's numeric and textual settings as data: each with its name (unit in the name), type,
default, range and help, and the Scrapy setting it drives. One table per section of config.yml
(`crawl`, `news`, `night`, `mail`, `site`); they feed validation (monitor/config.py), the crawler's
settings, docs/configuration.md and a docs test."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One crawl setting: its name with unit, type, default, help, and the Scrapy setting it drives."""

    name: str
    kind: type
    default: Any
    help: str
    scrapy: str | None = None
    to_scrapy: Callable[[Any], Any] = lambda value: value
    # Every number has a range: 0 or a huge value can switch a safety limit off.
    low: float = 0
    high: float = math.inf


CRAWL_SETTINGS: tuple[Setting, ...] = (
    Setting("max_depth", int, 2, "Clicks from the home page to follow.", "VEILLE_MAX_DEPTH", high=20),
    Setting(
        "page_budget", int, 60, "Pages fetched per site at most.", "VEILLE_PAGE_BUDGET", low=1, high=100_000
    ),
    Setting(
        "time_budget_s",
        int,
        300,
        "Seconds spent on one site at most.",
        "VEILLE_TIME_BUDGET_S",
        low=1,
        high=86_400,
    ),
    Setting(
        "max_download_mb",
        float,
        5.0,
        "Largest page downloaded, in megabytes; a bigger home page makes the site unreachable.",
        "DOWNLOAD_MAXSIZE",
        lambda mb: int(mb * 1024 * 1024),
        low=0.01,
        high=100,
    ),
    Setting("timeout_s", int, 20, "Seconds to wait for one page.", "DOWNLOAD_TIMEOUT", low=1, high=600),
    Setting("delay_s", float, 1.0, "Pause between two requests to one site.", "DOWNLOAD_DELAY", high=60),
    Setting(
        "concurrency_per_site",
        int,
        2,
        "Requests to one site at the same time (2 at most is polite).",
        "CONCURRENT_REQUESTS_PER_DOMAIN",
        low=1,
        high=8,
    ),
    Setting("retries", int, 2, "Retries of a transient failure (timeout, 5xx).", "RETRY_TIMES", high=10),
    Setting(
        "retry_backoff_s",
        float,
        2.0,
        "Wait before the first retry, doubled after.",
        "VEILLE_RETRY_BACKOFF_S",
        high=600,
    ),
    Setting(
        "user_agent",
        str,
        "Veille/0.1 (Collectif Ensemble contre la traite; +https://www.contrelatraite.org/)",
        "How Veille introduces itself to sites: its name and a contact URL.",
        "USER_AGENT",
    ),
    Setting(
        "browser",
        str,
        "auto",
        "`auto`: confirm links in Chromium when it is installed; `off`: static judgement only.",
    ),
    Setting(
        "browser_pages_per_site", int, 10, "Pages re-rendered in the browser per site at most.", high=1000
    ),
)
NEWS_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "articles_per_source", int, 20, "New article pages fetched per source and night at most.", high=1000
    ),
    Setting("max_entries_per_source", int, 200, "Entries read from one feed at most.", low=1, high=10_000),
    Setting(
        "failing_backoff_max_days",
        int,
        7,
        "A failing source waits 1, 2, 4… days up to this.",
        low=1,
        high=365,
    ),
    Setting(
        "story_window_days", int, 14, "Days within which near-identical stories are grouped.", low=1, high=365
    ),
    Setting(
        "duplicate_similarity",
        float,
        0.6,
        "Similarity (0–1) of title and lead above which two articles are one story.",
        low=0.05,
        high=1,
    ),
    Setting(
        "weak_signals_per_night",
        int,
        20,
        "Weak signals put in « Signaux faibles » per night at most (the strongest); others stay searchable.",
        high=500,
    ),
    Setting(
        "learning_min_decisions",
        int,
        200,
        "Desk decisions needed before the model learnt from them may lift stories.",
        low=20,
        high=1_000_000,
    ),
    Setting(
        "learning_lift_probability",
        float,
        0.8,
        "Probability from the learnt model that lifts a story into « À trier ».",
        low=0.5,
        high=1,
    ),
    Setting(
        "learning_weak_probability",
        float,
        0.6,
        "Probability from the learnt model that puts a story in « Signaux faibles ».",
        low=0.05,
        high=1,
    ),
    Setting(
        "future_tolerance_h",
        int,
        24,
        "A publication date further in the future than this is not trusted.",
        high=720,
    ),
)
NIGHT_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "schedule",
        str,
        "15 4 * * *",
        "When `veille schedule` runs the night: a crontab line (minute hour day month weekday), Paris"
        " time; with a sixth field first, seconds.",
    ),
    Setting(
        "catch_up_h",
        int,
        12,
        "A night missed (machine off) runs at start if it was due this many hours ago.",
        high=168,
    ),
    Setting(
        "timeout_min",
        float,
        240.0,
        "A night still running after this long is stopped and marked failed.",
        low=0.05,
        high=1440,
    ),
    Setting(
        "desk_url", str, "", "The desk's address for members (links in e-mails), e.g. https://…/veille/."
    ),
    Setting("report_file", str, "", "Where the night writes the backlink report (HTML); empty: nowhere."),
    Setting(
        "export_file", str, "", "Where the night writes the published news (HTML fragment); empty: nowhere."
    ),
    Setting(
        "digest_every_days", int, 1, "Days between two digests to the association on duty.", low=1, high=30
    ),
    Setting("digest_size", int, 10, "Stories in a digest at most.", low=1, high=100),
    Setting(
        "failing_source_nights",
        int,
        3,
        "Failed fetches in a row after which the secretariat hears of a source.",
        low=1,
        high=60,
    ),
    Setting(
        "reminder_every_days",
        int,
        30,
        "Days at least between two link reminders to one member.",
        low=1,
        high=365,
    ),
)
MAIL_SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, "", "SMTP server; empty: nothing is sent (`veille notify --dry-run` shows it)."),
    Setting("port", int, 587, "SMTP port.", low=1, high=65535),
    Setting("security", str, "starttls", "`starttls`, `tls` (implicit, port 465) or `none` (local relay)."),
    Setting("user", str, "", "SMTP login; the password comes from $VEILLE_SMTP_PASSWORD, never from a file."),
    Setting("sender", str, "veille@contrelatraite.org", "The From address."),
    Setting("sender_name", str, "Veille du Collectif", "The From display name; empty: the address alone."),
    Setting("secretariat", str, "", "The secretariat's address (picks, alerts, lost links, failed nights)."),
)  # fmt: skip
SITE_SETTINGS: tuple[Setting, ...] = (
    Setting("start_url", str, "", "Where the audit of the Collectif's site starts; empty: collectif.site."),
    Setting("page_budget", int, 2000, "Pages of the site read per audit at most.", low=1, high=100_000),
    # Scrapy 2.19 lets a burst of queued requests past a slot's concurrency when its delay is 0.
    Setting("delay_s", float, 0.5, "Pause between two requests to the site.", low=0.01, high=60),
    Setting("concurrency", int, 2, "Requests to the Collectif's own site at the same time.", low=1, high=8),
    Setting("link_delay_s", float, 1.0, "Pause between two link checks on one other site.", high=60),
    Setting("link_cache_days", int, 7, "Days a link found working is not checked again.", high=365),
    Setting("every_days", int, 7, "Days between two audits run by the night; 0: never.", high=365),
    Setting("timeout_min", float, 60.0, "An audit running longer is stopped.", low=0.5, high=1440),
    Setting("max_clicks", int, 3, "Clicks from home beyond which a page is « trop loin ».", low=1, high=50),
    Setting("thin_words", int, 200, "Words under which a page is « très courte ».", high=10_000),
    Setting("title_min_chars", int, 15, "Characters under which a title is too short.", high=200),
    Setting("title_max_chars", int, 65, "Characters over which a title is too long.", low=10, high=1000),
    Setting("description_max_chars", int, 160, "Characters over which a description is long.",
            low=10, high=5000),
    Setting("heavy_kb", int, 1500, "Kilobytes (HTML) over which a page is heavy.", low=1, high=1_000_000),
    Setting("slow_ms", int, 2000, "Milliseconds over which a page is slow to answer.", low=1, high=600_000),
    Setting("news_stale_days", int, 30, "Days after which the home's newest news is old.", low=1, high=3650),
    Setting("stale_days", int, 730, "Days after which a dated page is « ancienne ».", low=1, high=36_500),
)  # fmt: skip
# What an association may say a story is when it picks it (`triage.categories` in config.yml).
DEFAULT_CATEGORIES = (
    "Affaire et enquête",
    "Procès et justice",
    "Rapport et publication",
    "Événement",
    "Livre",
    "Politique publique",
    "Autre",
)
