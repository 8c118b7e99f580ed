"""The desk's sessions, kept server-side so that they end: at log-out, after a working day, and at
once when the account is removed from the secrets file (the role is re-read at every request).

The cookie holds a random session id signed with the desk's secret; the store holds only its SHA-256,
the user name and the expiry, in a small SQLite file beside the secrets file (mode 600), so a
restart keeps everyone logged in and nothing Datasette serves ever lists a session.

The same file keeps the log-in attempts the throttle counted (`AttemptLog`), so a restart of the desk
does not give a password guesser a fresh count.
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
ATTEMPTS_SCHEMA = "CREATE TABLE IF NOT EXISTS login_attempts (key TEXT NOT NULL, at REAL NOT NULL)"


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _connect(path: Path, schema: str) -> sqlite3.Connection:
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600))
    connection = sqlite3.connect(path, timeout=5, isolation_level=None)
    connection.execute(schema)
    return connection


class SessionStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        return _connect(self.path, SCHEMA)

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


class AttemptLog:
    """The log-in attempts counted by the throttle (`passwords.LoginThrottle`), by key (`compte:…`,
    `adresse:…`) and wall-clock time, so that they outlive the process. Rows older than the window are
    deleted as new ones come; the throttle itself caps how many keys a window can hold."""

    def __init__(self, path: Path, window_s: float) -> None:
        self.path, self.window_s = path, window_s

    def _run(self, *statements: tuple[str, tuple[object, ...]]) -> list[tuple[object, ...]]:
        """Run the statements in one transaction (all of them or none); the last one's rows."""
        connection = _connect(self.path, ATTEMPTS_SCHEMA)
        try:
            with connection:
                connection.execute("BEGIN")
                rows: list[tuple[object, ...]] = []
                for sql, values in statements:
                    rows = connection.execute(sql, values).fetchall()
                return rows
        finally:
            connection.close()

    def recent(self, now: float) -> list[tuple[str, float]]:
        """The attempts still inside the window, oldest first."""
        rows = self._run(
            ("SELECT key, at FROM login_attempts WHERE at > ? ORDER BY at, rowid", (now - self.window_s,))
        )
        return [(str(key), float(at)) for key, at in rows]  # type: ignore[arg-type]

    def add(self, keys: list[str], now: float) -> None:
        self._run(
            *(("INSERT INTO login_attempts (key, at) VALUES (?, ?)", (key, now)) for key in keys),
            ("DELETE FROM login_attempts WHERE at <= ?", (now - self.window_s,)),
        )

    def logged_in(self, account: str, address: str) -> None:
        """The right password: the account's attempts no longer count, nor the address's last one
        (`LoginThrottle.forget` and `refund`), in one transaction."""
        self._run(
            ("DELETE FROM login_attempts WHERE key = ?", (account,)),
            (
                "DELETE FROM login_attempts WHERE rowid ="
                " (SELECT max(rowid) FROM login_attempts WHERE key = ?)",
                (address,),
            ),
        )
