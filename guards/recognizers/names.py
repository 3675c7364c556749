"""Person names without NER: known first names (data file `guards/lexicons/names.yaml`),
self-introductions ("jessica moore here", "this is Tom", "c'est Karim ici"), sign-offs at the end of a
message ("Cheers, tom", "— Marie", "Cordialement,\\nJean-Pierre Dupont") and titles ("Mme Martin")."""

from __future__ import annotations

import re
from functools import cache

from guards.config import LEXICON_DIR, guard_config, load_mapping
from guards.errors import ConfigError
from guards.recognizers.base import GuardRecognizer
from guards.text import fold
from guards.words import facilities, is_common_word, never_names

NAMES_FILE = LEXICON_DIR / "names.yaml"

_L = "A-Za-zÀ-ÖØ-öø-ÿĀ-ſ"
WORD = re.compile(rf"[{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)*")
PARTICLES = frozenset(["de", "du", "des", "van", "von", "der", "den", "le", "la", "di", "da", "del", "della", "dos", "ben", "bin", "el", "al", "d'", "d’", "mc", "o'"])
CONNECTORS = frozenset(["et", "and", "de", "du", "des", "la", "le", "les", "d'", "-"])
# words that are never a name in a self-introduction ("new student here", "c'est moi")
NOT_INTRO = frozenset(
    ["i", "im", "me", "my", "we", "us", "you", "it", "its", "this", "that", "the", "a", "an", "new", "student", "students",
     "someone", "anyone", "nobody", "everyone", "just", "still", "also", "here", "ici", "parent", "mum", "mom", "dad",
     "question", "quick", "again", "moi", "toi", "nous", "vous", "lui", "elle", "il", "on", "ca", "cela", "le", "la",
     "les", "un", "une", "mon", "ma", "mes", "pas", "bien", "vrai", "ok", "possible", "normal", "urgent", "important",
     "clair", "claire", "simple", "not", "so", "very", "what", "why", "how", "where", "who", "which", "from", "de",
     "about", "for", "pour", "and", "et", "is", "est", "what's", "there", "nothing", "all", "tout", "rien"]
)


def _lines(name: str) -> frozenset[str]:
    path = LEXICON_DIR / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ConfigError(f"The name list guards/lexicons/{name} is missing; run python -m guards.training.build_names.") from None
    return frozenset(fold(line.strip()) for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def load_names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, names that also are common words/places and need a surname or a cue).
    Curated `names.yaml` plus the large lists built from Faker (`first_names.txt`, `common_words.txt`)."""
    data = load_mapping(NAMES_FILE, "first-name list", required=("first_names",))
    if not isinstance(data.get("first_names"), list):
        raise ConfigError(f"{NAMES_FILE.name} needs a 'first_names' list.")
    needs = frozenset(fold(str(n)) for n in data.get("needs_surname") or []) | _lines("common_words.txt")
    first = frozenset(fold(str(n)) for n in data["first_names"]) | _lines("first_names.txt")
    return first | needs, needs


@cache
def curated_names() -> frozenset[str]:
    """The hand-checked common first names of names.yaml: the only ones taken alone (no surname)."""
    data = load_mapping(NAMES_FILE, "first-name list", required=("first_names",))
    return frozenset(fold(str(n)) for n in data["first_names"])


@cache
def load_surnames() -> frozenset[str]:
    return _lines("surnames.txt")


@cache
def not_names() -> frozenset[str]:
    """guard.yaml's not_names and the public words (events, laws, months, places)."""
    return frozenset(fold(str(w)) for w in guard_config()["person"].get("not_names", [])) | never_names()


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper() and "-" not in word)


def _parts(word: str) -> list[str]:
    return [p for p in re.split(r"[-'’]", fold(word)) if p]


def is_first_name(word: str, names: frozenset[str]) -> bool:
    parts = _parts(word)
    if not parts or parts[0] in ("saint", "sainte", "st", "ste"):
        return False
    return fold(word) in names or (len(parts) > 1 and any(p in names for p in parts if len(p) > 2))


_SURNAME = re.compile(
    rf"[ \u00a0]((?:(?:{'|'.join(re.escape(p) for p in sorted(PARTICLES, key=len, reverse=True))})[ ]?)?)([{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)*)"
)


class _NameBase(GuardRecognizer):
    ENTITY = "PERSON"
    ENTITIES = ("PERSON",)
    SCORE = 0.8

    def __init__(self, supported_language: str = "en", context: list[str] | None = None,
                 supported_entities: list[str] | None = None, name: str | None = None):
        self.first_names, self.needs_surname = load_names()
        self.stop = not_names()
        super().__init__(supported_language, context, supported_entities, name)

    def surname_end(self, text: str, end: int, allow_lower: bool = False, max_words: int = 2) -> int:
        """Extend a name over following surname words (capitalised, ALL CAPS, or after particles)."""
        taken = 0
        pos = end
        while taken < max_words:
            m = _SURNAME.match(text, pos)
            if not m:
                break
            word = m.group(2)
            f = fold(word)
            if f in self.stop or f in NOT_INTRO or f in PARTICLES:
                break
            if not (word[:1].isupper() or (allow_lower and word.islower() and len(word) > 1)):
                break
            pos = m.end()
            taken += 1
        return pos


class FirstNameRecognizer(_NameBase):
    """A capitalised known first name ("Can Jean-Pierre from admissions…", "I told Sarah"), with the
    surname after it ("Marie-Claire de Villiers"). Not inside an institution or place name."""

    SCORE = 0.75

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if entities and self.ENTITY not in entities:
            return []
        words = list(WORD.finditer(text))
        results, skip_to = [], -1
        for i, m in enumerate(words):
            word = m.group()
            if m.start() < skip_to or not _is_cap(word) or fold(word) in self.stop:
                continue
            if not is_first_name(word, self.first_names):
                continue
            if self._in_institution(text, words, i):
                continue
            end = self.surname_end(text, m.end())
            if end == m.end() and (fold(word) in self.needs_surname or not self._lone_ok(text, m.start(), word)):
                continue
            if end == m.end() and "-" not in word and word.isupper():
                continue
            results.append(self.result(m.start(), end, self.SCORE))
            skip_to = end
        return results

    def _lone_ok(self, text: str, start: int, word: str) -> bool:
        """A first name without a surname: never at a sentence start ("Claire et précise, …"); a
        curated common name, or a listed one that is no ordinary word ("told Todd", not "Will");
        every part of a compound known ("Royaume-Uni" is no name)."""
        before = text[:start].rstrip()
        if not before or before[-1] in ".!?\n:":
            return False
        if all(p in curated_names() for p in _parts(word)):
            return True
        return not is_common_word(word) and all(p in self.first_names and p not in self.needs_surname for p in _parts(word))

    @staticmethod
    def _in_institution(text: str, words: list, i: int) -> bool:
        k = i - 1
        steps = 0
        while k >= 0 and steps < 5:
            w = words[k].group()
            gap = text[words[k].end() : words[k + 1].start()]
            if gap.strip(" '’-"):
                return False  # punctuation breaks the run
            f = fold(w)
            if f in facilities():
                return True
            if not (_is_cap(w) or f in CONNECTORS):
                return False
            k -= 1
            steps += 1
        return False


_GREET = r"(?:(?:hi|hello|hey|hiya|yo|dear all|bonjour|bonsoir|salut|coucou|allo|allô|ok)\b[\s,!.]*)?"
_NAMEWORDS = rf"([{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)*(?:[ ][{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)*){{0,2}})"
_SIGNOFF = (
    r"(?:regards|kind regards|best regards|warm regards|many thanks|thanks(?: a lot| again)?|thank you|cheers|sincerely|"
    r"best wishes|best|all the best|take care|love|yours|cordialement|bien cordialement|bien [àa] vous|merci(?: d'avance| beaucoup)?|"
    r"bonne journ[ée]e|bonne soir[ée]e|salutations|sinc[èe]res salutations|amicalement|bises|[àa] bient[ôo]t)"
)
INTRO_PATTERNS = (
    # "jessica moore here", "Hi, Tom here", "Karim ici"
    re.compile(rf"(?:^|(?<=[.!?\n,;:]))\s*{_GREET}(?:it'?s\s+|c'est\s+)?{_NAMEWORDS}\s+(?:here|ici)\b", re.IGNORECASE),
    # "this is tom wilson", "c'est marie", "ici Karim"
    re.compile(rf"\b(?:this is|it's|it is|c'est|ici)\s+{_NAMEWORDS}(?=\s*(?:$|[,.!?\n]|\s(?:from|de|du|here|ici|speaking|again|writing|[àa] l'appareil|and|et)\b))", re.IGNORECASE),
    # sign-off at the end: "Cheers, tom", "Cordialement,\nJean-Pierre Dupont", "— Marie"
    re.compile(rf"\b{_SIGNOFF}\s*[,!.\-—–]*\s*\n?\s*[-—–]*\s*{_NAMEWORDS}\s*[.!]?\s*$", re.IGNORECASE),
    re.compile(rf"(?:^|\s)(?:[—–]|--|-)\s*{_NAMEWORDS}\s*$"),
)
TITLE = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Mme|Mlle|Madame|Monsieur|Mademoiselle|Docteur|Professeur|Ma[îi]tre|M)\.?[ \u00a0]+"
    rf"((?:(?:de|du|van|von|le|la|di|da|d'|d’)[ ]?)?[{_L}][{_L}'’]*(?:-[{_L}][{_L}'’]*)*)"
)  # a lower-case word after a title is a name only when it is a listed surname ("Mr garnier", not "M. le directeur")


class SelfIntroRecognizer(_NameBase):
    """Names the writer gives for themselves, case-insensitive: 1–3 words; a lower-case first word must
    be a known first name, a capitalised one must not be a stop word or an institution."""

    SCORE = 0.85

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if entities and self.ENTITY not in entities:
            return []
        results = []
        for pattern in INTRO_PATTERNS:
            for m in pattern.finditer(text):
                span = self._validate(text, m.start(1), m.group(1))
                if span:
                    results.append(self.result(span[0], span[1], self.SCORE))
        for m in TITLE.finditer(text):
            word = m.group(1)
            if word[:1].islower() and fold(word.split()[-1]) not in load_surnames():
                continue
            if fold(word) not in self.stop and fold(word) not in NOT_INTRO:
                results.append(self.result(m.start(1), self.surname_end(text, m.end(1), max_words=1), self.SCORE))
        return results

    def _validate(self, text: str, start: int, value: str) -> tuple[int, int] | None:
        words = value.split(" ")
        first = words[0]
        f = fold(first)
        if f in NOT_INTRO or f in self.stop or f in facilities():
            return None
        known = is_first_name(first, self.first_names)
        if not (known and f not in self.needs_surname) and not _is_cap(first):
            return None
        if not known and (len(words) < 2 or not _is_cap(words[1])):
            return None  # "c'est Platform.sh ?", "this is Parcoursup": a lone unknown word is no name
        keep = [first]
        for w in words[1:]:
            fw = fold(w)
            if fw in NOT_INTRO or fw in self.stop:
                break
            if not (_is_cap(w) or (known and w.islower())):
                break
            keep.append(w)
        return start, start + len(" ".join(keep))


_LOW = "a-zà-öø-ÿ"
_LOWER_WORD = re.compile(rf"(?<![\w'’@.])[{_LOW}][{_LOW}'’]*(?:-[{_LOW}]{{2,}})*(?![\w@])")
_LOWER_PARTICLES = frozenset(["de", "du", "van", "von", "le", "la", "mc", "el", "ben", "al"])
_INTRO_BEFORE = re.compile(
    r"(?:\b(?:i'?m|i am|je suis|j'?suis|jsuis|c'?est|moi c'?est|c|name is|name's|appelle|this is|ici|it'?s|"
    r"daughter|son|fille|fils|wife|husband|femme|mari|details|nom|name)\s*:?\s*|^\s*|[:\n]\s*)$"
)


class LowercaseNameRecognizer(_NameBase):
    """A full name typed in lower case ("jean-baptiste lefebvre", "jsuis lina bensaid", "my daughter
    olivia chen-martin"): a known first name and a known surname, or a known first name and any
    surname-like word right after a self-introduction or at the start of a line."""

    SCORE = 0.8

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.surnames = load_surnames()

    def _first(self, word: str, cued: bool = False) -> bool:
        """A listed first name; one that is also an ordinary word ("rose", "lucie") only after a cue."""
        parts = _parts(word)
        return bool(parts) and all(p in self.first_names and (cued or p not in self.needs_surname) and len(p) > 2
                                   and p not in self.stop and p not in NOT_INTRO for p in parts)

    def _surname(self, word: str) -> bool:
        parts = [p for p in re.split(r"[ \-'’]", fold(word)) if len(p) > 1 and p not in PARTICLES]
        return bool(parts) and any(p in self.surnames and p not in self.needs_surname for p in parts)

    def find(self, text):
        words = list(_LOWER_WORD.finditer(text))
        for i, m in enumerate(words[:-1]):
            plain = self._first(m.group())  # a first name that is no ordinary word, with or without a cue
            if not plain and not self._first(m.group(), cued=True):
                continue
            cued = bool(_INTRO_BEFORE.search(fold(text[max(0, m.start() - 20):m.start()])))
            if not (plain or cued):
                continue
            j = i + 1
            if fold(words[j].group()) in _LOWER_PARTICLES and j + 1 < len(words):
                j += 1
            nxt = words[j]
            if text[m.end():nxt.start()].strip() or fold(nxt.group()) in self.stop or fold(nxt.group()) in NOT_INTRO:
                continue
            last = fold(nxt.group())
            if not plain and last not in self.surnames:
                continue  # a first name that is also a word ("c'est lucie faure") needs a listed surname after it
            # after a cue ("name camille roux", "je suis kevin marchand") a listed surname counts even when it is
            # also an ordinary word; without one it must not be ("olivia chen-martin" yes, "emma rose" no)
            if self._surname(nxt.group()) or (cued and (last in self.surnames or (
                    last not in self.needs_surname and last not in self.first_names))):
                yield "PERSON", m.start(), nxt.end(), self.SCORE
