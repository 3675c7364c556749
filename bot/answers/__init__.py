"""The answer path: policy questions (`policy.py` with `compose.py` and `render.py`), rights
requests (`rights.py`, `rights_answer.py`) and questions about the assistant itself
(`assistant.py`). Each returns a `Reply`; the engine turns it into an `Answer`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalogue import t


@dataclass
class Reply:
    kind: str
    text: str
    citations: list = field(default_factory=list)
    quick_replies: list = field(default_factory=list)
    trace: dict = field(default_factory=dict)


def organisation(profile: dict, lang: str) -> str:
    """Who publishes the policy (profile `organisation`), or a neutral wording."""
    return str(profile.get("organisation") or t("organisation_unknown", lang))


def simple(kind: str, key: str, lang: str, *, capabilities: bool = False, values: dict | None = None,
           **trace) -> Reply:
    text = t(key, lang, **(values or {}))
    if capabilities:
        text = f"{text} {t('capabilities', lang)}"
    return Reply(kind, text, trace=dict(trace))
