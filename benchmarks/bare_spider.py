"""The baseline: a bare Scrapy spider fetching a given list of URLs and doing nothing with them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class BareSpider(Spider):
    name = "bare"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = json.loads(Path(urls).read_text())

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, dont_filter=True)

    def parse(self, response: Response) -> dict[str, int]:
        return {"status": response.status}
