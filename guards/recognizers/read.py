"""Recognizers whose candidates come from their shape and whose decision comes from a "whose is it?" reader of
`guards.owner` (places, dates). Apart from `base.py`: the readers import the name lists, which import the base."""

from __future__ import annotations

from functools import cached_property

from guards.recognizers.base import GuardRecognizer


class ReadCandidateRecognizer(GuardRecognizer):
    """Candidates proposed by their shape (`candidates(text)` → spans), kept when a "whose is it?" reader of
    `guards.owner` (`READER`, its class name) reads them as a person's: places, dates."""

    SCORE = 0.6
    READER = ""

    @staticmethod
    def candidates(text: str) -> list[tuple[int, int]]:  # pragma: no cover - abstract
        raise NotImplementedError

    @cached_property
    def reader(self):
        import guards.owner

        return getattr(guards.owner, self.READER)()

    def find(self, text):
        for a, b in self.candidates(text):
            if self.reader.personal(text, a, b):
                yield self.supported_entities[0], a, b, self.SCORE
