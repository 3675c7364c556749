"""A report is a write path: every text that goes into one passes through the guard first.

`ReportRedactor` wraps `guards.guard.get_guard()` (or any object with `inspect(text, lang=None)`)
and redacts strings inside nested lists/dicts. If the guard cannot analyse a text, the text is
replaced by a placeholder (fail closed): a report never shows what the guard did not see."""

from __future__ import annotations

from collections.abc import Callable

PLACEHOLDER = "[REDACTED: guard unavailable]"


class ReportRedactor:
    def __init__(self, guard_factory: Callable[[], object] | None = None, guard: object | None = None):
        self._factory, self._guard, self.failures = guard_factory, guard, 0
        self._cache: dict[tuple[str, str | None], str] = {}

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
        if (value, lang) not in self._cache:
            try:
                out = self._get_guard().inspect(value, lang=lang)  # no guard: AttributeError on None
                if getattr(out, "failed", False):
                    raise RuntimeError("guard failed")
                self._cache[value, lang] = out.text
            except Exception:  # noqa: BLE001 - fail closed
                self.failures += 1
                self._cache[value, lang] = PLACEHOLDER
        return self._cache[value, lang]

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


# Fields that are ids, labels or codes chosen by us, never free text from a person. `why` is a failure class the
# suites compose from kinds, section ids and entity types only ("kind answer instead of rights_request"): the
# guard read "rights_request" as a user handle and reports said "kind answer instead of [ID_NUMBER]".
_KEEP = frozenset({"id", "lang", "kind", "expected_kind", "section_id", "entity", "status", "metric", "why"})

