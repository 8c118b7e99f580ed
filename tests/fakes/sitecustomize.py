"""Loaded by the children of the daemon test only (PYTHONPATH): the nights named in
$VEILLE_TEST_NIGHTS (« hang,crash ») misbehave in that order, one per `veille run`, counted in
$VEILLE_TEST_COUNTER; later nights run normally."""

import os
import sys
import time

if "run" in sys.argv and os.environ.get("VEILLE_TEST_NIGHTS"):
    import monitor.night.job as job

    real = job.run_night

    def misbehaving(*args, **kwargs):  # type: ignore[no-untyped-def]
        counter = os.environ["VEILLE_TEST_COUNTER"]
        with open(counter, "a") as starts:
            starts.write("x")
        with open(counter) as starts:
            number = len(starts.read())
        plan = os.environ["VEILLE_TEST_NIGHTS"].split(",")
        if number <= len(plan):
            store = args[0]
            with store.exclusive_run("veille run (test)"):
                store.start_night(time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()))
                if plan[number - 1] == "hang":
                    time.sleep(3600)
                os._exit(3)  # a crash: no clean-up at all
        return real(*args, **kwargs)

    job.run_night = misbehaving
