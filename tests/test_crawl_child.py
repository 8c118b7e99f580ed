"""The crawl child: `python -m crawler` runs Scrapy's `crawl` command, a child started early is the one
the crawl takes, and one not needed or already dead is let go or reported, never left running."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import monitor.crawl
import monitor.crawl_child
import monitor.program
from monitor.config import Config
from monitor.crawl import CrawlFailed, run_spider
from monitor.crawl_child import child_environment, start_child_early, take_child
from monitor.demo.web import FixtureWeb
from monitor.program import crawls
from tests.conftest import TESTS


@pytest.fixture(autouse=True)
def no_child_left() -> Iterator[None]:
    yield
    monitor.crawl_child._stop_unused()


def crawler(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-P", "-m", "crawler", *arguments], input=stdin, capture_output=True, text=True,
        env=child_environment(), cwd="/", timeout=120, check=False,
    )  # fmt: skip


def in_child_environment(script: str) -> str:
    """What a Python script prints, run as the crawl child runs (its environment and path)."""
    return subprocess.run(
        [sys.executable, "-c", script], env=child_environment(), capture_output=True, text=True, check=True
    ).stdout


def test_the_commands_that_crawl_are_told_by_their_words() -> None:
    assert crawls(["run", "-q"])
    assert crawls(["news", "run", "--no-articles", "--db", "x.db"])
    assert crawls(["links", "check", "https://example.org/", "--json"])
    assert crawls(["site", "audit"]) and crawls(["links", "run"]) and crawls(["demo"])
    assert not crawls(["news", "sources"]) and not crawls(["serve", "--db", "run"])
    assert not crawls(["--help"]) and not crawls([]) and not crawls(["links", "report", "run"])


def test_python_m_crawler_finds_what_scrapy_crawl_finds(web: FixtureWeb, tmp_path: Path) -> None:
    site = web.url("partners")
    found = {}
    for name, command in (
        ("scrapy", [sys.executable, "-m", "scrapy", "crawl"]),
        ("crawler", [sys.executable, "-m", "crawler"]),
    ):
        out = tmp_path / f"{name}.jsonl"
        result = subprocess.run(
            [*command, "backlinks", "-a", f"site={site}", "-O", f"{out}:jsonlines", "-s", "DOWNLOAD_DELAY=0"],
            capture_output=True, text=True, timeout=120, cwd=TESTS.parent, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "Spider closed (finished)" in result.stderr
        items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        found[name] = sorted(json.dumps(item, sort_keys=True) for item in items)
    assert found["crawler"] == found["scrapy"]
    assert any('"visible": true' in item for item in found["crawler"])


def test_no_spider_callback_is_a_generator_returning_a_value() -> None:
    """Scrapy's own check, left out of every crawl (WARN_ON_GENERATOR_RETURN_VALUE), run here once."""
    import inspect

    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.misc import is_generator_with_return_value
    from scrapy.utils.project import get_project_settings

    spiders = SpiderLoader.from_settings(get_project_settings())
    checked = [
        (name, method)
        for name in spiders.list()
        for method, function in inspect.getmembers(spiders.load(name), inspect.isfunction)
        if function.__module__.startswith("crawler.") and inspect.isgeneratorfunction(function)
    ]
    assert len(checked) >= 4
    for name, method in checked:
        assert not is_generator_with_return_value(getattr(spiders.load(name), method)), (name, method)


def test_a_crawl_imports_its_own_spider_only() -> None:
    """The lazy spider loader: the news spider without the link judge's HTML and CSS code (and,
    until a source has changed, without the feed parser); the list, all four."""
    script = (
        "import sys\n"
        "from scrapy.utils.project import get_project_settings\n"
        "from scrapy.spiderloader import get_spider_loader\n"
        "loader = get_spider_loader(get_project_settings())\n"
        "assert loader.load('news').name == 'news'\n"
        "print(sorted(m for m in sys.modules if m.startswith(('crawler.', 'feedparser', 'tinycss2'))))\n"
        "print(sorted(loader.list()))\n"
        "try:\n"
        "    loader.load('nosuch')\n"
        "except KeyError as exc:\n"
        "    print(exc)\n"
    )
    modules, spiders, missing = in_child_environment(script).splitlines()
    assert "'crawler.spiders.news'" in modules
    for absent in ("crawler.judge.page", "crawler.spiders.backlinks", "feedparser", "tinycss2"):
        assert f"'{absent}'" not in modules, absent
    assert spiders == "['articles', 'backlinks', 'news', 'site']"
    assert missing == "'Spider not found: nosuch'"


def test_the_lazy_loader_finds_what_scrapys_own_finds() -> None:
    import warnings

    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from crawler.spiderloader import LazySpiderLoader

    settings = get_project_settings()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="There are several spiders", category=UserWarning)
        eager = SpiderLoader(settings)
    assert sorted(eager.list()) == ["articles", "backlinks", "news", "site"]
    for name in eager.list():
        assert LazySpiderLoader(settings).load(name) is eager.load(name)


def test_cheap_frames_agree_with_inspects_own_and_are_put_back() -> None:
    from crawler.__main__ import frames_without_source

    def frames_and_module() -> tuple[list[tuple[object, ...]], object, object]:
        frames = inspect.stack()
        seen = [(f.filename, f.lineno, f.function) for f in frames]
        return seen, inspect.getmodule(frames[0].frame), frames[0].code_context

    own_stack, own_getmodule = inspect.stack, inspect.getmodule
    results = []
    for block in (frames_without_source, contextlib.nullcontext):
        with block():
            results.append((*frames_and_module(), inspect.stack is own_stack))
    assert (inspect.stack, inspect.getmodule) == (own_stack, own_getmodule)
    (cheap_frames, cheap_module, cheap_source, cheap_is_own), (frames, module, source, is_own) = results
    assert cheap_frames == frames and len(frames) > 3
    assert cheap_module is module is sys.modules[__name__]
    assert cheap_source is None and source is not None  # no source read
    assert not cheap_is_own and is_own
    with pytest.raises(ZeroDivisionError), frames_without_source():
        _ = 1 / 0
    assert (inspect.stack, inspect.getmodule) == (own_stack, own_getmodule)
    assert inspect.getmodule(inspect) is inspect  # not a frame: inspect's own answer


def test_scrapys_deprecated_aliases_keep_their_module_names() -> None:
    script = (
        "import inspect, crawler.__main__\n"
        "from scrapy.core.downloader import contextfactory, tls\n"
        "print(tls.ScrapyClientTLSOptions.__module__, contextfactory.ScrapyClientContextFactory.__module__,"
        " contextfactory.AcceptableProtocolsContextFactory.__module__, inspect.stack.__module__)\n"
    )
    tls_module, factory, protocols, stack_module = in_child_environment(script).split()
    assert tls_module == "scrapy.core.downloader.tls"
    assert factory == protocols == "scrapy.core.downloader.contextfactory"
    assert stack_module == "inspect"


def test_the_arguments_can_come_on_standard_input(web: FixtureWeb, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    arguments = [
        "backlinks",
        "-a",
        f"site={web.url('partners')}",
        "-O",
        f"{out}:jsonlines",
        "-s",
        "DOWNLOAD_DELAY=0",
    ]
    result = crawler("-", stdin=json.dumps(arguments))
    assert result.returncode == 0, result.stderr
    assert any(json.loads(line)["type"] == "link" for line in out.read_text(encoding="utf-8").splitlines())


def test_an_empty_input_crawls_nothing_and_a_bad_one_is_refused() -> None:
    for nothing in ("", "[]"):
        empty = crawler("-", stdin=nothing)
        assert (empty.returncode, empty.stdout, empty.stderr) == (0, "", "")
    for bad in ("pas du JSON", '{"spider": "news"}', '["news", 3]'):
        refused = crawler("-", stdin=bad)
        assert refused.returncode == 1
        assert "standard input must be a JSON list of arguments" in refused.stderr
    usage = crawler()
    assert usage.returncode == 2 and "python -m crawler [options] <spider>" in usage.stdout


def test_the_crawl_takes_the_child_started_early(web: FixtureWeb, config: Config, tmp_path: Path) -> None:
    start_child_early()
    start_child_early()  # one waits at most
    [early] = monitor.crawl_child._started_early
    output = run_spider(
        "backlinks", {"site": web.url("partners")}, {**config.scrapy_settings(), "DOWNLOAD_DELAY": 0}, 60,
        workdir=tmp_path,
    )  # fmt: skip
    assert monitor.crawl_child._started_early == []
    assert early.process.returncode == 0 and early.log.closed
    assert output.returncode == 0 and any(item["type"] == "link" for item in output.items)
    assert "Spider closed (finished)" in output.log_tail
    assert list(tmp_path.iterdir()) == []  # the crawl's folder is gone, its log had no name


def test_a_child_not_needed_is_stopped_at_exit() -> None:
    start_child_early()
    [early] = monitor.crawl_child._started_early
    monitor.crawl_child._stop_unused()
    assert early.process.returncode == -signal.SIGKILL and early.log.closed
    assert monitor.crawl_child._started_early == []


def test_a_child_that_died_waiting_is_replaced(
    web: FixtureWeb, config: Config, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    start_child_early()
    [early] = monitor.crawl_child._started_early
    os.kill(early.process.pid, signal.SIGKILL)
    early.process.wait()
    output = run_spider(
        "backlinks", {"site": web.url("partners")}, {**config.scrapy_settings(), "DOWNLOAD_DELAY": 0}, 60,
        workdir=tmp_path,
    )  # fmt: skip
    assert output.returncode == 0 and any(item["type"] == "link" for item in output.items)
    assert early.log.closed
    assert f"ended (code {-signal.SIGKILL}) and was replaced" in caplog.text


def test_a_crawl_past_its_hard_deadline_is_killed(
    web: FixtureWeb, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `slow` site answers after 30 s; no soft limit (0), a grace of one second: the child is
    killed and the crawl said timed out, not failed."""
    monkeypatch.setattr(monitor.crawl, "HARD_KILL_GRACE_S", 1.0)
    output = run_spider("backlinks", {"site": web.url("slow")}, config.scrapy_settings(), 0, workdir=tmp_path)
    assert output.timed_out and output.returncode == -signal.SIGKILL and output.items == []


def test_without_a_pidfd_the_child_is_waited_for_by_polling(
    web: FixtureWeb, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitor.crawl_child, "_exit_notice", lambda pid: None)
    output = run_spider(
        "backlinks", {"site": web.url("partners")}, {**config.scrapy_settings(), "DOWNLOAD_DELAY": 0}, 60,
        workdir=tmp_path,
    )  # fmt: skip
    assert output.returncode == 0 and any(item["type"] == "link" for item in output.items)


def test_arguments_too_long_for_the_pipe_are_refused_and_the_child_stopped(config: Config) -> None:
    child = take_child()
    with pytest.raises(ValueError, match="put them in a job file"):
        child.send(["news", "-a", "feed=" + "x" * monitor.crawl_child.ARGUMENTS_MAX_BYTES])
    child.close()
    assert child.process.returncode == -signal.SIGKILL


def test_the_child_never_sees_the_mail_or_desk_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILLE_SMTP_PASSWORD", "secret-smtp")
    monkeypatch.setenv("DATASETTE_SECRET", "secret-cookie")
    result = crawler_env_dump()
    assert "secret-" not in result and "SCRAPY_SETTINGS_MODULE=crawler.settings" in result
    from monitor.night.mail import PASSWORD_VARIABLE

    assert PASSWORD_VARIABLE in monitor.crawl_child.SECRET_VARIABLES


def crawler_env_dump() -> str:
    return subprocess.run(
        [sys.executable, "-c", "import os; print(sorted(f'{k}={v}' for k, v in os.environ.items()))"],
        env=child_environment(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_the_commands_said_to_crawl_exist() -> None:
    from monitor.cli import main

    for words in monitor.program.CRAWLING_COMMANDS:
        command = main
        for word in words:
            command = command.get_command(None, word)  # type: ignore[attr-defined]
            assert command is not None, words


def test_a_command_that_fails_before_crawling_kills_its_early_child(tmp_path: Path) -> None:
    """`veille news run` on a configuration folder that does not exist: its early child was started
    and is killed by the exit handler (seen by a handler that runs after it), the error in French."""
    script = (
        "import atexit, sys\n"
        "started = []\n"
        "atexit.register(lambda: print('early', [c.process.returncode for c in started], flush=True))\n"
        "import monitor.crawl_child as crawl_child\n"
        "start = crawl_child.start_child_early\n"
        "def spy():\n"
        "    start()\n"
        "    started.extend(crawl_child._started_early)\n"
        "crawl_child.start_child_early = spy\n"
        f"sys.argv = ['veille', 'news', 'run', '--config', {str(tmp_path / 'absent')!r}, '--db', "
        f"{str(tmp_path / 'veille.db')!r}]\n"
        "from monitor.program import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=TESTS.parent,
        check=False,
    )
    assert result.returncode != 0 and result.stderr.startswith("Erreur"), result.stderr
    assert result.stdout.strip() == f"early [{-signal.SIGKILL}]"


@pytest.mark.parametrize(
    "broken", ["raise ImportError('feedparser is missing')", "x = = 1  # a file half copied"]
)
def test_a_broken_crawler_fails_the_crawl_instead_of_blaming_the_sources(
    broken: str, web: FixtureWeb, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The news spider imports its parsers at the first source that changed; if they cannot be
    imported, the crawl fails as a whole (CrawlFailed, the cause on its first line), not source by
    source."""
    shadow = tmp_path / "shadow" / "feedparser"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(broken + "\n")
    monkeypatch.setenv("PYTHONPATH", str(shadow.parent))
    job = tmp_path / "job.json"
    feed = web.url("news-edge").rstrip("/") + "/empty.xml"
    job.write_text(json.dumps({"sources": [{"id": "a", "url": feed, "kind": "feed"}]}), encoding="utf-8")
    with pytest.raises(CrawlFailed) as failed:
        run_spider(
            "news", {"job": str(job)}, {**config.scrapy_settings(), "DOWNLOAD_DELAY": 0}, 60, workdir=tmp_path
        )
    first_line = str(failed.value).splitlines()[0]
    assert first_line.startswith("the crawler is broken: crawler.judge.feeds: ")
    assert ("ImportError: feedparser is missing" if "raise" in broken else "SyntaxError") in first_line


def test_a_broken_article_extractor_fails_the_crawl_instead_of_every_page(
    web: FixtureWeb, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shadow = tmp_path / "shadow" / "trafilatura"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('trafilatura is missing')\n")
    monkeypatch.setenv("PYTHONPATH", str(shadow.parent))
    page = web.url("partners")
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"articles": [{"url": page}], "origin_hosts": [urlsplit(page).hostname]}))
    with pytest.raises(CrawlFailed) as failed:
        run_spider("articles", {"job": str(job)}, {**config.scrapy_settings(), "DOWNLOAD_DELAY": 0}, 60,
                   workdir=tmp_path)  # fmt: skip
    first_line = str(failed.value).splitlines()[0]
    assert first_line == "the crawler is broken: crawler.judge.article: ImportError: trafilatura is missing"
