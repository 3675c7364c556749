"""The short notice shown to a visitor whose message was redacted, in their language.

The guard reports *what* it found (entities, `failed`); saying so to a visitor is presentation and
lives here, with the string catalogue (`bot/catalogue/guard.yaml`)."""

from __future__ import annotations

from bot.catalogue import t
from guards.types import SPECIAL_CATEGORIES

# order in which kinds are named: special categories first, then identifiers
KIND_ORDER = SPECIAL_CATEGORIES + (
    "FR_NIR", "IBAN_CODE", "CREDIT_CARD", "FR_INE", "PASSPORT", "ID_NUMBER", "SECRET", "EMAIL_ADDRESS",
    "PHONE_NUMBER", "STREET_ADDRESS", "IP_ADDRESS", "DATE_TIME", "PERSON", "LOCATION",
)


def _join(kinds: list[str], lang: str) -> str:
    if len(kinds) <= 1:
        return "".join(kinds)
    return ", ".join(kinds[:-1]) + f" {t('guard_and', lang)} " + kinds[-1]


def kind_label(entity: str, lang: str) -> str:
    try:
        return t(f"guard_kind_{entity.lower()}", lang)
    except KeyError:  # an entity a new recognizer adds before the catalogue names it
        return t("guard_kind_other", lang)


def build_notice(entities, lang: str) -> str | None:
    """None when nothing was removed; otherwise one sentence naming what was removed."""
    if not entities:
        return None
    ordered = [e for e in KIND_ORDER if e in entities] + sorted(set(entities) - set(KIND_ORDER))
    labels = list(dict.fromkeys(kind_label(e, lang) for e in ordered))
    key = "guard_notice_special" if any(e in SPECIAL_CATEGORIES for e in entities) else "guard_notice_personal"
    return t(key, lang, kinds=_join(labels, lang))


def notice_for(inspection, lang: str) -> str | None:
    """The visitor-facing notice for a guard result (None: nothing removed)."""
    if inspection is None or getattr(inspection, "failed", False):
        return t("guard_notice_failed", lang)
    return build_notice({f.entity for f in inspection.findings}, lang)
