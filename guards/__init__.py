"""Presidio-based guard: detect and redact personal data and GDPR Art. 9 special categories."""

from bot import offline  # noqa: F401  (sets offline switches before Presidio/spaCy load)
