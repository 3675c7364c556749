"""Person names from NER, judged on evidence: the name lists (first names and surnames, Faker's
census-based lists), the dictionary of ordinary words (`guards.words`), titles, institution words
and sentence position.

- `PersonFilter.apply`: keeps an NER PERSON span that looks like a name (trims greetings and
  lower-case words at its edges; rejects institution/policy words, acronyms, and a lone
  sentence-initial word that is an ordinary word: "Utilisez", "Claire et précise").
- `PersonFilter.relabel`: an NER span labelled organisation/place/other whose every word is a
  listed name and no ordinary word ("Becker", "Ariana", "Sophie Laurent") is a PERSON: the small
  models often mislabel names they have not seen.
- `PersonFilter.private`: any PERSON finding, whatever found it, checked for what names a public
  thing or person rather than a private one: a facility noun beside it ("the Simone Veil building",
  "amphi Gustave Eiffel", "the Nelson Mandela Prize"), a public figure's name ("Esther Duflo",
  "Einstein"; `guards/lexicons/public_figures.txt`), an article at its start ("Le BDE").
- `expand_lists`: capitalised words coordinated with a found name ("Kónya, Becker and Vasquez",
  "Usamov and Bowers") are names too, unless they are ordinary words, acronyms or policy words."""

from __future__ import annotations

import re

from guards.text import fold
from guards.types import Finding
from guards.words import determiners, facilities, is_common_word, lone_not_names, never_names, public_figures

_NAME_TOKEN = re.compile(r"[^\s,;:!?()\"«»]+")
_PARTICLES = frozenset(["de", "du", "des", "van", "von", "der", "le", "la", "di", "da", "ben", "el", "al", "bin", "d'", "ten"])
_INITIAL = re.compile(r"[A-Z]\.?")  # "Hanne I. Kreutzmann", "Martim A Pereira"
_LIST_SEP = r"(?:\s*,\s*(?:(?:and|et|&)\s+)?|\s+(?:and|et|&|or|ou)\s+)"
_CAP_NAME = r"(?=[^\W\d_])(?![a-zà-öø-ÿ])[^\W\d_](?:[^\W\d_]|['’])+(?:-[^\W\d_]+)?"
_NEXT_IN_LIST = re.compile(rf"{_LIST_SEP}({_CAP_NAME}(?:\s{_CAP_NAME})?)(?![\w@])")
_PREV_IN_LIST = re.compile(rf"(?<![\w@])({_CAP_NAME}(?:\s{_CAP_NAME})?){_LIST_SEP}$")
RELABEL = ("ORGANIZATION", "LOCATION", "NRP", "MISC")


def listed_name(word: str) -> bool:
    """In the first-name or surname lists at all, even when also an ordinary word ("Park", "Grant")."""
    from guards.recognizers.names import load_names, load_surnames

    key = fold(word)
    return key in load_names()[0] or key in load_surnames()


def known_name(word: str) -> bool:
    """A listed first name or surname that is not also a common word ("Kevin", "Becker"; not "Grace")."""
    from guards.recognizers.names import load_names

    return listed_name(word) and fold(word) not in load_names()[1]


def default_filter(config: dict | None = None) -> PersonFilter:
    """The filter configured by `guards/config/guard.yaml` (`person`: not_names, titles, min_score)."""
    from guards.config import guard_config

    person = (config or guard_config()).get("person", {})
    return PersonFilter([*person.get("not_names", []), *never_names()], person.get("titles", []),
                        float(person.get("min_score", 0.8)), known_name)


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?\n:"


class PersonFilter:
    """Name evidence for NER spans (see the module docstring)."""

    def __init__(self, not_names: list[str], titles: list[str], min_score: float, known_name=None):
        self.known_name = known_name or (lambda word: False)  # a listed first name or surname
        self.not_names = frozenset(fold(str(w)) for w in not_names)
        self.titles = frozenset(fold(str(w)) for w in titles)
        self.min_score = min_score

    def _is_name_word(self, word: str) -> bool:
        core = word.strip(".'’-")
        return bool(core) and core[0].isupper() and fold(core) not in self.not_names and not any(c.isdigit() for c in core)

    def _lone_ok(self, text: str, start: int, word: str) -> bool:
        """A single capitalised word read as a name: not an acronym or an initial; at a sentence
        start only when it is no ordinary word (or follows a title)."""
        core = word.strip(".'’-")
        if len(core) < 3 or (core.isupper() and len(core) > 1) or fold(core) in lone_not_names():
            return False
        prev = re.findall(r"[\w.'’]+$", text[:start].rstrip())
        if prev and fold(prev[0].strip(".")) in self.titles:
            return True
        return not (_sentence_initial(text, start) and is_common_word(core))

    def may_contain_name(self, text: str) -> bool:
        """Cheap gate: can `apply` keep any PERSON in this text? If not, NER need not run."""
        words = list(_NAME_TOKEN.finditer(text))
        prev_name = False
        for i, m in enumerate(words):
            word = m.group()
            if not self._is_name_word(word):
                prev_name = prev_name and fold(word) in _PARTICLES
                continue
            if prev_name:
                return True
            core = word.strip(".'’-")
            initial = _sentence_initial(text, m.start())
            prev_word = fold(words[i - 1].group().strip(".")) if i else ""
            if not core.isupper() and (not initial or prev_word in self.titles or self.known_name(core)
                                       or (len(core) >= 4 and not is_common_word(core))):
                return True
            prev_name = True
        return False

    def _words(self, text: str, span: Finding) -> list[tuple[int, int, str]]:
        words = [(m.start() + span.start, m.end() + span.start, m.group()) for m in _NAME_TOKEN.finditer(text[span.start:span.end])]
        words = [(s, e - 2, w[:-2]) if w.endswith(("'s", "’s")) else (s, e, w) for s, e, w in words]
        while words and (not self._is_name_word(words[0][2]) or fold(words[0][2].strip(".")) in self.titles):
            words.pop(0)
        while words and not self._is_name_word(words[-1][2]):
            words.pop()
        return words

    def apply(self, text: str, span: Finding) -> Finding | None:
        if span.score < self.min_score:
            return None
        words = self._words(text, span)
        if not words:
            return None
        for _, _, w in words:
            if not self._is_name_word(w) and fold(w) not in _PARTICLES and not _INITIAL.fullmatch(w):
                return None
        if any("@" in w or "/" in w for _, _, w in words) or fold(text[words[0][0]:words[-1][1]]) in self.not_names:
            return None  # an address, or a public phrase ("Yom Kippur", "Bastille Day")
        if len(words) == 1 and not self._lone_ok(text, words[0][0], words[0][2]):
            return None
        return Finding(span.entity, words[0][0], words[-1][1], span.score, span.recognizer)

    def relabel(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """(start, end) of the name inside an NER span of another label, or None."""
        words = self._words(text, Finding("PERSON", start, end, 1.0))
        names = [w.strip(".'’-") for _, _, w in words if fold(w) not in _PARTICLES]
        if not names or any(fold(n) in facilities() for n in names):
            return None
        if not all((len(n) == 1 and n.isupper()) or (self.known_name(n) and not is_common_word(n, False) and not n.isupper())
                   for n in names) or all(len(n) == 1 for n in names):
            return None
        found = self.apply(text, Finding("PERSON", words[0][0], words[-1][1], 1.0))
        return (found.start, found.end) if found else None

    def private(self, text: str, span: Finding, cued: bool = False) -> Finding | None:
        """`span` (a PERSON) trimmed of a leading article, or None when it names a public thing or
        a public figure. A title before it ("Mme Curie", "Dr Newton") keeps it a person, and so does a
        cue that says whose name it is (`cued`: "my name is Rose Garden", "ma mère Florence Nice")."""
        words = [(s, e, w.strip("'’\"«»“”")) for s, e, w in
                 ((m.start() + span.start, m.end() + span.start, m.group()) for m in _NAME_TOKEN.finditer(text[span.start:span.end]))]
        words = [(s, e, w[:-2]) if w.endswith(("'s", "’s")) else (s, e, w) for s, e, w in words if w]
        if not words:
            return None
        arts = determiners()
        trimmed = False
        while len(words) > 1 and fold(words[0][2]) in arts:
            words.pop(0)
            trimmed = True
        if trimmed and len(words) == 1 and (words[0][2].isupper() or any(c.isdigit() for c in words[0][2])):
            return None  # "Le BDE", "Le C4": an article and an acronym
        window = text[max(0, span.start - 60):span.start]
        window = window[max(window.rfind(c) for c in ".!?;:\n") + 1:]  # the same sentence only
        before = [fold(w) for w in re.findall(r"\w+", window)]
        kept = span if not trimmed else Finding(span.entity, words[0][0], words[-1][1], span.score, span.recognizer)
        if before and before[-1] in self.titles:
            return span
        if cued:
            return kept
        places = facilities()
        first, last = fold(words[0][2]), fold(words[-1][2])
        same_line = "\n" not in text[words[0][1]:words[-1][0]]
        if same_line and (first in places or (last in places and not listed_name(words[-1][2]))):
            return None  # "Salle Marie Curie", "Nelson Mandela Prize" (not "Chloe Park", "Felix Grant")
        if before and before[-1] in places:
            return None  # "amphi Gustave Eiffel", "prix Jean Moulin"
        after = re.match(r"[ \u00a0]+([\w'’]+)", text[words[-1][1]:])
        if after and fold(after.group(1)) in places and before and before[-1] in arts:
            return None  # "the Jean Moulin prize", "in the Newton building"
        phrase = " ".join(fold(" ".join(w for _, _, w in words)).replace(".", " ").split())
        full, single = public_figures()
        if phrase in full or (len(words) == 1 and phrase in single):
            return None
        return kept


def expand_lists(text: str, found: list[Finding], person_filter: PersonFilter, recognizer: str = "NameListExpansion") -> list[Finding]:
    """Capitalised words coordinated with a PERSON finding ("Kónya, Becker and Vasquez", "Marrero and
    Murphy"): no ordinary word, acronym, institution or policy word."""
    taken = {(f.start, f.end) for f in found}
    out: list[Finding] = []
    queue = [f for f in found if f.entity == "PERSON"]
    while queue:
        f = queue.pop()
        for m, start, end in _neighbours(text, f):
            words = m.split()
            if (start, end) in taken or not all(person_filter._is_name_word(w) and not is_common_word(w, False) and not w.isupper()
                                                and fold(w) not in facilities() and fold(w) not in lone_not_names()
                                                for w in words):
                continue
            taken.add((start, end))
            new = Finding("PERSON", start, end, f.score, recognizer)
            out.append(new)
            queue.append(new)
    return found + out


def _neighbours(text: str, f: Finding):
    m = _NEXT_IN_LIST.match(text, f.end)
    if m:
        yield m.group(1), m.start(1), m.end(1)
    m = _PREV_IN_LIST.search(text, max(0, f.start - 60), f.start)
    if m:
        yield m.group(1), m.start(1), m.end(1)
