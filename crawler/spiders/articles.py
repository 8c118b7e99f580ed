"""Fetch article pages and extract main text, date, author, language and lead image (trafilatura,
htmldate). Run alone: `scrapy crawl articles -a url=https://example.org/a -o out.jsonl`, or with
`-a job=articles.json` (`{"articles": [{"url"}]}`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.failures import describe_failure, needed
from crawler.items import ArticleItem


class ArticlesSpider(Spider):
    name = "articles"

    def __init__(self, url: str = "", job: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Article links come from feeds, which are not trusted: only the hosts of the configured
        # sources (given by the job) may be on a private or loopback network.
        self.origin_hosts: set[str] = set()
        if job:
            data = json.loads(Path(job).read_text(encoding="utf-8"))
            self.urls = [a["url"] for a in data["articles"]]
            self.origin_hosts = set(data.get("origin_hosts") or [])
        elif url:
            self.urls = url.split(",")
        else:
            raise ValueError("give -a url=URL[,URL…] or -a job=FILE")

    async def start(self) -> Any:
        for url in self.urls:
            yield Request(url, callback=self.parse_article, errback=self.failed, meta={"article": url})

    def failed(self, failure: Failure) -> ArticleItem:
        request = failure.request  # type: ignore[attr-defined]
        _, message, status = describe_failure(failure)
        return ArticleItem(url=request.meta["article"], ok=False, status=status, error=message)

    def parse_article(self, response: Response) -> ArticleItem:
        url = response.meta["article"]
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        if "html" not in content_type and not response.body.lstrip()[:100].lower().startswith(
            (b"<!doctype", b"<html")
        ):
            return ArticleItem(
                url=url, ok=False, status=response.status, error=f"pas une page HTML ({content_type})"
            )
        extract_article = needed(self, "crawler.judge.article").extract_article
        try:
            extracted = extract_article(response.body, content_type, response.url)
        except Exception as exc:  # one page's surprise must not leave its article waiting for ever
            self.logger.exception("extraction failed for %s", url)
            error = f"extraction impossible ({type(exc).__name__}: {exc})"[:300]
            return ArticleItem(url=url, ok=False, status=response.status, error=error)
        return ArticleItem(url=url, ok=True, final_url=response.url, status=response.status, **extracted)
