"""The site audit's bounds on a hostile sitemap: an index of many children, sitemaps of many entries, a
gzip bomb. Each is a finding and makes the audit incomplete; none makes the crawl grow without end."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

from monitor.config import Config
from monitor.crawl import run_spider
from monitor.demo.web import FixtureWeb
from monitor.settings import SITE_SETTINGS
from monitor.site.checks import audit_findings
from monitor.site.model import SiteCrawl

SETTINGS = {s.name: s.default for s in SITE_SETTINGS}
URLSET = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'
INDEX = (
    '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</sitemapindex>'
)


def test_sitemap_fan_out_is_capped_and_a_gzip_bomb_is_a_finding(config: Config, tmp_path: Path) -> None:
    root = tmp_path / "web" / "site"
    root.mkdir(parents=True)
    (root / "index.html").write_text("<html><body><a href='/p0.html'>p</a></body></html>", encoding="utf-8")
    (root / "robots.txt").write_text("Sitemap: /index.xml\nSitemap: /bomb.xml.gz\n", encoding="utf-8")
    children = "".join(f"<sitemap><loc>/s{i}.xml</loc></sitemap>" for i in range(20))
    (root / "index.xml").write_text(INDEX.format(children), encoding="utf-8")
    for i in range(20):
        urls = "".join(f"<url><loc>/p{i * 10 + j}.html</loc></url>" for j in range(10))
        (root / f"s{i}.xml").write_text(URLSET.format(urls), encoding="utf-8")
    (root / "bomb.xml.gz").write_bytes(gzip.compress(URLSET.encode() + b" " * (64 * 1024 * 1024)))
    with FixtureWeb(tmp_path / "web", first_address=234) as web:
        start = web.url("site")
        host = start.split("/")[2].split(":")[0]
        job = tmp_path / "job.json"
        job.write_text(json.dumps({"start_url": start, "hosts": [host], "page_budget": 5, "sitemap_limit": 3,
                                   "sitemap_entry_limit": 25}), encoding="utf-8")  # fmt: skip
        settings = {**config.scrapy_settings(), "DOWNLOAD_DELAY": 0}
        output = run_spider("site", {"job": str(job)}, settings, 60, workdir=tmp_path)
        asked = [path for path in web.sites["site"].hits if path.endswith((".xml", ".gz"))]
    assert len(asked) == 3  # the index, the bomb, one child: the cap of 3 sitemaps
    assert output.stats["veille/sitemap_cap_reached"] is True
    crawl = SiteCrawl.from_items(start, frozenset({host}), output.items)
    crawl.stats = {**output.stats, "returncode": output.returncode}
    assert not crawl.complete
    assert sum(len(s["entries"]) for s in crawl.sitemaps) <= 25
    findings = {
        (f.code, f.subject.rsplit("/", 1)[-1]) for f in audit_findings(crawl, SETTINGS, [], [], date.today())
    }
    assert ("sitemap_too_large", "index.xml") in findings
    assert ("sitemap_error", "bomb.xml.gz") in findings
    assert not any(code == "not_in_sitemap" for code, _ in findings)
