import re

import pytest

from guards.errors import ConfigError
from guards.lexicon import load_lexicon, parse_lexicon, term_to_regex


@pytest.mark.parametrize(
    "term, matches, rejects",
    [
        ("musulman(e)(s)", ["musulman", "musulmane", "musulmanes", "Musulmans"], ["musulmanerie"]),
        ("syndique(e)(s)", ["syndiqué", "syndiquée", "syndiquées"], ["syndicat"]),
        ("diabetique(s)", ["diabétique", "DIABETIQUES"], ["diabète"]),
        ("seropositi{f|ve}", ["séropositif", "séropositive"], ["séropositi"]),
        ("type {1|2} diabetes", ["type 1 diabetes", "type  2 diabetes"], ["type 3 diabetes"]),
        ("crise(s) d'epilepsie", ["crise d'épilepsie", "crises d’épilepsie"], ["crise"]),
    ],
)
def test_term_syntax_handles_inflection_and_accents(term, matches, rejects):
    from guards.text import fold

    pattern = re.compile(term_to_regex(term))
    for text in matches:
        assert pattern.search(fold(text)), text
    for text in rejects:
        assert not pattern.fullmatch(fold(text)), text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"lang": "en"}, "needs"),
        ({"lang": "en", "cues": {}, "categories": {"MOOD": ["sad"]}}, "unknown category"),
        ({"lang": "en", "cues": {}, "categories": {"HEALTH": [{"juif": None}]}}, "quote it"),
        ({"lang": "en", "cues": {}, "categories": {"HEALTH": ["re:(unclosed"]}}, "not valid"),
    ],
)
def test_bad_lexicon_is_rejected(data, message):
    with pytest.raises(ConfigError, match=message):
        parse_lexicon(data, "x.yaml")


def test_missing_language_lexicon():
    with pytest.raises(ConfigError, match="No lexicon"):
        load_lexicon("xx")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_special_category_has_terms(lang):
    from guards.types import SPECIAL_CATEGORIES

    assert set(load_lexicon(lang).categories) == set(SPECIAL_CATEGORIES)
