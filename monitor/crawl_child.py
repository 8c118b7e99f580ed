"""The crawl child: a `python -m crawler -` process, its environment, its death with its parent, and
its arguments handed over on standard input.

A command that will crawl calls `start_child_early` before it imports anything else: Python and
Scrapy then load in the child while the command loads itself, its configuration and its database,
and the crawl starts as soon as `run_spider` (in `monitor.crawl`) hands the child its job. This module
imports little, so that the child starts within a few hundredths of a second of `veille`.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import select
import signal
import subprocess
import sys
import tempfile
from typing import IO, Any

# Secrets of other parts of Veille that the crawl child never needs (monitor.night.mail's
# PASSWORD_VARIABLE, the desk's cookie secret): left out so that no log or traceback of the child can
# show them. Not a barrier: the child runs as the same user.
SECRET_VARIABLES = ("VEILLE_SMTP_PASSWORD", "DATASETTE_SECRET")
# What the child's standard input takes at once (PIPE_BUF: a pipe holds at least this much); more
# could block until the child has loaded Scrapy. The arguments are about 0.7 kB; data goes in job files.
ARGUMENTS_MAX_BYTES = 4096

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _prctl() -> Any:
    """libc's prctl, found once in the parent: between fork and exec (where die_with_parent runs, in a
    process that may have threads) nothing may load libraries, import or take locks."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None  # not Linux: children simply do not follow their parent's death


_PRCTL = _prctl()


def die_with_parent() -> None:
    """In the child, before exec: be killed when the parent dies (Linux), so a `veille` run killed
    with SIGKILL leaves no crawl running on behind it."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


# The folder holding `monitor` and `crawler`: the checkout this process runs from.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def child_environment() -> dict[str, str]:
    """The crawl child's environment: Scrapy pointed at `crawler.settings`, and, run from a checkout,
    `crawler` imported from this very checkout, first on the path, not from wherever the virtual
    environment's editable install points (another checkout sharing it ran its own crawler before).
    An installed Veille (no checkout: `PROJECT_ROOT` is site-packages) leaves the path as it is, so
    that site-packages never comes before the standard library. The secrets of the mail and the desk
    are left out. A child started early has the environment of `veille`'s start."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONUNBUFFERED": "1"}
    for name in ("SCRAPY_PROJECT", *SECRET_VARIABLES):
        env.pop(name, None)
    if os.path.isfile(os.path.join(PROJECT_ROOT, "pyproject.toml")):
        env["PYTHONPATH"] = os.pathsep.join([PROJECT_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


class CrawlChild:
    """A crawl child waiting for its arguments on standard input. Its output goes to an unnamed file,
    so a child killed with its parent leaves nothing behind."""

    def __init__(self) -> None:
        """Start the child; OSError or SubprocessError if it cannot be."""
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the child)
        try:
            # -P: no folder of the child's is put on its import path; it runs in / on absolute paths.
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", "crawler", "-"], cwd="/", env=child_environment(),
                stdin=subprocess.PIPE, stdout=self.log, stderr=self.log, preexec_fn=die_with_parent,
            )  # fmt: skip
        except BaseException:
            self.log.close()
            raise
        self._pidfd = _exit_notice(self.process.pid)
        self._exit_seen = select.poll() if self._pidfd is not None else None
        if self._exit_seen is not None:
            self._exit_seen.register(self._pidfd, select.POLLIN)

    def send(self, arguments: list[str]) -> None:
        """Hand the child its arguments (`scrapy crawl`'s); one that already died is seen when waited for.
        They must fit in the pipe (ARGUMENTS_MAX_BYTES): data goes in a job file."""
        import json  # not before the child is started

        data = json.dumps(arguments).encode()
        if len(data) > ARGUMENTS_MAX_BYTES:
            raise ValueError(f"crawl arguments of {len(data)} bytes: put them in a job file")
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(data)
            self.process.stdin.close()
        except BrokenPipeError:
            pass

    def exited_within(self, seconds: float) -> bool:
        """Whether the child has exited, waiting for it at most `seconds`; woken at its exit."""
        if self._exit_seen is not None:
            self._exit_seen.poll(seconds * 1000)
            seconds = 0
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        """Kill the child if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log_tail(self, characters: int = 3000) -> str:
        self.log.seek(max(0, self.log.seek(0, os.SEEK_END) - 4 * characters))
        return self.log.read().decode("utf-8", errors="replace")[-characters:]

    def close(self) -> None:
        self.stop()
        self.log.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = self._exit_seen = None


def _exit_notice(pid: int) -> int | None:
    """A file descriptor readable once the process exits (Linux 5.3+), or None: `Popen.wait` with a
    timeout polls instead, up to 50 ms late."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


_started_early: list[CrawlChild] = []


def start_child_early() -> None:
    """Start the next crawl's child now; `take_child` hands it over. Not taken, it is stopped when
    this process exits (it has done nothing but load). A child that cannot start is left for
    `take_child` to report."""
    if not _started_early:
        try:
            _started_early.append(CrawlChild())
        except Exception:  # a speed-up only: the crawl will start its own child, or say why not
            return


@atexit.register
def _stop_unused() -> None:
    while _started_early:
        _started_early.pop().close()


def take_child() -> CrawlChild:
    """The child started early if it still runs, else a new one (OSError or SubprocessError if it
    cannot start)."""
    try:
        early = _started_early.pop()
    except IndexError:
        return CrawlChild()
    if early.process.poll() is None:
        return early
    ended, tail = early.process.returncode, early.log_tail(1000)
    early.close()
    replacement = CrawlChild()
    import logging  # not before the child is started

    logging.getLogger(__name__).warning(
        "the crawl child started early ended (code %s) and was replaced\n%s", ended, tail
    )
    return replacement
