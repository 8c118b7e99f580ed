"""The `veille` command: a thin click wrapper over the library, one function per subcommand, one
module per feature (`links`, `news`, `desk`, `night`, `site`, `setup`; shared options and errors in `base`).

Every command takes `--config DIR` (default `data/`) and `--db PATH` (default `data/veille.db`).
Errors are printed as one clear line, never a traceback.
"""

from monitor.cli import desk, links, news, night, relevance, setup, site
from monitor.cli.base import main

__all__ = ["desk", "links", "main", "news", "night", "relevance", "setup", "site"]
