"""The audit's judgement of the whole site: reachability, robots.txt, sitemaps, canonicals, depth,
broken links, reciprocity with the members, freshness — and every page's own findings
(page_checks.py). `audit_findings` is a pure function of one crawl and what the store knows."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from protego import Protego

from crawler.judge.targets import on_same_site
from monitor.labels import plural
from monitor.site.model import Finding, SiteCrawl, url_key
from monitor.site.page_checks import (
    content_findings,
    duplicate_findings,
    is_noindex,
    sharing_findings,
    stale_findings,
)

HOST_DOWN_KINDS = frozenset({"dns", "refused", "timeout", "host_down"})
# A site that refuses robots (401, 403, 429) or that Veille may not reach is not « cassé »: unchecked.
UNCHECKED_WHY = {
    "forbidden": "le site refuse les robots (HTTP 401, 403 ou 429)",
    "unsafe": "adresse d'un réseau interne : jamais visitée, par sécurité",
    "robots": "robots.txt du site lié interdit la vérification",
}
UNCHECKED_KINDS = frozenset(UNCHECKED_WHY)


@dataclass(frozen=True)
class MemberSite:
    id: str
    name: str
    site: str


@dataclass(frozen=True)
class Published:
    """A story the desk published: the home page should show it."""

    title: str
    url: str


def _failure(item: dict[str, Any] | None) -> str | None:
    """Why an internal address fails, in French, or None when it answers (or was never asked)."""
    if item is None or item.get("ok"):
        return None
    if item.get("loop"):
        return "redirections en boucle"
    if item.get("error_kind") == "robots":
        return None
    return f"HTTP {item['status']}" if item.get("status") else item.get("error") or "erreur"


def reachability_findings(crawl: SiteCrawl) -> Iterator[Finding]:
    home = crawl.home
    if home is not None and not home.get("ok") and not home.get("loop"):
        yield Finding("page_error", crawl.start_url, (), _failure(home) or "")
    for key, item in crawl.page.items():
        chain = item.get("chain") or []
        if item.get("loop"):
            yield Finding("redirect_loop", item["url"], crawl.holders(item["url"]),
                          " → ".join(url for url, _ in chain))  # fmt: skip
        elif len(chain) > 2:
            path = " → ".join(url for url, _ in chain)
            yield Finding("redirect_chain", item["url"], crawl.holders(item["url"]),
                          f"{path} ({len(chain) - 1} redirections)")  # fmt: skip
        if item.get("error_kind") == "robots" and key != url_key(crawl.start_url):
            yield Finding("robots_blocked", item["url"], crawl.holders(item["url"]))
    for key, holders in crawl.links_to.items():
        if not crawl.is_internal(key):
            continue
        item = crawl.page.get(key) or crawl.check.get(key)
        why = None if item is None or item.get("loop") else _failure(item)
        if why:
            yield Finding("broken_internal_link", item["url"] if item else key, tuple(holders), why)


def robots_findings(crawl: SiteCrawl) -> Iterator[Finding]:
    robots = crawl.robots
    if robots is None or robots.get("error"):
        return  # unreadable for another reason than absence: say nothing rather than something false
    if robots.get("status") == 404:
        yield Finding("robots_missing", robots["url"])
        return
    if robots.get("status") != 200:
        return
    rules = Protego.parse(robots.get("text") or "")
    if not rules.can_fetch(crawl.start_url, "*") or not rules.can_fetch(crawl.start_url, "Googlebot"):
        yield Finding("robots_blocks_all", robots["url"])
    if not robots.get("sitemaps"):
        yield Finding("robots_no_sitemap", robots["url"])


def _reached_by_links(crawl: SiteCrawl) -> set[str]:
    """Addresses some page links to (from another page), directly or through redirects."""
    reached = set()
    for key, holders in crawl.links_to.items():
        if any(url_key(h) != key for h in holders):
            reached.add(key)
            item = crawl.page.get(key)
            if item is not None and item.get("chain"):
                reached.add(url_key(item["final_url"]))
    return reached


def sitemap_findings(crawl: SiteCrawl) -> Iterator[Finding]:
    if not crawl.sitemaps:
        return
    if not any(s.get("ok") for s in crawl.sitemaps) and all(s.get("status") == 404 for s in crawl.sitemaps):
        yield Finding("sitemap_missing", crawl.sitemaps[0]["url"])
        return
    for sitemap in crawl.sitemaps:
        if not sitemap.get("ok"):
            yield Finding("sitemap_error", sitemap["url"], (), sitemap.get("error") or "")
        elif sitemap.get("cut"):
            yield Finding("sitemap_too_large", sitemap["url"], (), sitemap["cut"])
    listed = {url_key(u) for u in crawl.sitemap_entries}
    home_key = url_key(crawl.start_url)
    reached = _reached_by_links(crawl)
    for loc in crawl.sitemap_entries:
        key = url_key(loc)
        item = crawl.page.get(key)
        if item is None or not crawl.is_internal(loc):
            continue
        if _failure(item):
            yield Finding("sitemap_entry_fails", loc, (), _failure(item) or "")
        elif item.get("chain"):
            yield Finding("sitemap_entry_redirects", loc, (), f"vers {item['final_url']}")
        elif key != home_key and key not in reached and crawl.complete:
            yield Finding("orphan_page", loc, (loc,))
    if not listed or any(s.get("cut") for s in crawl.sitemaps):
        return  # a page the unread part of the sitemap may list is not « missing from the sitemap »
    for item in crawl.html_pages:
        url = item["final_url"] or item["url"]
        canonical = item["facts"]["canonical"]
        if (
            url_key(url) not in listed
            and url_key(url) != home_key
            and not is_noindex(item["facts"])
            and (not canonical or url_key(canonical) == url_key(url))
        ):
            yield Finding("not_in_sitemap", url, (url,))


def canonical_findings(crawl: SiteCrawl) -> Iterator[Finding]:
    for item in crawl.html_pages:
        url = item["final_url"] or item["url"]
        canonical = item["facts"]["canonical"]
        if not canonical:
            yield Finding("canonical_missing", url, (url,))
            continue
        if url_key(canonical) == url_key(url):
            continue
        target = crawl.page.get(url_key(canonical))
        if target is not None and (_failure(target) or target.get("chain")):
            yield Finding("canonical_broken", url, (url,), f"{canonical} ({_failure(target) or 'redirigée'})")
        else:
            yield Finding("canonical_elsewhere", url, (url,), canonical)


def depth_findings(crawl: SiteCrawl, max_clicks: int) -> Iterator[Finding]:
    """Pages more than `max_clicks` clicks away from the home page, following the site's own links."""
    home = crawl.home_page
    if home is None:
        return
    by_key = {url_key(i["final_url"] or i["url"]): i for i in crawl.html_pages}
    redirects = {key: url_key(i["final_url"]) for key, i in crawl.page.items() if i.get("chain")}
    start = url_key(home["final_url"] or home["url"])
    depth = {start: 0}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        item = by_key.get(key)
        if item is None or "nofollow" in item["facts"]["robots"]:
            continue
        for link in item["facts"]["links"]:
            target = url_key(link["url"])
            target = redirects.get(target, target)
            if target not in depth and crawl.is_internal(link["url"]):
                depth[target] = depth[key] + 1
                queue.append(target)
    for key, clicks in depth.items():
        if clicks > max_clicks and key in by_key:
            url = by_key[key]["final_url"] or by_key[key]["url"]
            yield Finding("deep_page", url, (url,), f"{clicks} clics depuis l'accueil")


def external_findings(crawl: SiteCrawl) -> Iterator[Finding]:
    down: dict[str, list[str]] = defaultdict(list)
    reasons: dict[str, str] = {}
    for check in crawl.link_checks:
        if check.get("internal") or check.get("ok"):
            continue
        holders = crawl.holders(check["url"])
        kind = check.get("error_kind")
        if kind in HOST_DOWN_KINDS:
            down[check["host"]].extend(h for h in holders if h not in down[check["host"]])
            if kind != "host_down" or check["host"] not in reasons:
                reasons[check["host"]] = check.get("error") or ""
        elif kind in UNCHECKED_KINDS:
            yield Finding("external_link_unchecked", check["url"], holders, UNCHECKED_WHY[kind])
        else:
            why = f"HTTP {check['status']}" if check.get("status") else check.get("error") or ""
            yield Finding("broken_external_link", check["url"], holders, why)
    for host, holders in down.items():
        yield Finding("external_host_down", host, tuple(holders), reasons.get(host, ""))


def reciprocity_findings(crawl: SiteCrawl, members: Iterable[MemberSite]) -> Iterator[Finding]:
    """Members whose site the Collectif's site does not link to, or links to at a dead address."""
    if crawl.home_page is None or not crawl.complete:
        return  # a site not read (or read in part) is never said to be missing a link
    linked = [url for url in crawl.links_to if not crawl.is_internal(url)]
    checks = crawl.check
    for member in members:
        urls = [url for url in linked if on_same_site(url, member.site)]
        if not urls:
            yield Finding("member_not_linked", member.id, (), member.name)
            continue
        results = [checks.get(url_key(url)) for url in urls]
        if all(
            r is not None and not r.get("ok") and r.get("error_kind") not in UNCHECKED_KINDS for r in results
        ):
            holders = tuple(dict.fromkeys(h for url in urls for h in crawl.holders(url)))
            yield Finding("member_link_dead", member.id, holders, f"{member.name} : {urls[0]}")


def freshness_findings(
    crawl: SiteCrawl, published: list[Published], today: date, news_stale_days: int, stale_days: int
) -> Iterator[Finding]:
    home = crawl.home_page
    if home is not None:
        url, dates = home["final_url"] or home["url"], home["facts"]["dates"]
        newest = max(dates["times"], default=None)
        if newest is None:
            yield Finding("home_news_undated", url, (url,))
        elif newest < (today - timedelta(days=news_stale_days)).isoformat():
            yield Finding("home_news_stale", url, (url,), f"actualité la plus récente : {newest}")
        if published:
            shown_urls = {url_key(link["url"]) for link in home["facts"]["links"]}
            shown_texts = {" ".join(link["text"].lower().split()) for link in home["facts"]["links"]}
            if not any(
                url_key(p.url) in shown_urls or " ".join(p.title.lower().split()) in shown_texts
                for p in published
            ):
                yield Finding(
                    "desk_news_not_shown",
                    url,
                    (url,),
                    plural(len(published), "actualité publiée", "actualités publiées"),
                )
    for item in crawl.html_pages:
        yield from stale_findings(item, today, stale_days)


def audit_findings(
    crawl: SiteCrawl,
    settings: dict[str, Any],
    members: Iterable[MemberSite],
    published: list[Published],
    today: date,
) -> list[Finding]:
    """Every finding of one audit, each once."""
    home = crawl.home_page
    home_key = url_key(home["final_url"] or home["url"]) if home else None
    found: list[Finding] = [
        *reachability_findings(crawl),
        *robots_findings(crawl),
        *sitemap_findings(crawl),
        *canonical_findings(crawl),
        *depth_findings(crawl, settings["max_clicks"]),
        *external_findings(crawl),
        *reciprocity_findings(crawl, members),
        *freshness_findings(crawl, published, today, settings["news_stale_days"], settings["stale_days"]),
        *duplicate_findings(crawl.html_pages),
    ]
    for item in crawl.html_pages:
        found += content_findings(item, settings)
        is_home = url_key(item["final_url"] or item["url"]) == home_key
        found += sharing_findings(item, is_home)
    return list({(f.code, f.subject): f for f in found}.values())
