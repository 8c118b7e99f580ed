"""The desk's sessions, kept server-side so that they end: at log-out, after a working day, and at
once when the account is removed from the secrets file (the role is re-read at every request).

The cookie holds a random session id signed with the desk's secret; the store holds only its SHA-256,
the user name and the expiry, in a small SQLite file beside the secrets file (mode 600), so a
restart keeps everyone logged in and nothing Datasette serves ever lists a session.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from pathlib import Path

SESSION_S = 10 * 3600  # a working day
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sessions"
    " (id_hash TEXT PRIMARY KEY, user TEXT NOT NULL, expires REAL NOT NULL)"
)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SessionStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600))
        connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        connection.execute(SCHEMA)
        return connection

    def start(self, user: str, now: float) -> str:
        """A new session for `user`; returns its id (for the cookie). Expired sessions are purged."""
        session_id = secrets.token_urlsafe(32)
        connection = self._connect()
        try:
            connection.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
            connection.execute(
                "INSERT INTO sessions VALUES (?, ?, ?)", (_hash(session_id), user, now + SESSION_S)
            )
        finally:
            connection.close()
        return session_id

    def user(self, session_id: str, now: float) -> str | None:
        """Whose session this is, or None when it ended or expired."""
        connection = self._connect()
        try:
            row = connection.execute(
                "SELECT user FROM sessions WHERE id_hash = ? AND expires > ?", (_hash(session_id), now)
            ).fetchone()
        finally:
            connection.close()
        return row[0] if row else None

    def end(self, session_id: str) -> None:
        connection = self._connect()
        try:
            connection.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))
        finally:
            connection.close()
