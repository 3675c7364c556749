"""Dates that are a person's, found without a cue: a date expression of any form (`guards/dates.py`) that
the date reader (`guards.owner.DateReader`, a classifier over the e5 embedding of the date in its clause)
reads as someone's date of birth, birthday or another date about them ("ddn 07/08/05", "born in 2006 on
14 feb", "my grandfather passed away on 12 November"). An exam date, a deadline or "promo 2012" is left
alone (not Presidio's `DateRecognizer`, which takes every date). The cue recognizer (`DateOfBirthRecognizer`) still finds full dates after "born" / "né le"."""

from __future__ import annotations

from guards.dates import candidates
from guards.recognizers.read import ReadCandidateRecognizer


class PersonalDateRecognizer(ReadCandidateRecognizer):
    ENTITIES = ("DATE_TIME",)
    READER = "DateReader"
    candidates = staticmethod(candidates)
