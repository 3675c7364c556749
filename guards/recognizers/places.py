"""Places that locate a person, found without a cue: a town, country or US state of the gazetteer
(`guards/places.py`) that the place reader (`guards.owner.PlaceReader`, a classifier over the e5
embedding of the place in its sentence) reads as where someone lives, comes from or was born ("from:
Galway", "moving from Lille for the Lyon programme": Lille). A campus, a destination or a topic ("is
the Lyon campus open?") is left alone. The cue recognizers (`ResidenceRecognizer`,
`BirthplaceRecognizer`) still find places after "I live in" / "né à" whatever their size."""

from __future__ import annotations

from functools import cached_property

from guards.places import candidates
from guards.recognizers.base import GuardRecognizer


class PlaceRecognizer(GuardRecognizer):
    ENTITIES = ("LOCATION",)
    SCORE = 0.6

    @cached_property
    def reader(self):
        from guards.owner import PlaceReader

        return PlaceReader()

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if entities and "LOCATION" not in entities:
            return []
        return [self.result(a, b, self.SCORE) for a, b in candidates(text) if self.reader.personal(text, a, b)]
