"""Name why a request failed, in the vocabulary the verdicts use."""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from crawler.middlewares.address_guard import UnsafeRequest

BLOCKING_STATUSES = frozenset({401, 403, 429})


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
