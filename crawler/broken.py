"""The reason a crawl closes with when the crawler itself is broken (code it needs cannot be imported):
`monitor` then fails the stage instead of blaming the sites; the cause is in this stat. A module of its
own, so that `monitor` reads the two names without loading the item classes."""

CRAWLER_BROKEN = "crawler_broken"
CRAWLER_BROKEN_CAUSE = "veille/crawler_broken"
