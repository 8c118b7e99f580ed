"""Baseline: a plain Scrapy spider that downloads article pages and extracts each one's main text with
trafilatura (the same library Veille uses), storing nothing."""

from __future__ import annotations

import trafilatura
from bare_spider import BareSpider  # `scrapy runspider` puts this folder on sys.path
from scrapy.http import Response


class BareArticles(BareSpider):
    name = "bare_articles"

    def parse(self, response: Response) -> None:
        trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
