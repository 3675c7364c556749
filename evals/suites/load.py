"""Load suite (only when asked: `privacybot eval --suite load`) through the server engineer's
module (evals/suite_load.py, owned by helper R): this adapter maps the registry entry to it."""

from __future__ import annotations

from evals import suite_load

METRICS = [r"throughput_rps", r"p(50|95|99)_ms", r"error_rate", r"errors", r"rss_mb", r"requests", r"lost"]


def validate(ctx, suite) -> None:
    suite_load.validate(ctx)


def run(ctx, suite):
    return suite_load.run(ctx)
