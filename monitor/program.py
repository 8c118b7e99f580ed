"""The `veille` program (and `python -m monitor`): a command that crawls has its crawl child started
before anything else is imported, so that Python and Scrapy load in the child while this process
loads the command, its configuration and its database; then the command runs."""

import gc
import itertools
import sys

# The commands that crawl, by their words (tests/test_crawl_child.py checks them against the CLI).
CRAWLING_COMMANDS = {
    ("run",), ("demo",), ("news", "run"), ("links", "run"), ("links", "check"), ("site", "audit")
}  # fmt: skip


def crawls(arguments: list[str]) -> bool:
    """Whether these arguments run a command that crawls: its words are those before any option."""
    words = tuple(itertools.takewhile(lambda argument: not argument.startswith("-"), arguments))
    return words[:1] in CRAWLING_COMMANDS or words[:2] in CRAWLING_COMMANDS


def main() -> None:
    if crawls(sys.argv[1:]):
        from monitor.crawl_child import start_child_early

        start_child_early()
    from monitor.cli import main as veille

    try:
        veille()
    finally:
        # The command has closed what it opened (its database, its files); what is left is memory, which
        # the system takes back at once: Python's exit need not first walk every object a night made,
        # looking for cycles (0.03 s after 10,000 entries). Standard output and logs are still flushed.
        gc.freeze()
