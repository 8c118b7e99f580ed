"""How politely Veille crawls. `monitor` overrides the VEILLE_* limits and the politeness knobs with
`-s NAME=VALUE` from data/config.yml; these defaults make `scrapy crawl` behave well on its own."""

from scrapy.settings import default_settings

BOT_NAME = "veille"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Each spider in the module of its name: a crawl imports its own spider only.
SPIDER_LOADER_CLASS = "crawler.spiderloader.LazySpiderLoader"

# --- Politeness first -------------------------------------------------------------------------
# Member sites are small association sites: obey robots.txt, say who we are, go slowly.
ROBOTSTXT_OBEY = True
USER_AGENT = "Veille/0.1 (Collectif Ensemble contre la traite; +https://www.contrelatraite.org/)"
# At most two requests at a time to one site, with a pause between them.
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
# ±50 % around the delay, so requests do not fall in a mechanical rhythm.
DOWNLOAD_DELAY_JITTER = 0.5
# Many sites can be crawled side by side: each has its own download slot.
CONCURRENT_REQUESTS = 16

# --- Limits -------------------------------------------------------------------------------------
# Scrapy's defaults (180 s, 1 GiB) would let one bad site hold the whole night.
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
# Depth and page budgets are per site and counted by the spider (VEILLE_* below), not by Scrapy.
DEPTH_LIMIT = 0

# --- Breadth-first order ------------------------------------------------------------------------
# Pages near the home page first, so a page budget cut keeps the pages that matter most.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# --- Retries ------------------------------------------------------------------------------------
# Transient failures only (timeouts, resets, 5xx), never 4xx: a 429 means "stop", not "try again".
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
# Seconds before the first retry; doubled for each later one.
VEILLE_RETRY_BACKOFF_S = 2.0

# --- Safety and plumbing ------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Refuse non-http(s) schemes, private addresses and off-site redirects before anything else.
    "crawler.middlewares.address_guard.AddressGuardMiddleware": 50,
    "crawler.middlewares.backoff.BackoffDelayMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    # The address actually connected to, checked before any other middleware sees the response.
    "crawler.middlewares.address_guard.PeerAddressMiddleware": 990,
}
# Downloads connect only to the address the address guard checked, never to a second DNS answer.
TWISTED_DNS_RESOLVER = "crawler.resolver.PinnedResolver"
EXTENSIONS = {
    # Writes the crawl's stats to VEILLE_STATS_FILE: `scrapy crawl` exits 0 even when all failed.
    "crawler.extensions.stats_file.StatsFile": 500,
}
# Scrapy's own components, less what Veille must never run. Scrapy imports every component a
# priority dict names, even one set to None, so these are left out of the base dicts instead:
# - the telnet console, and the « remote control » endpoint Scrapy 2.19 starts in every crawl (an
#   HTTP server on 127.0.0.1 that runs Python code it is sent, for Scrapy's MCP server; importing it
#   also costs a tenth of a second of every crawl's start: aiohttp);
# - the cookies middleware (no cookies, below; it imports tldextract at start).
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path
    not in ("scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl")
}
DOWNLOADER_MIDDLEWARES_BASE = {
    path: order
    for path, order in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
    if path != "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
}
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
VEILLE_STATS_FILE = ""
# Scrapy starts this many asyncio workers for each response of an async callback; a page yields a
# handful of items, and the default (100) costs more than the judgement itself.
CONCURRENT_ITEMS = 8
# No session state is needed to read public pages.
COOKIES_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# Scrapy reads and parses the source of each callback at its first use, to warn of a generator that
# returns a value (a coding slip); tests/test_crawl_child.py runs that check on every spider once,
# instead of every crawl (2-3 hundredths of a second of each).
WARN_ON_GENERATOR_RETURN_VALUE = False
# The versions a crawl's log starts with: Scrapy's list less the platform (a `uname -p` subprocess at
# every start) and the selector packages.
LOG_VERSIONS = ["Python", "Twisted", "lxml", "libxml2", "pyOpenSSL", "cryptography"]

# --- What to look for ---------------------------------------------------------------------------
# The Collectif's domains: a link to one of them, or to a subdomain, is a link to the Collectif.
VEILLE_COLLECTIF_DOMAINS = ["contrelatraite.org", "contrelatraite.net", "contrelatraite.com"]
# Clicks from the home page; pages where a link was seen before are re-checked at any depth.
VEILLE_MAX_DEPTH = 2
# Pages fetched per site at most, and seconds spent on one site at most.
VEILLE_PAGE_BUDGET = 60
VEILLE_TIME_BUDGET_S = 300
