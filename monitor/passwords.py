"""Password hashes for the desk's accounts, and how failed log-ins are slowed down.

Hashes are PBKDF2-SHA256 in the `pbkdf2_sha256$iterations$salt$base64` form that
datasette-auth-passwords wrote, so secrets files made by earlier versions keep working. They live in
the secrets file only; nothing Datasette serves ever holds one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import deque
from dataclasses import dataclass, field

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 480_000


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("utf-8"), iterations)
    return f"{ALGORITHM}${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches; False for a wrong password or a malformed hash."""
    parts = (password_hash or "").strip().split("$")
    if len(parts) != 4 or parts[0] != ALGORITHM or not parts[1].isdigit():
        return False
    expected = hash_password(password, parts[2], int(parts[1]))
    return hmac.compare_digest(expected, "$".join(parts))


@dataclass
class LoginThrottle:
    """At most `attempts` log-in checks per key (an account, an address) within `window_s`; past
    that, the key waits until the oldest attempt leaves the window. An attempt is counted before its
    password is checked (`attempt` decides and records in one step, with no await in between), so
    parallel requests cannot slip in more checks than allowed. At most `max_keys` keys are kept: past
    that, the least recently tried ones are forgotten, so anonymous names cannot grow memory without
    bound. Pure: the caller gives the time."""

    attempts: int = 5
    window_s: float = 15 * 60
    max_keys: int = 10_000
    tries: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self.tries.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def wait_s(self, keys: list[str], now: float) -> float:
        """Seconds before any of these keys may try again (0: now)."""
        waits = [
            times[0] + self.window_s - now
            for times in (self._recent(key, now) for key in keys)
            if len(times) >= self.attempts
        ]
        return max(waits, default=0.0)

    def attempt(self, keys: list[str], now: float) -> float:
        """Count one attempt for every key and return 0, or return the wait when one is refused
        (nothing counted then)."""
        wait = self.wait_s(keys, now)
        if wait:
            return wait
        for key in keys:
            times = self.tries.pop(key, None) or deque()  # re-inserted last: most recently tried
            times.append(now)
            self.tries[key] = times
        while len(self.tries) > self.max_keys:
            del self.tries[next(iter(self.tries))]
        return 0.0

    def forget(self, key: str) -> None:
        """The account's right password: it starts afresh."""
        self.tries.pop(key, None)

    def refund(self, key: str) -> None:
        """The last attempt counted for `key` succeeded: it no longer counts (an office's address)."""
        if self.tries.get(key):
            self.tries[key].pop()
