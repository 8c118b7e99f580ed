"""Baseline: a plain Scrapy spider that downloads feeds and calls feedparser.parse on each, storing nothing."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import feedparser
from scrapy import Request, Spider
from scrapy.http import Response


class BareFeeds(Spider):
    name = "bare_feeds"

    def __init__(self, urls: str = "", parse: str = "1", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = json.loads(Path(urls).read_text())
        self.parse_feeds = parse == "1"

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, dont_filter=True)

    def parse(self, response: Response) -> None:
        if self.parse_feeds:
            headers = {k.decode().lower(): v[0].decode() for k, v in response.headers.items()}
            feedparser.parse(io.BytesIO(response.body), response_headers=headers)
