"""Staff console authentication: the password check, its strength rule, and login throttling.

- `console_auth(settings) -> (PasswordCheck, generated_password | None)`: the configured
  password (refused when weak, see `password_problem`), or in local mode without one a random
  one-time password (printed on stderr by `print_password_notice`, never logged).
- `LoginThrottle`: failed logins are counted per client address AND per account name; after
  `free` failures a key is locked with exponential back-off (1 s, 2 s, 4 s … up to
  `max_lock_s`), so a stranger guessing from one address cannot lock out staff elsewhere, and
  one account cannot be guessed from many addresses quickly either. `ui.security` applies it
  to `POST /console/login` (it sees the client address; Gradio's auth callable does not).
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.errors import ConfigError

MIN_PASSWORD_CHARS = 12
MIN_GUESSES_LOG10 = 12.0  # ~10^12 guesses: out of reach of an offline attack on a fast hash for years


def password_problem(password: str) -> str | None:
    """Why `password` is too weak for the staff console (None when it is fine).

    zxcvbn (a library, not a word list of ours) estimates how many guesses an attacker needs,
    from common passwords, dictionary words, names, keyboard walks, repeats, sequences and
    dates; a long random secret or passphrase passes easily."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_CHARS:
        return f"it has {len(password)} characters; use at least {MIN_PASSWORD_CHARS}"
    estimate = zxcvbn(password[:100])
    if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
        hint = (estimate.get("feedback") or {}).get("warning") or "it is easy to guess"
        return f"{hint.rstrip('.').lower()} (about 10^{estimate['guesses_log10']:.0f} guesses; 10^12 needed)"
    return None


class PasswordCheck:
    """Gradio `auth` callable: any user name, the staff password (constant-time compare)."""

    def __init__(self, password: str):
        self._password = password.encode("utf-8")

    def __call__(self, username: str, password: str) -> bool:
        return bool((username or "").strip()) and secrets.compare_digest(
            (password or "").encode("utf-8"), self._password
        )

    def __repr__(self) -> str:  # never show the password
        return "PasswordCheck(***)"


_generated_password: str | None = None
_generated_lock = threading.Lock()


def console_auth(settings) -> tuple[PasswordCheck, str | None]:
    """The console's auth callable, and the generated one-time password if one was made.

    A configured password that is too weak -> ConfigError (with the reason); production
    without one -> ConfigError; local without one -> a random password (one per process, so
    `serve` and `console` print and accept the same one)."""
    password = settings.console_password
    if password:
        problem = password_problem(password)
        if problem:
            raise ConfigError(
                f"The staff console password is too weak: {problem}. Set PRIVACYBOT_CONSOLE_PASSWORD to a long "
                "random secret, e.g. the output of: python -c \"import secrets; print(secrets.token_urlsafe(24))\""
            )
        return PasswordCheck(password), None
    if settings.mode == "production":
        raise ConfigError(
            "The staff console needs a password in production mode. Set PRIVACYBOT_CONSOLE_PASSWORD "
            "(or console_password in the PRIVACYBOT_CONFIG file) to a long random secret."
        )
    global _generated_password
    with _generated_lock:
        if _generated_password is None:
            _generated_password = secrets.token_urlsafe(18)
        generated = _generated_password
    return PasswordCheck(generated), generated


_announced: set[str] = set()


def print_password_notice(password: str, url: str | None = None, stream=None, *, once: bool = False) -> None:
    """Print the one-time password on stderr (and nowhere else: not in a log).

    once=True: print only if this password was not printed yet by this process."""
    if once and password in _announced:
        return
    _announced.add(password)
    stream = stream or sys.stderr
    where = f" at {url}" if url else ""
    bar = "=" * 72
    stream.write(
        f"\n{bar}\n  Staff console{where}\n  user: any name (e.g. staff)   one-time password: {password}\n"
        f"  (generated because PRIVACYBOT_CONSOLE_PASSWORD is not set; valid until this process stops)\n{bar}\n\n"
    )
    stream.flush()


class LoginThrottle:
    """Failed-login back-off per key ("client:<address>", "account:<name>").

    `free` failures are allowed; each further one locks the key for base_s × 2^(n-free-1)
    seconds (capped at max_lock_s). A key's count is forgotten `forget_s` after its last
    failure, and a successful login clears it. At most `max_keys` keys are kept (LRU)."""

    def __init__(self, *, free: int = 5, base_s: float = 1.0, max_lock_s: float = 900.0,
                 forget_s: float = 3600.0, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self.free, self.base_s, self.max_lock_s, self.forget_s = free, base_s, max_lock_s, forget_s
        self._clock = clock
        self._max_keys = max_keys
        self._state: OrderedDict[str, tuple[int, float, float]] = OrderedDict()  # key -> (failures, last, until)
        self._lock = threading.Lock()

    @staticmethod
    def keys(client: str | None, account: str | None) -> list[str]:
        out = [f"client:{client or 'unknown'}"]
        name = (account or "").strip().casefold()
        if name:
            out.append(f"account:{name}")
        return out

    def _get(self, key: str, now: float) -> tuple[int, float, float]:
        failures, last, until = self._state.get(key, (0, now, 0.0))
        if now - last > self.forget_s:
            return 0, now, 0.0
        return failures, last, until

    def retry_after(self, client: str | None, account: str | None) -> float:
        """Seconds until a login attempt from this client for this account is accepted (0 = now)."""
        now = self._clock()
        with self._lock:
            return max([self._get(k, now)[2] - now for k in self.keys(client, account)] + [0.0])

    def failed(self, client: str | None, account: str | None) -> None:
        now = self._clock()
        with self._lock:
            for key in self.keys(client, account):
                failures, _, until = self._get(key, now)
                failures += 1
                if failures > self.free:
                    until = now + min(self.max_lock_s, self.base_s * 2 ** (failures - self.free - 1))
                self._state.pop(key, None)
                self._state[key] = (failures, now, until)
            while len(self._state) > self._max_keys:
                self._state.popitem(last=False)

    def succeeded(self, client: str | None, account: str | None) -> None:
        with self._lock:
            for key in self.keys(client, account):
                self._state.pop(key, None)
