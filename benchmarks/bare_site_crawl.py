"""The baseline of the site audit: a bare Scrapy crawl of one site, following every same-host link
from the home page once, and doing nothing else with the pages. It keeps its own set of addresses
seen (like the audit's spider) so that it creates a request only for a new address: the leanest way
Scrapy crawls a site, not the idiomatic `follow_all` whose duplicate requests cost it a third more."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.http import Response


class BareSiteCrawl(Spider):
    name = "bare_site"

    def __init__(self, site: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [site]
        self.host = urlsplit(site).hostname
        self.seen = {site}

    def parse(self, response: Response) -> Iterator[Any]:
        yield {"url": response.url, "status": response.status}
        for href in response.xpath("//a/@href").getall():
            url = urljoin(response.url, href).split("#", 1)[0]
            if url not in self.seen and urlsplit(url).hostname == self.host:
                self.seen.add(url)
                yield Request(url, callback=self.parse, dont_filter=True)
