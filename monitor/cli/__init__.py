"""The `veille` command: a thin click wrapper over the library, one function per subcommand, one
module per feature (`links`, `news`, `desk`, `night`, `site`, `setup`, `relevance`; shared options and
errors in `base`).

Every command takes `--config DIR` (default `data/`) and `--db PATH` (default `data/veille.db`).
Errors are printed as one clear line, never a traceback.

A command's module is imported when the command is run or listed (`LazyGroup`): a night's start-up
does not pay for the other commands' imports. A new command is added to `COMMANDS` below.
"""

from monitor.cli.base import main

# Each top-level command and the module that defines it.
COMMANDS = {
    "backup": "monitor.cli.night",
    "classify": "monitor.cli.news",
    "config": "monitor.cli.setup",
    "demo": "monitor.cli.setup",
    "doctor": "monitor.cli.night",
    "export": "monitor.cli.desk",
    "links": "monitor.cli.links",
    "news": "monitor.cli.news",
    "notify": "monitor.cli.night",
    "relevance": "monitor.cli.relevance",
    "rota": "monitor.cli.desk",
    "run": "monitor.cli.night",
    "schedule": "monitor.cli.night",
    "serve": "monitor.cli.desk",
    "site": "monitor.cli.site",
    "users": "monitor.cli.desk",
}
main.lazy.update(COMMANDS)

__all__ = ["COMMANDS", "main"]
