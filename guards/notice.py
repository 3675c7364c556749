"""The short notice shown to a visitor whose message was redacted (strings in bot/catalogue/guard.yaml)."""

from __future__ import annotations

from bot.catalogue import t
from guards.types import SPECIAL_CATEGORIES

# order in which kinds are named: special categories first, then identifiers
KIND_ORDER = SPECIAL_CATEGORIES + (
    "FR_NIR", "IBAN_CODE", "CREDIT_CARD", "FR_INE", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS",
    "IP_ADDRESS", "DATE_TIME", "PERSON", "LOCATION",
)


def join_kinds(kinds: list[str], lang: str) -> str:
    if len(kinds) <= 1:
        return "".join(kinds)
    last = t("guard_and", lang)
    return ", ".join(kinds[:-1]) + f" {last} " + kinds[-1]


def kind_label(entity: str, lang: str) -> str:
    return t(f"guard_kind_{entity.lower()}", lang)


def build_notice(entities: set[str] | frozenset[str], lang: str) -> str | None:
    """None when nothing was removed; otherwise one sentence naming what was removed."""
    if not entities:
        return None
    ordered = [e for e in KIND_ORDER if e in entities] + sorted(set(entities) - set(KIND_ORDER))
    kinds = join_kinds([kind_label(e, lang) for e in ordered], lang)
    key = "guard_notice_special" if any(e in SPECIAL_CATEGORIES for e in entities) else "guard_notice_personal"
    return t(key, lang, kinds=kinds)


def failed_notice(lang: str) -> str:
    return t("guard_notice_failed", lang)
