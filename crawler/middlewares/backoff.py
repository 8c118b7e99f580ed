"""Retries with exponential backoff: Scrapy's RetryMiddleware retries at once, which hammers a
struggling server. The retry copy carries a delay that BackoffDelayMiddleware waits out."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware

BACKOFF_META = "veille_backoff_s"


class BackoffRetryMiddleware(RetryMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.backoff_s = crawler.settings.getfloat("VEILLE_RETRY_BACKOFF_S", 2.0)
        return middleware

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None and self.backoff_s > 0:
            retry.meta[BACKOFF_META] = self.backoff_s * 2 ** (retry.meta["retry_times"] - 1)
        return retry


class BackoffDelayMiddleware:
    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop(BACKOFF_META, 0)
        if delay:
            await asyncio.sleep(delay)
