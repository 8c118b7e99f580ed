"""Name why a request failed, in the vocabulary the verdicts use; stop a crawl whose own code is broken."""

from __future__ import annotations

import importlib
from types import ModuleType

from scrapy import Spider
from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from crawler.broken import CRAWLER_BROKEN, CRAWLER_BROKEN_CAUSE
from crawler.middlewares.address_guard import UnsafeRequest

BLOCKING_STATUSES = frozenset({401, 403, 429})


def needed(spider: Spider, module: str) -> ModuleType:
    """A module the crawl imports at its first use. If it cannot be imported (a broken install, a
    file half copied), the crawl stops as a whole with the reason CRAWLER_BROKEN and the cause in its
    stats, rather than each page or source seeming to fail."""
    try:
        return importlib.import_module(module)
    except Exception as exc:
        spider.logger.exception("%s cannot be imported", module)
        assert spider.crawler.stats is not None
        spider.crawler.stats.set_value(CRAWLER_BROKEN_CAUSE, f"{module}: {type(exc).__name__}: {exc}"[:300])
        raise scrapy_errors.CloseSpider(CRAWLER_BROKEN) from exc


def describe_failure(failure: Failure) -> tuple[str, str, int | None]:
    """(error kind, message, HTTP status) of a failed request.

    Kinds: `robots`, `forbidden` (401/403/429), `http` (other status), `unsafe`, `dns`, `refused`,
    `timeout`, `too_large`, `error`.
    """
    exc = failure.value
    if _too_large(exc):
        return "too_large", "page trop lourde (taille maximale dépassée)", None
    if isinstance(exc, HttpError):
        status = exc.response.status
        kind = "forbidden" if status in BLOCKING_STATUSES else "http"
        return kind, f"HTTP {status}", status
    if isinstance(exc, UnsafeRequest):
        return "unsafe", str(exc), None
    if isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
        return "robots", "interdit par robots.txt", None
    if isinstance(exc, (net_error.DNSLookupError, scrapy_errors.CannotResolveHostError)):
        return "dns", "nom de domaine introuvable (DNS)", None
    if isinstance(exc, (net_error.ConnectionRefusedError, scrapy_errors.DownloadConnectionRefusedError)):
        return "refused", "connexion refusée", None
    timeouts = (net_error.TimeoutError, net_error.TCPTimedOutError, scrapy_errors.DownloadTimeoutError)
    if isinstance(exc, (*timeouts, TimeoutError)):
        return "timeout", "délai d'attente dépassé", None
    if isinstance(exc, scrapy_errors.DownloadCancelledError):
        return "error", "téléchargement interrompu", None
    return "error", f"erreur inattendue ({type(exc).__name__}: {exc})"[:300], None


def _too_large(exc: BaseException) -> bool:
    """Scrapy says "larger than download max size" (DownloadCancelledError) while downloading, and
    "exceeded DOWNLOAD_MAXSIZE" (IgnoreRequest) while decompressing."""
    message = str(exc).lower()
    return isinstance(exc, (scrapy_errors.DownloadCancelledError, IgnoreRequest)) and (
        "max size" in message or "download_maxsize" in message
    )
