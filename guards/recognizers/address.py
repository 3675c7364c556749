"""Street addresses, in the forms visitors write them (US/UK/FR and international): a street (a
number with a street word before or after the name, "12 rue de la Paix", "123 Main Street",
"ul. Miła 53", "Kiannonkatu 98"), units ("Apt 4B", "Suite 501", "Flat 3"), postal boxes ("PO Box
104", "PSC 0413, Box 8144"), postcodes ("75002 Paris", "SW1A 1AA", "IL 62704", "Estonia 62488"),
and the city / country lines around them. Vocabulary: `guards/lexicons/address.yaml`.

Components next to each other (separated by commas, line breaks or a city name) form one block;
a block is an address when it holds a strong component (a numbered street, a unit, a box, a
distinctive postcode), two components, or follows an address cue ("my address is", "lives at",
"j'habite au"). The block is then extended over the city/country lines that follow it."""

from __future__ import annotations

import re
from functools import cache

from guards.config import LEXICON_DIR, load_mapping, word_list
from guards.recognizers.base import GuardRecognizer
from guards.text import fold
from guards.words import public_words

_L = r"[^\W\d_]"
_NUM = r"\d{1,5}(?:[-/]\d{1,4})?(?:\s?(?:bis|ter)(?![\w])|[a-z](?![\w]))?"
_STOP = (r"(?:and|et|or|ou|but|mais|for|pour|to|in|on|a|au|at|the|le|la|les|is|est|was|were|are|my|mon|ma|your|votre|"
         r"i|je|we|nous|it|il|elle|after|before|since|depuis|last|next|with|avec|from|de|du|des|by|par|this|that|"
         r"years?|ans?|days?|jours?|months?|mois|weeks?|semaines?|hours?|heures?|minutes?|times?|fois|students?|"
         r"etudiants?|percent|pour|cent|euros?|dollars?|km|kg|cm|m|h|min|pages?|points?)")
_NW = rf"(?!{_STOP}(?![\w'’\-]))[^\W\d_](?:[^\W\d_]|['’\-])*\.?"  # letters only: "MKT-301" is no street name
_PARTICLE = r"(?:(?:de la|du|des|de|la|le|les|del|della|do|da|dos|das|van|von|der|den|di|al|el)\s+|(?:de l'|d'|l')\s*)"
_HOUSE = r"\d{1,4}(?:[-/]\d{1,4})?(?:\s?(?:bis|ter)(?![\w])|[a-z](?![\w]))?"  # a number after the street name
_GAP_WORD = re.compile(r"[^\W\d_][\w'’\-.]*|\([^)\n]{1,20}\)|\d{2,6}")
_UK = re.compile(r"(?<![\w])[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?![\w])")
_CA = re.compile(r"(?<![\w])[A-Z]\d[A-Z]\s?\d[A-Z]\d(?![\w])")
_US = re.compile(r"(?<=[\w,])[ \t,]+[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?(?![\w])")
_FR = re.compile(r"(?<![\w.,])\d{5}[ \t]+[A-ZÀ-Ý][\w'’\-]+(?:[ \t\-][A-ZÀ-Ý][\w'’\-]+){0,3}(?:[ \t]+(?:CEDEX|Cedex|cedex)(?:[ \t]\d{1,2})?)?")
_MILITARY = re.compile(r"(?<![\w])(?:(?:psc|unit|cmr)\s*\d{3,5},?\s*box\s*\d{3,5}|(?:apo|fpo|dpo)\s+(?:aa|ae|ap)\s+\d{5})(?![\w])")
_SENTENCE_PUNCT = re.compile(r"[!?]|\.(?:\s|$)(?!\s*\d)")


def _words(items: list[str]) -> str:
    return "|".join(sorted((re.escape(fold(w)) for w in items), key=len, reverse=True))


@cache
def _patterns() -> dict:
    where = "guards/lexicons/address.yaml"
    data = load_mapping(LEXICON_DIR / "address.yaml", "address vocabulary", required=("street_types", "cues"))
    # not before an apostrophe: "c'est", "l'école" are elided French words, not the street abbreviations "C/", "l."
    types = rf"(?:{_words(word_list(data, 'street_types', where))})(?:\.(?![\w])|(?![\w'’]))"
    suffixes = _words(word_list(data, "street_suffixes", where))
    strong_units = _words(word_list(data, "units_strong", where))
    weak_units = _words(word_list(data, "units_weak", where))
    boxes = "|".join(word_list(data, "po_boxes", where))
    countries = _words(sorted(public_words()["places"]))
    unit_value = r"\.?\s*(?:no\.?|n°|#)?\s*(?:[a-z]?\d[\w\-]{0,5}|[a-z](?![\w']))"
    name = rf"{_NW}(?:[ \t]+{_PARTICLE}?{_NW}){{0,3}}"
    return {
        # (pattern on folded text, strong?, needs a number in the match?)
        "type_first": (re.compile(rf"(?<![\w])(?:{_NUM},?\s+)?{types}\s+{_PARTICLE}?{name}(?:,?[ \t]+{_HOUSE}(?![\w]))?"), True, True),
        "type_after": (re.compile(rf"(?<![\w])(?:{_NUM},?\s+)?{name}[ \t]+{types}(?:[ \t]+{_HOUSE}(?![\w]))?"), True, True),
        "suffix": (re.compile(rf"(?<![\w])(?:{_NUM}[ \t]+)?{_L}*(?:{suffixes})[ \t]+{_HOUSE}(?![\w])"), True, True),
        "numbered": (re.compile(rf"(?<![\w.,:/])\d{{1,5}}[ \t]+{name}[ \t]+\d{{1,4}}[a-z]?(?![\w])"), False, True),
        "unit": (re.compile(rf"(?<![\w])(?:{strong_units}){unit_value}"), True, False),
        "weak_unit": (re.compile(rf"(?<![\w])(?:{weak_units}){unit_value}"), False, False),
        "box": (re.compile(rf"(?<![\w])(?:{boxes})\.?\s*\d{{1,6}}(?![\w])"), True, False),
        "military": (_MILITARY, True, False),
        "country_code": (re.compile(rf"(?<![\w])(?:{countries})(?:\s*\([^)\n]{{1,15}}\))?[ \t]+\d{{3,6}}(?:[ \-]\d{{2,4}})?(?![\w])"), True, False),
        "cue": re.compile(rf"(?<![\w])(?:{'|'.join(word_list(data, 'cues', where))})(?![\w])"),
    }


class StreetAddressRecognizer(GuardRecognizer):
    """Address blocks: components, grouped, accepted on evidence, extended over city lines."""

    ENTITIES = ("STREET_ADDRESS",)
    SCORE = 0.85
    MAX_GAP = 60
    CUE_REACH = 40

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.patterns = _patterns()

    def components(self, text: str, folded: str) -> list[tuple[int, int, bool]]:
        found = []
        for key, value in self.patterns.items():
            if key == "cue":
                continue
            pattern, strong, needs_number = value
            for m in pattern.finditer(folded):
                if needs_number and not any(c.isdigit() for c in m.group()):
                    if key in ("type_first", "type_after") and text[m.start()].isupper():
                        found.append((m.start(), m.end(), False))  # "Herceg Gateway St.": weak without a number
                    continue
                found.append((m.start(), m.end(), strong))
        for pattern, strong in ((_UK, True), (_CA, True), (_US, True), (_FR, False)):
            found += [(m.start(), m.end(), strong) for m in pattern.finditer(text)]
        return sorted(found)

    def _joinable(self, gap: str, after_digit: bool = False) -> bool:
        if after_digit and gap.startswith("."):
            gap = gap[1:]  # "Erzsébet tér 19.\n Suite 282": an ordinal house number, not a sentence end
        if len(gap) > self.MAX_GAP or gap.count("\n") > 3 or _SENTENCE_PUNCT.search(gap):
            return False
        words = _GAP_WORD.findall(gap)
        return len(words) <= 4 and not any(re.fullmatch(_STOP, fold(w)) and fold(w) not in ("and", "et")
                                           for w in words if not w.startswith("("))

    def find(self, text):
        folded = fold(text)
        parts = self.components(text, folded)
        if not parts:
            return
        cue_ends = [m.end() for m in self.patterns["cue"].finditer(folded)]
        blocks: list[list] = []
        for start, end, strong in parts:
            if blocks and (start <= blocks[-1][1] or self._joinable(text[blocks[-1][1]:start], text[blocks[-1][1] - 1].isdigit())):
                block = blocks[-1]
                block[1], block[2], block[3] = max(block[1], end), block[2] or strong, block[3] + 1
            else:
                blocks.append([start, end, strong, 1])
        for start, end, strong, count in blocks:
            cue = next((c for c in cue_ends if c <= start and start - c <= self.CUE_REACH
                        and not _SENTENCE_PUNCT.search(text[c:start])), None)
            if not (strong or count > 1 or cue is not None):
                continue
            if cue is not None and len(_GAP_WORD.findall(text[cue:start])) <= 4:
                start = cue + len(text[cue:start]) - len(text[cue:start].lstrip(" \t:,"))
            yield "STREET_ADDRESS", start, self._extend(text, end), self.SCORE

    @staticmethod
    def _extend(text: str, end: int, max_segments: int = 4) -> int:
        """Past the block's end over ", City", "\\n CITY", "\\n Country 12345" segments: whole short lines
        after a line break, leading capitalised words after a comma (all words in a lower-case text)."""
        lower_text = not any(c.isupper() for c in text)
        for _ in range(max_segments):
            sep = _SEPARATOR.match(text, end)
            if not sep:
                break
            newline = "\n" in sep.group()
            line_end = text.find("\n", sep.end())
            line = text[sep.end(): len(text) if line_end == -1 else line_end]
            if not newline:
                line = line.split(",")[0]
            taken = 0
            tokens = list(_SEGMENT_TOKEN.finditer(line))
            numbers = [t.group() for t in tokens if not t.group()[:1].isalpha()]
            if newline and (len(numbers) > 1 or any(any(c.isdigit() for c in n) for n in numbers if n.startswith("("))):
                break  # a phone or another record, not a city line
            for tok in tokens:
                word = tok.group()
                if word[:1].isalpha() and not (
                        (word[:1].isupper() or lower_text or fold(word) in _CITY_PARTICLES)
                        and not re.fullmatch(_STOP, fold(word).rstrip("."))):
                    break
                taken = tok.end()
            if not tokens or taken == 0 or (newline and (len(tokens) > 6 or taken < len(line.rstrip(" \t.,")))):
                break
            end = sep.end() + taken
            while end > 0 and text[end - 1] in " \t,.":
                end -= 1
            if taken < len(line.rstrip(" \t.,")):
                break
        return end


_SEPARATOR = re.compile(r"[ \t]*,[ \t]*|[ \t]*\n[\s>?]*")
_SEGMENT_TOKEN = re.compile(r"[^\W\d_][\w'’\-.]*|\([^)\n]{1,20}\)|\d{2,6}(?:[ \-]\d{2,4})?")
_CITY_PARTICLES = frozenset(["nan", "de", "la", "le", "les", "nad", "del", "am", "an", "sur", "en", "upon", "on"])
