"""Baseline: a plain Scrapy spider that downloads article pages and extracts each one's main text with
trafilatura (the same library Veille uses), storing nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import trafilatura
from scrapy import Request, Spider
from scrapy.http import Response


class BareArticles(Spider):
    name = "bare_articles"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = json.loads(Path(urls).read_text())

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, dont_filter=True)

    def parse(self, response: Response) -> None:
        trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
