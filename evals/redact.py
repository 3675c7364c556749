"""A report is a write path: every text that goes into one passes through the guard first.

`ReportRedactor` wraps `guards.guard.get_guard()` (or any object with `inspect(text, lang=None)`)
and redacts strings inside nested lists/dicts. If the guard cannot analyse a text, the text is
replaced by a placeholder (fail closed): a report never shows what the guard did not see."""

from __future__ import annotations

from collections.abc import Callable

PLACEHOLDER = "[REDACTED: guard unavailable]"


class ReportRedactor:
    def __init__(self, guard_factory: Callable[[], object] | None = None, guard: object | None = None):
        self._factory = guard_factory
        self._guard = guard
        self._cache: dict[tuple[str, str | None], str] = {}
        self.failures = 0

    def _get_guard(self):
        if self._guard is None and self._factory is not None:
            try:
                self._guard = self._factory()
            except Exception:  # noqa: BLE001 - no guard means placeholders, never raw text
                self._factory = None
        return self._guard

    def text(self, value: str, lang: str | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            return value
        key = (value, lang)
        if key in self._cache:
            return self._cache[key]
        guard = self._get_guard()
        try:
            if guard is None:
                raise RuntimeError("no guard")
            out = guard.inspect(value, lang=lang)
            if getattr(out, "failed", False):
                raise RuntimeError("guard failed")
            redacted = out.text
        except Exception:  # noqa: BLE001
            self.failures += 1
            redacted = PLACEHOLDER
        self._cache[key] = redacted
        return redacted

    def deep(self, value: object, lang: str | None = None) -> object:
        """Redact every string inside `value` (dict keys are ids/labels and are kept)."""
        if isinstance(value, str):
            return self.text(value, lang)
        if isinstance(value, list | tuple):
            return [self.deep(v, lang) for v in value]
        if isinstance(value, dict):
            item_lang = value.get("lang") if value.get("lang") in ("en", "fr") else lang
            return {k: (v if k in _KEEP else self.deep(v, item_lang)) for k, v in value.items()}
        return value


# Fields that are ids, labels or codes chosen by us, never free text from a person.
_KEEP = frozenset({"id", "lang", "kind", "expected_kind", "section_id", "entity", "status", "metric"})


def default_redactor() -> ReportRedactor:
    def factory():
        from guards.guard import get_guard

        return get_guard()

    return ReportRedactor(factory)
