"""sqlite-utils imported without numpy. sqlite-utils imports numpy when it is installed (a tenth of a
second of CPU at every start), only to map numpy's number types to column types when it creates a
table from rows; Veille's tables come from its migrations and it hands sqlite-utils Python values.
numpy is blocked for that one import, when nothing imported numpy or sqlite-utils before: the learnt
model and story grouping import numpy on the nights that need them. Imported first by the store."""

from __future__ import annotations

import sys

if "sqlite_utils" not in sys.modules and "numpy" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` then raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]
