"""Whose is it? A contact, a name or an identifier in a visitor's message may belong to no private person:
an organisation's switchboard, role mailbox or campus address ("is 04 78 92 15 30 still the Lyon
switchboard?", "the CNIL is at 3 place de Fontenoy, right?"); a brand, a course, a holiday or a public
figure discussed as such ("Is Qualiopi…?", "the Bernard Madoff case"); a school's SIRET, an RNCP number,
an order or meeting number. Redacting those alters a harmless question. A contact that reaches a person
("my tutor's number is …"), a classmate's name, a student number are a person's.

`Owner.release(text, findings)` asks one `Reader` per kind (contacts, names found without a cue,
identifiers found by shape or after a generic "n°"/"ref"). Each reader is a logistic regression over
the e5 embedding of the item's context (its sentence and the one before; a contact or identifier
replaced by its placeholder, since its digits say nothing of its owner; a name kept between brackets,
since whether "Madoff" is a private person depends on both), trained by
`python -m guards.training.build_owner --kind contacts|names|identifiers` on labelled EN/FR messages
written for it (`guards/training/contact_owner*.jsonl`, `name_owner.jsonl`, `id_owner.jsonl`), with a
threshold per entity set on out-of-fold predictions so that at most 0.5 % of the person-owned items
would be released.

Recall first:
- a message is released only when *every* finding in it is read, and read as no private person's: a
  message that carries anything else (a name given with a cue, a disclosure, a NIR, a secret) or one
  item of a person's keeps every redaction;
- checks that the classifiers cannot override: a phone number libphonenumber does not type as a fixed
  line or a service number is a person's, so is an e-mail whose local part holds a digit or a listed
  first name or surname ("tom.hollis", "hvarga"); a name in a sentence the self-disclosure classifier
  reads as near a disclosure ("I take PrEP") is kept."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import phonenumbers

from guards.config import PACKAGE_DIR
from guards.disclosure import DisclosureModel
from guards.errors import ModelMissingError
from guards.text import clause_bounds, fold, sentence_bounds
from guards.types import Finding

CONTACT_MODEL = PACKAGE_DIR / "models" / "contact-owner-e5.npz"
NAME_MODEL = PACKAGE_DIR / "models" / "name-owner-e5.npz"
ID_MODEL = PACKAGE_DIR / "models" / "id-owner-e5.npz"
PLACE_MODEL = PACKAGE_DIR / "models" / "place-owner-e5.npz"
DATE_MODEL = PACKAGE_DIR / "models" / "date-owner-e5.npz"
OWNED = ("PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS")
NAMED = ("PERSON",)
IDENTIFIED = ("ID_NUMBER",)
ORGANISATION = "ORGANISATION"
PUBLIC = "PUBLIC"
# the recognizers that find a name without a cue saying whose it is; a name after "my name is", "my
# son", "Mme"... (NameAfterCue, RelativeName, SelfIntro, LowercaseName) is a person's whatever the context
UNCUED_NAMES = ("SpacyRecognizer", "NerNameRecognizer", "FirstNameRecognizer", "NameListExpansion")
# the recognizers that find an identifier by its shape or after a generic reference word; one stated as a
# person's (StatedIdRecognizer: "my student number"), a login or handle, or a checksum scheme is not read
UNCUED_IDS = ("DigitRunRecognizer", "MixedTokenRecognizer", "StatedReferenceRecognizer")
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


class Reader:
    """One "whose is it?" classifier: `releasable(f)` says which findings it reads, `unowned(text, f)`
    whether one belongs to no private person. `model`: a stand-in classifier (tests); the packaged
    file otherwise, with its per-entity thresholds."""

    MODEL: Path
    KIND = ""                         # the build's --kind
    CLASS = ORGANISATION              # the class of an item that belongs to no private person
    ENTITIES: tuple[str, ...] = ()
    RECOGNIZERS: tuple[str, ...] = ()  # only findings of these recognizers (empty: any)
    KEEP_ITEM = False                 # the item stays in its context (between brackets) or is masked

    def __init__(self, model: DisclosureModel | None = None):
        rebuild = f"python -m guards.training.build_owner --kind {self.KIND}"
        self.model = model or DisclosureModel(self.MODEL, rebuild=rebuild)
        if self.CLASS not in self.model.classes:
            raise ValueError(f"{self.MODEL.name} has no {self.CLASS} class")
        self.thresholds = _entity_thresholds(self.MODEL, self.ENTITIES, rebuild) if model is None else dict.fromkeys(
            self.ENTITIES, self.model.thresholds[self.CLASS])

    def releasable(self, f: Finding) -> bool:
        return f.entity in self.ENTITIES and (not self.RECOGNIZERS or f.recognizer.startswith(self.RECOGNIZERS))

    @classmethod
    def context(cls, text: str, start: int, end: int, entity: str) -> str:
        """What the classifier reads of an item (the build reads the same)."""
        return context(text, start, end, entity, keep=cls.KEEP_ITEM)

    def unowned(self, text: str, f: Finding) -> bool:
        return self.model.scores(self.context(text, f.start, f.end, f.entity))[self.CLASS] >= self.thresholds[f.entity]


class ContactReader(Reader):
    """An organisation's phone number, e-mail or postal address, or a person's? Checks by shape first."""

    MODEL, KIND, ENTITIES = CONTACT_MODEL, "contacts", OWNED

    def __init__(self, model: DisclosureModel | None = None, is_name=None):
        super().__init__(model)
        self.is_name = is_name

    def unowned(self, text: str, f: Finding) -> bool:
        return not personal_by_shape(f.entity, text[f.start:f.end], self.is_name) and super().unowned(text, f)


class NameReader(Reader):
    """Public figure or thing, or private person? For names found without a cue only. `disclosure`: the
    self-disclosure classifier (None: no check); `is_name`: a word that makes a name a person's whatever the
    context says (None: no such word).

    Until round 20 that was any listed first name or surname (`guards.persons.listed_name`), which kept "the
    Grand Oral", "Black Friday" and "Pavillon Rose" redacted. Since round 20 it is a listed name that is not
    also an ordinary word (`guards.persons.known_name`: "Kevin", "Becker"; not "Grand", "Rose"), and the
    classifier, trained on a second labelling of such names (`name_owner_b.jsonl`), decides the rest."""

    MODEL, KIND, CLASS, ENTITIES, RECOGNIZERS, KEEP_ITEM = NAME_MODEL, "names", PUBLIC, NAMED, UNCUED_NAMES, True
    NEAR_DISCLOSURE = 0.2  # below the disclosure recognizer's sentence gate (0.3): recall first

    def __init__(self, model: DisclosureModel | None = None, disclosure: DisclosureModel | None = None, is_name=None):
        super().__init__(model)
        self.disclosure = disclosure
        self.is_name = is_name

    def unowned(self, text: str, f: Finding) -> bool:
        if self.is_name is not None and any(self.is_name(w) for w in _WORD.findall(text[f.start:f.end])):
            return False  # a listed name that is no ordinary word: a person's, whatever the context says
        if not super().unowned(text, f):
            return False
        start, end = next(((a, b) for a, b in sentence_bounds(text) if a <= f.start < b), (0, len(text)))
        return self.disclosure is None or not self.disclosure.near(text[start:end], self.NEAR_DISCLOSURE)


class IdentifierReader(Reader):
    """An organisation's or public reference (an RNCP number, a course or software code, a short order
    number, a time read as a code), or a person's identifier? Only for codes of at most MAX_DIGITS digits
    found by their shape or after a generic reference word ("n°", "ref"): one stated as a person's ("my
    student number", a login), one with a checksum scheme (NIR, INE, IBAN, card) and any longer number
    (a SIRET, a meeting ID) never goes here."""

    MODEL, KIND, ENTITIES, RECOGNIZERS = ID_MODEL, "identifiers", IDENTIFIED, UNCUED_IDS
    MAX_DIGITS = 7  # issue 13: any run of 8 or more digits is redacted, whoever it seems to belong to

    def unowned(self, text: str, f: Finding) -> bool:
        return sum(c.isdigit() for c in text[f.start:f.end]) <= self.MAX_DIGITS and super().unowned(text, f)


class ClauseReader(Reader):
    """A reader of an item found without a cue, in its clause, the item kept between brackets."""

    CLASS, KEEP_ITEM = PUBLIC, True
    MIN_WORDS = 3  # a clause with fewer other words than this is read with its whole sentence

    @classmethod
    def context(cls, text: str, start: int, end: int, entity: str) -> str:
        """The item's clause (cut at commas, semicolons, brackets and dashes), not its whole sentence: what the
        rest of a message asks dilutes what the clause says ("originaire de [Quimper], je voudrais savoir si
        les cours sont en anglais"); a clause of a word or two is read with its sentence."""
        a, b = clause_bounds(text, start, end, ",;(—–", ",;)—–")
        if len(_WORD.findall(text[a:start] + " " + text[end:b])) < cls.MIN_WORDS:
            a, b = clause_bounds(text, start, end, "", "")  # the sentence
        return " ".join(f"{text[a:start]}[{text[start:end]}]{text[end:max(b, end)]}".split())

    def personal(self, text: str, start: int, end: int) -> bool:
        return not self.unowned(text, Finding(self.ENTITIES[0], start, end, 1.0))


class PlaceReader(ClauseReader):
    """A place that locates a person (where they live, come from, were born), or a campus, a destination, a
    topic? Read for the gazetteer's candidates (`guards/places.py`): "from: [Galway]", "is the [Lille] campus
    open?"."""

    MODEL, KIND, ENTITIES = PLACE_MODEL, "places", ("LOCATION",)


class DateReader(ClauseReader):
    """A person's date (of birth, the day a relative died) or one that says nothing about anyone (an exam,
    a deadline, "promo 2012")? Read for the date candidates (`guards/dates.py`): "ddn [07/08/05]", "the exam
    is on [07/08]". In its clause, as a place: the date's sentence and the one before (`context`) were measured
    on the guard sets (dev, C-V): benign dates left in clear 98.8 % vs 91.3 %, but personal dates released 16 %
    vs 6.5 % (recall first)."""

    MODEL, KIND, ENTITIES = DATE_MODEL, "dates", ("DATE_TIME",)


class Owner:
    """The readers, and the release rule (see `release`)."""

    def __init__(self, readers: tuple[Reader, ...]):
        self.readers = tuple(readers)

    def release(self, text: str, findings: list[Finding]) -> list[Finding]:
        """`findings`, or none when every one of them is read as belonging to no private person: a
        message that carries data no reader reads (a name given with a cue, a disclosure, a NIR) or one
        item of a person's is about a person, and keeps every redaction ("Our founders: Kónya, Becker and
        Vasquez": Becker is a listed surname, so Kónya stays redacted too)."""
        if not findings:
            return findings
        pairs = [(next((r for r in self.readers if r.releasable(f)), None), f) for f in findings]
        if any(r is None for r, _ in pairs):
            return findings
        return [] if all(r.unowned(text, f) for r, f in pairs) else findings


def _entity_thresholds(path, entities: tuple[str, ...], rebuild: str) -> dict[str, float]:
    """One threshold per entity (the build calibrates each on its own person-owned examples)."""
    with np.load(path, allow_pickle=False) as data:
        found = dict(zip((str(e) for e in data["entities"]), (float(t) for t in data["entity_thresholds"]), strict=True))
    missing = set(entities) - set(found)
    if missing:
        raise ModelMissingError(f"{path} has no threshold for {sorted(missing)}; rebuild it with {rebuild}.")
    return found


@cache
def load_owner() -> Owner:
    from guards.disclosure import load_model
    from guards.persons import known_name, listed_name

    return Owner((ContactReader(is_name=listed_name), NameReader(disclosure=load_model(), is_name=known_name),
                  IdentifierReader()))
