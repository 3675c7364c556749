"""Places that locate a person, found without a cue: a town, country or US state of the gazetteer
(`guards/places.py`) that the place reader (`guards.owner.PlaceReader`, a classifier over the e5
embedding of the place in its sentence) reads as where someone lives, comes from or was born ("from:
Galway", "moving from Lille for the Lyon programme": Lille). A campus, a destination or a topic ("is
the Lyon campus open?") is left alone. The cue recognizers (`ResidenceRecognizer`,
`BirthplaceRecognizer`) still find places after "I live in" / "né à" whatever their size."""

from __future__ import annotations

from guards.places import candidates
from guards.recognizers.read import ReadCandidateRecognizer


class PlaceRecognizer(ReadCandidateRecognizer):
    ENTITIES = ("LOCATION",)
    READER = "PlaceReader"
    candidates = staticmethod(candidates)
