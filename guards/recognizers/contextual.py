"""Recognizers that need a cue from the language's lexicon: dates of birth, names after
"my name is" / "je m'appelle", and places after "I live in" / "j'habite à"."""

from __future__ import annotations

import re

from guards.dates import MONTHS as _MONTHS
from guards.lexicon import load_lexicon
from guards.persons import listed_name
from guards.recognizers.base import GuardRecognizer
from guards.recognizers.names import PARTICLES, is_first_name, load_names
from guards.text import fold
from guards.words import is_common_word

DATE = re.compile(
    rf"(?<![\w/.\-])(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:19|20)?\d{{2}}|(?:19|20)\d{{2}}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}(?:er|st|nd|rd|th)?\s+(?:of\s+)?(?i:{_MONTHS})\s+(?:19|20)\d{{2}}"
    rf"|(?i:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})(?![\w/])"
)


class _LexiconRecognizer(GuardRecognizer):
    """Reads one cue pattern (CUE_ATTR) from every language's lexicon, its own language first."""

    CUE_ATTR = ""

    def __init__(self, supported_language: str = "en", context: list[str] | None = None,
                 supported_entities: list[str] | None = None, name: str | None = None):
        super().__init__(supported_language, context, supported_entities, name)
        self.lexicons = [load_lexicon(lang) for lang in self.langs]
        self.cues = [c for c in (getattr(lex, self.CUE_ATTR) for lex in self.lexicons) if c is not None]


class DateOfBirthRecognizer(_LexiconRecognizer):
    """A full date with a birth cue ("born", "date of birth", "né le", "date de naissance") shortly before
    it in the same sentence. Other dates ("three years", "in 2024", deadlines) are left alone."""

    ENTITIES = ("DATE_TIME",)
    CUE_ATTR = "birth"
    SCORE = 0.85
    WINDOW = 45

    def find(self, text):
        for match in DATE.finditer(text):
            before = fold(text[max(0, match.start() - self.WINDOW) : match.start()])
            before = re.split(r"[.!?\n]", before)[-1]
            if any(cue.search(before) for cue in self.cues):
                yield "DATE_TIME", match.start(), match.end(), self.SCORE


_CAP = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þa-zà-öø-ÿ][a-zà-öø-ÿ'’]+)*"
_PARTICLE = r"(?:de|du|des|van|von|der|le|la|di|da|ben|el|al)"
_CAP_NAME = re.compile(rf"\s*,?\s*({_CAP}(?:[ \-](?:{_PARTICLE}[ ])?{_CAP}){{0,3}})")
_LOWER_NAME = re.compile(r"\s*,?\s*([a-zà-öø-ÿ][a-zà-öø-ÿ'’\-]+(?:\s[a-zà-öø-ÿ][a-zà-öø-ÿ'’\-]+){0,2})")
_CAP_PAIR = re.compile(rf"\s+({_CAP}[ ]{_CAP})(?![\w])")
_STRONG = re.compile(r"name|appelle|nomme|moi c|called")


class _CuedRecognizer(_LexiconRecognizer):
    """Finds the cue in the folded text and the value right after it in the original text."""

    STOPWORDS: frozenset[str] = frozenset()

    def find(self, text):
        folded = fold(text)
        for pattern in self.cues:
            for cue in pattern.finditer(folded):
                span = self.value_after(text, cue)
                if span:
                    yield self.supported_entities[0], span[0], span[1], self.SCORE

    def trim(self, text: str, start: int, value: str) -> tuple[int, int] | None:
        words = value.split(" ")
        while words and fold(words[-1]) in self.STOPWORDS:
            words.pop()
        if not words or fold(words[0]) in self.STOPWORDS:
            return None
        value = " ".join(words)
        return start, start + len(value)

    def value_after(self, text: str, cue: re.Match) -> tuple[int, int] | None:
        m = _CAP_NAME.match(text, cue.end())
        if m:
            return self.trim(text, m.start(1), m.group(1))
        return None


_NAME_STOP = frozenset(
    ["i", "im", "je", "and", "et", "the", "le", "la", "les", "a", "an", "un", "une", "from", "de", "in", "a", "au", "at", "my", "mon", "ma", "here", "ici", "and", "but", "mais", "student", "etudiant", "etudiante", "please", "svp", "hello", "bonjour", "hi", "salut", "thanks", "merci"]
)


class NameAfterCueRecognizer(_CuedRecognizer):
    """The writer's own name: "My name is Léa Martin", "je m'appelle Karim", "Regards, Anna Smith";
    after a weak cue ("I'm", "je suis") only a full name of two capitalised words."""

    ENTITIES = ("PERSON",)
    CUE_ATTR = "names"
    SCORE = 0.9
    STOPWORDS = _NAME_STOP

    def find(self, text):
        yield from super().find(text)
        folded = fold(text)
        for pair_cue in (lex.name_pairs for lex in self.lexicons if lex.name_pairs is not None):
            for cue in pair_cue.finditer(folded):
                m = _CAP_PAIR.match(text, cue.end())
                if m and not any(fold(w) in self.STOPWORDS for w in m.group(1).split()):
                    yield "PERSON", m.start(1), m.end(1), self.SCORE

    def value_after(self, text, cue):
        span = super().value_after(text, cue)
        if span is None and _STRONG.search(cue.group()):
            m = _LOWER_NAME.match(text, cue.end())
            if m:
                span = self.trim(text, m.start(1), m.group(1))
            if span and not self._plausible_lower(text, span):
                span = None
        return span

    @staticmethod
    def _plausible_lower(text: str, span: tuple[int, int]) -> bool:
        """A lower-case name after "my name is": a known first name, or words that end the clause
        ("my name is zbigniew kowalski."), not "my name is often misspelled"."""
        first = text[span[0] : span[1]].split(" ")[0]
        if is_first_name(first, load_names()[0]):
            return True
        return bool(re.match(r"\s*(?:$|[,.!?;:\n]|(?:and|et|from|de|but|mais)\b)", text[span[1] :]))


class ResidenceRecognizer(_CuedRecognizer):
    """A place named right after a residence/birthplace cue ("I live in Lyon", "j'habite à Nantes")."""

    ENTITIES = ("LOCATION",)
    CUE_ATTR = "residence"
    SCORE = 0.7
    STOPWORDS = _NAME_STOP

    def value_after(self, text, cue):
        span = super().value_after(text, cue)
        if span and fold(text[span[0] : span[1]].split(" ")[0].split("-")[0]) in _NOT_PLACE:
            return None  # "born in May"
        return span


_PLACE = re.compile(
    r"(?:\bin|\bat|\bnear|(?<![\w])à|\bpr[èe]s de)\s+((?:(?:Le|La|Les|L'|L’|New|San|Santa|Saint|Sainte|St\.?)[ \-])?"
    r"[A-ZÀ-ÖØ-Þ][\w'’]*(?:-[\w'’]+)*(?:[ \-](?:(?:de|du|des|la|le|les|en|sur|sous|upon|on|am|del|do|da)[ \-])?[A-ZÀ-ÖØ-Þ][\w'’]*(?:-[\w'’]+)*){0,3})"
)
_NOT_PLACE = frozenset(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december", "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
     "novembre", "decembre", "i", "the", "my", "a", "an"]
)


_DATE_WORDS = _NOT_PLACE | frozenset(
    ["on", "le", "of", "in", "en", "at", "a", "st", "nd", "rd", "th", "er", "the", "jan", "feb", "mar", "apr", "jun",
     "jul", "aug", "sep", "sept", "oct", "nov", "dec", "janv", "fevr", "avr", "juil", "was", "were", "am", "je", "suis",
     "j", "ai", "ete"]
)


class BirthplaceRecognizer(_LexiconRecognizer):
    """The place after a birth cue in the same sentence, also past a date: "born 5 May 2000 in
    Marseille", "née le 02/09/2003 à Nantes", "born in 2001 in Lyon"."""

    ENTITIES = ("LOCATION",)
    CUE_ATTR = "birth"
    SCORE = 0.7
    WINDOW = 70

    def find(self, text):
        folded = fold(text)
        for cue in (c for pattern in self.cues for c in pattern.finditer(folded)):
            stop = re.compile(r"[!?\n]|\.(?:\s|$)").search(text, cue.end(), cue.end() + self.WINDOW)
            end = stop.start() if stop else min(len(text), cue.end() + self.WINDOW)
            for m in _PLACE.finditer(text, cue.end(), end):
                gap = re.findall(r"[a-z]+", fold(text[cue.end() : m.start()]))
                if any(w not in _DATE_WORDS for w in gap):
                    break  # something other than a date stands between the cue and the place
                if fold(m.group(1).split(" ")[0].split("-")[0]) in _NOT_PLACE:
                    continue
                yield "LOCATION", m.start(1), m.end(1), self.SCORE
                break


class RelativeNameRecognizer(NameAfterCueRecognizer):
    """"my son Lucas", "ma colocataire Julie Petit": a person the writer names by their relation to
    them. Separate from NameAfterCueRecognizer (the writer's own name, a sign-off) so that later steps
    can tell a visitor who introduces themselves from one who asks about someone else."""

    CUE_ATTR = "relatives"

    def find(self, text):
        yield from _CuedRecognizer.find(self, text)

    def value_after(self, text, cue):
        """A capitalised name, or a lower-case one ("ma fille yasmine el amrani est née…", round 28): a listed
        first name that is no ordinary word, then the words after it up to the first ordinary word (a listed
        surname or a particle before another word stays; an unknown word after a first name is taken for a surname)."""
        span = _CuedRecognizer.value_after(self, text, cue)
        if span is not None:
            return span
        m = _LOWER_NAME.match(text, cue.end())
        if not m:
            return None
        words = m.group(1).split(" ")
        first, common = load_names()
        if not is_first_name(words[0], first) or fold(words[0]) in common or fold(words[0]) in self.STOPWORDS:
            return None
        kept = 1
        for k, word in enumerate(words[1:], start=1):
            key = fold(word)
            if key in PARTICLES and k + 1 < len(words):
                continue
            if key in self.STOPWORDS or len(key) < 3 or (is_common_word(word) and not listed_name(word)):
                break
            kept = k + 1
        value = " ".join(words[:kept])
        return m.start(1), m.start(1) + len(value)
