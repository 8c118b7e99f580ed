"""`veille schedule`: the long-running daemon that starts `veille run` every night.

APScheduler 3 (a cron trigger in Paris time, one job, `max_instances=1`, `coalesce`), never Scrapy:
each night is a child process (`python -m monitor run`) with a hard timeout, so a crash, a hang or a
memory blow-up ends that night only. A night missed while the machine was off is run at start when
it was due within `catch_up_h` hours and the database has no good night since. SIGTERM stops the
daemon: the running night gets SIGTERM, then SIGKILL after a grace period, and is marked
interrupted.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from monitor.crawl_child import die_with_parent
from monitor.labels import PARIS
from monitor.night.clock import cron_trigger, missed_night, paris_now

log = logging.getLogger("veille.schedule")
STOP_GRACE_S = 30


class NightChild:
    """Starts one night at a time as a child process and watches it."""

    def __init__(self, command: list[str], timeout_s: float, db_path: Path) -> None:
        self.command, self.timeout_s, self.db_path = command, timeout_s, db_path
        self.process: subprocess.Popen[bytes] | None = None
        self.busy = threading.Lock()
        self.stopping = False

    def run(self) -> None:
        if self.stopping or not self.busy.acquire(blocking=False):
            log.warning("une nuit est déjà en cours : celle-ci est sautée")
            return
        try:
            log.info("nuit : début")
            self.process = subprocess.Popen(self.command, preexec_fn=die_with_parent)
            try:
                code = self.process.wait(timeout=self.timeout_s)
                log.info("nuit : fin (code %s)", code)
            except subprocess.TimeoutExpired:
                log.error("nuit : arrêtée après %.0f s (durée maximale)", self.timeout_s)
                self.end_child()
            if self.process.returncode not in (0, 1):  # killed or crashed: say so in the database
                self.mark_interrupted()
        finally:
            self.process = None
            self.busy.release()

    def end_child(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def mark_interrupted(self) -> None:
        from monitor.locks import RunInProgress
        from monitor.store import Store

        try:
            with Store.open(self.db_path) as store, store.exclusive_run("veille schedule"):
                pass  # taking the lock marks the dead night « interrupted »
        except RunInProgress:
            log.warning("la base est occupée : la nuit interrompue sera marquée par la suivante")


def night_command(config_dir: Path, db_path: Path) -> list[str]:
    return [sys.executable, "-m", "monitor", "run", "-q", "--config", str(config_dir), "--db", str(db_path)]


def run_schedule(
    config_dir: Path, db_path: Path, night: dict[str, Any], command: list[str] | None = None
) -> None:
    """Run the schedule until SIGTERM or SIGINT."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from monitor.store import Store

    trigger = cron_trigger(night["schedule"])
    catch_up = timedelta(hours=night["catch_up_h"])
    child = NightChild(command or night_command(config_dir, db_path), night["timeout_min"] * 60, db_path)
    scheduler = BlockingScheduler(
        timezone=PARIS,
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": max(1, int(catch_up.total_seconds()))},
    )  # fmt: skip
    scheduler.add_job(child.run, trigger, id="nuit", name="nuit")
    now = paris_now()
    with Store.open(db_path) as store:
        missed = missed_night(trigger, now, store.last_good_night(), catch_up)
    if missed:
        log.warning("la nuit prévue le %s n'a pas eu lieu : elle est lancée maintenant", missed.isoformat())
        scheduler.add_job(child.run, "date", run_date=now, id="rattrapage", name="rattrapage")

    def stop(signum: int, frame: Any) -> None:
        log.info("arrêt demandé (signal %s)", signum)
        child.stopping = True
        threading.Thread(target=child.end_child, daemon=True).start()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("prochaine nuit : %s", trigger.get_next_fire_time(None, now))
    scheduler.start()
    if child.process is not None:
        child.end_child()
        child.mark_interrupted()
    log.info("arrêté")
