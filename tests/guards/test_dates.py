"""Dates without a cue (`guards/dates.py` candidates + `guards.owner.DateReader` via `PersonalDateRecognizer`): a
date of birth or another date about a person is redacted whatever its form; an exam date, a deadline or a
retention period stays in clear. English and French side by side; the sentences are new (not from the
training file or any evaluation set). Fast tier: the NLP-engine stub, the packaged classifier."""

import pytest

from guards.dates import candidates
from tests.guard_fixtures import make_stub_guard

PERSONAL = [
    ("en", "my daughter was born 2004, on the 9th of march, does she need my signature?", "2004, on the 9th of march"),
    ("fr", "ddn 23/04/06 et je n'ai toujours pas reçu mon dossier", "23/04/06"),
    ("en", "we buried my grandma on 4 October so I missed the oral, can I retake it?", "4 October"),
    ("fr", "c'est mon anniversaire le 17/11, je serai majeur, je peux signer seul ?", "17/11"),
]


@pytest.mark.parametrize(("lang", "text", "date"), PERSONAL)
def test_a_persons_date_is_redacted(lang, text, date):
    result = make_stub_guard().inspect(text, lang)
    assert date not in result.text, result.findings


PUBLIC = [
    ("en", "Is the application deadline still 15 March 2026 for the MSc?", "15 March 2026"),
    ("fr", "Les partiels commencent le 12/01, c'est bien ça ?", "12/01"),
    ("en", "How long do you keep CVs, is it still 2 years after the last contact?", None),
    ("fr", "La politique a été mise à jour en janvier 2024 ?", "janvier 2024"),
]


@pytest.mark.parametrize(("lang", "text", "date"), PUBLIC)
def test_a_schedule_date_stays_in_clear(lang, text, date):
    result = make_stub_guard().inspect(text, lang)
    assert result.text == text, result.findings


@pytest.mark.parametrize(("text", "found"), [
    ("ddn 07/08/05, nom Martin", ["07/08/05"]),
    ("né en 2003 le 14 février", ["2003 le 14 février"]),             # the year first
    ("born in 2005 on the 3rd of june", ["2005 on the 3rd of june"]),
    ("ma date de naissance : 31 / 12 / 2004", ["31 / 12 / 2004"]),     # spaced separators
    ("June 3rd, 2005 or 2004-12-31", ["June 3rd, 2005", "2004-12-31"]),
    ("call 06.12.34.56.78 or 06 12 34 56 78", []),                    # a phone number is no date
    ("room 3.12 at 10.30, 1.5 km away", []),                          # a room, a time, a distance
    ("I may come in March", []),                                      # a month alone is no date
])
def test_date_candidates(text, found):
    assert [text[a:b] for a, b in candidates(text)] == found
