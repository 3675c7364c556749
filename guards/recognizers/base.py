"""Small bases for the guard's recognizers (Presidio classes, resolved by name from
`guards/config/recognizers.yaml`).

- `ShapeRecognizer`: a `PatternRecognizer` whose subclasses declare ENTITY, PATTERNS and, when the
  shape has a checksum, `validate_result` (True raises the score to 1.0; None keeps the pattern's
  score: a checksum raises confidence, it never gates).
- `GuardRecognizer`: a `LocalRecognizer` for recognizers that are code, not one regex.
Every recognizer gets `context` for all the guard's languages (its own language first): the guard
runs every language's cues on every message whatever the language hint says."""

from __future__ import annotations

from presidio_analyzer import (
    AnalysisExplanation,
    LocalRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)

from guards.config import LANGS


def ordered_langs(first: str) -> tuple[str, ...]:
    """The guard's languages, `first` first (the hint only orders them)."""
    return (first,) + tuple(lang for lang in LANGS if lang != first) if first in LANGS else LANGS


def make_result(recognizer, entity: str, start: int, end: int, score: float) -> RecognizerResult:
    return RecognizerResult(
        entity_type=entity,
        start=start,
        end=end,
        score=score,
        analysis_explanation=AnalysisExplanation(recognizer=recognizer.name, original_score=score),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )


class ShapeRecognizer(PatternRecognizer):
    """Subclasses set ENTITY, PATTERNS = [(name, regex, score)], FLAGS and may override
    `validate_result(pattern_text) -> bool | None`."""

    ENTITY = ""
    PATTERNS: list[tuple[str, str, float]] = []
    FLAGS = 0  # Presidio's default flags include IGNORECASE; shapes say what they need

    def __init__(self, supported_language: str = "en", context: list[str] | None = None,
                 supported_entity: str | None = None, name: str | None = None):
        super().__init__(
            supported_entity=supported_entity or self.ENTITY,
            name=name or f"{type(self).__name__}_{supported_language}",
            supported_language=supported_language,
            patterns=[Pattern(n, regex, score) for n, regex, score in self.PATTERNS],
            context=context,
            global_regex_flags=self.FLAGS,
        )


class GuardRecognizer(LocalRecognizer):
    """A recognizer written as code. Subclasses set ENTITIES and implement `find(text)` yielding
    (entity, start, end, score)."""

    ENTITIES: tuple[str, ...] = ()

    def __init__(self, supported_language: str = "en", context: list[str] | None = None,
                 supported_entities: list[str] | None = None, name: str | None = None):
        self.langs = ordered_langs(supported_language)
        super().__init__(
            supported_entities=list(supported_entities or self.ENTITIES),
            supported_language=supported_language,
            name=name or f"{type(self).__name__}_{supported_language}",
            context=context,
        )

    def load(self) -> None:  # noqa: D102 - data is loaded in __init__
        pass

    def result(self, start: int, end: int, score: float, entity: str | None = None) -> RecognizerResult:
        return make_result(self, entity or self.supported_entities[0], start, end, score)

    def find(self, text: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        wanted = set(entities or self.supported_entities)
        return [make_result(self, e, s, t, score) for e, s, t, score in self.find(text) if e in wanted and t > s]
