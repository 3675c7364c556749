"""The tokenizer above the guard: identifiers (cookie names) glued to their neighbours in a
flattened table are still found by the name a visitor types, in any case."""

from __future__ import annotations

import pytest

from knowledge.bm25 import BM25Index
from knowledge.text import tokens

# A policy's cookie tables as they come out of a web page: cells glued without spaces.
TABLES = [
    "Subgroup of cookiesCookiesCookies used\nwww.inseec-u.comOptanonAlertBoxClosed,\n_icl_current_language,\n"
    "OptanonConsent\nInternal cookies",
    "Subgroup of cookiesCookiesCookies used\nwww.omneseducation.com_ga, _gidInternal cookies",
    "Subgroup of cookiesCookiesCookies used\nlinkedin.com_gat, bcookie, lidcThird-party cookies\n"
    "youtube.comYSC, CONSENT, VISITOR_INFO1_LIVEThird-party cookies\nwww.linkedin.comJSESSIONID, bscookie",
    "Cookies are small files that are installed on your computer for a limited time.",
]


@pytest.mark.parametrize("question, table", [
    ("what is OptanonAlertBoxClosed?", 0),
    ("what's the optanonalertboxclosed cookie for", 0),
    ("Le cookie OptanonAlertBoxClosed est-il obligatoire ?", 0),
    ("c'est quoi le cookie ysc", 2),
    ("What does the YSC cookie do?", 2),
    ("À quoi sert le cookie JSESSIONID ?", 2),
    ("what is _gid for", 1),
])
def test_a_cookie_name_glued_in_a_flattened_table_finds_its_table(question, table):
    scores = BM25Index(TABLES).scores(tokens(question))
    assert int(scores.argmax()) == table and scores[table] > 0


@pytest.mark.parametrize("text, expected", [
    ("How long do you keep my data?", ["long", "keep", "data"]),
    ("Combien de temps gardez-vous mes données ?", ["temp", "gardez", "donn"]),
    ("ECE and INSEEC students", ["ece", "inseec", "student"]),
])
def test_ordinary_words_read_as_before(text, expected):
    assert tokens(text) == expected


def test_a_name_written_in_camel_case_gives_its_words_and_the_whole_name():
    got = tokens("www.inseec-u.comOptanonAlertBoxClosed")
    assert {"optanon", "alert", "box", "optanonalertboxclos"} <= set(got)
