"""`python -m crawler SPIDER [-O FILE:FORMAT] [-a NAME=VALUE]... [-s NAME=VALUE]...`: one of Veille's
spiders run as `scrapy crawl` runs it (Scrapy's own `crawl` command, options and settings), without
what `scrapy` does first and last that a nightly child does not need: loading every other Scrapy
command to list them, and tearing the interpreter down once the crawl has written everything.

`python -m crawler -` reads those arguments from standard input (one JSON list), once Python and
Scrapy are loaded: `monitor` starts its child that way before it knows the job, and the two load side
by side. An empty input or list crawls nothing and exits 0. `scrapy crawl` works the same from a shell."""

import contextlib
import gc
import inspect
import json
import logging
import os
import sys
import types
from collections.abc import Iterator
from typing import Any

from scrapy.cmdline import ScrapyArgumentParser
from scrapy.commands.crawl import Command
from scrapy.crawler import AsyncCrawlerProcess, CrawlerProcess
from scrapy.exceptions import UsageError
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings


@contextlib.contextmanager
def frames_without_source() -> Iterator[None]:
    """`inspect.stack()` and `inspect.getmodule(frame)` the cheap way, for as long as the block runs.

    Scrapy's `create_deprecated_class` calls them to name the module of each deprecated alias it
    builds: the first reads the source of every frame on the stack, the second walks every module
    loaded, for a name that is the caller's `__name__`. Here the stack comes without its lines of
    source (`code_context` None, as `inspect.stack(0)` gives it) and a frame's module is the one its
    globals name; anything else goes to `inspect`'s own functions, which are put back on leaving."""
    stack, getmodule = inspect.stack, inspect.getmodule

    def stack_without_source(context: int = 1) -> list[inspect.FrameInfo]:
        frames, frame = [], sys._getframe(1)
        while frame is not None:
            code = frame.f_code
            frames.append(
                inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None)
            )
            frame = frame.f_back
        return frames

    def module_of(thing: Any, _filename: str | None = None) -> types.ModuleType | None:
        if isinstance(thing, types.FrameType) and thing.f_globals.get("__name__") in sys.modules:
            return sys.modules[thing.f_globals["__name__"]]
        return getmodule(thing, _filename)

    inspect.stack, inspect.getmodule = stack_without_source, module_of  # type: ignore[assignment]
    try:
        yield
    finally:
        inspect.stack, inspect.getmodule = stack, getmodule  # type: ignore[assignment]


# Scrapy's HTTPS handler builds three deprecated class aliases at import (above): imported here, with
# cheap frames, not at a crawl's start where Scrapy would import it (0.04 s of every crawl child).
with contextlib.suppress(ImportError), frames_without_source():  # a module Scrapy may move
    import scrapy.core.downloader.handlers.http11  # noqa: F401

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def crawler_process(settings: Settings) -> AsyncCrawlerProcess | CrawlerProcess:
    """The process class `scrapy` itself would choose (scrapy.cmdline.execute)."""
    asyncio = settings["TWISTED_REACTOR"] == ASYNCIO_REACTOR and not settings.getbool("FORCE_CRAWLER_PROCESS")
    if asyncio or not settings.getbool("TWISTED_REACTOR_ENABLED"):
        return AsyncCrawlerProcess(settings)
    return CrawlerProcess(settings)


def crawl(argv: list[str]) -> int:
    """Run `scrapy crawl` with these arguments in this process; its exit code."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    command = Command()
    parser = ScrapyArgumentParser(
        prog="python -m crawler", usage=f"python -m crawler {command.syntax()}", conflict_handler="resolve"
    )
    settings.setdict(command.default_settings, priority="command")
    command.settings = settings
    command.add_options(parser)
    opts, args = parser.parse_known_args(argv)
    try:
        command.process_options(args, opts)
        command.crawler_process = crawler_process(settings)
        if opts.profile:
            import cProfile

            sys.stderr.write(f"python -m crawler: writing cProfile stats to {opts.profile!r}\n")
            cProfile.runctx("command.run(args, opts)", globals(), locals(), opts.profile)
        else:
            command.run(args, opts)
    except UsageError as exc:
        if str(exc):
            parser.error(str(exc))
        parser.print_help()
        return 2
    return command.exitcode


def arguments_read(text: str) -> list[str]:
    """The arguments `monitor` sent on standard input; none for an empty input."""
    if not text.strip():
        return []
    try:
        read = json.loads(text)
    except json.JSONDecodeError:
        read = None
    if not isinstance(read, list) or not all(isinstance(argument, str) for argument in read):
        raise SystemExit("python -m crawler -: standard input must be a JSON list of arguments")
    return read


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["-"]:
        argv = arguments_read(sys.stdin.read())
        if not argv:
            sys.exit(0)  # a child started ahead that was not needed
    code = crawl(argv)
    # Everything the crawl writes (items, stats) is closed when the spider closes; what is left in
    # the interpreter is memory, which the system frees faster than Python's own teardown does. A
    # crawl that could not start (exit code 1, the case whose log `monitor` shows) first collects its
    # garbage, as `scrapy` does at every exit, so that Twisted logs the errors of Deferreds nobody
    # handled (0.03 s).
    if code:
        gc.collect()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
