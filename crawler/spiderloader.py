"""Scrapy's spider loader, lazy: a crawl imports its own spider's module, not every spider's."""

from __future__ import annotations

import importlib
from collections import defaultdict

from scrapy import Request, Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.spider import iter_spider_classes


class LazySpiderLoader(SpiderLoader):
    """`load("news")` imports the module `news` of each package of SPIDER_MODULES and takes the spider
    of that name there. A name no such module defines, `list()` and `find_by_request()` load every
    spider, as Scrapy's own loader does at its start (a night of 304s would import the link judge's
    CSS and HTML code for nothing)."""

    def __init__(self, settings: BaseSettings) -> None:
        self.spider_modules: list[str] = settings.getlist("SPIDER_MODULES")
        self.warn_only: bool = settings.getbool("SPIDER_LOADER_WARN_ONLY")
        self._spiders: dict[str, type[Spider]] = {}
        self._found: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self._all_loaded = False

    def _load_all(self) -> None:
        if not self._all_loaded:
            self._load_all_spiders()
            self._all_loaded = True

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name.isidentifier():
            for package in self.spider_modules:
                name = f"{package}.{spider_name}"
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                for spider in iter_spider_classes(module):
                    if spider.name == spider_name:
                        return spider
        self._load_all()
        return super().load(spider_name)

    def find_by_request(self, request: Request) -> list[str]:
        self._load_all()
        return super().find_by_request(request)

    def list(self) -> list[str]:
        self._load_all()
        return super().list()
