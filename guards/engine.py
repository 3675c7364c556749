"""Build the Presidio AnalyzerEngine for the guard from `guards/config/nlp.yaml` (explicit, offline)."""

from __future__ import annotations

import logging
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    SpacyRecognizer,
)

from bot.errors import ConfigError, ModelMissingError
from bot.yamlfile import load_mapping
from guards.lexicon import load_lexicon
from guards.recognizers.contextual import (
    BirthplaceRecognizer,
    DateOfBirthRecognizer,
    NameAfterCueRecognizer,
    ResidenceRecognizer,
)
from guards.recognizers.identifiers import (
    FrIneRecognizer,
    FrNirRecognizer,
    PhoneNumberRecognizer,
    StreetAddressRecognizer,
)
from guards.recognizers.names import FirstNameRecognizer, SelfIntroRecognizer
from guards.recognizers.special import SpecialCategoryRecognizer

CONFIG_DIR = Path(__file__).parent / "config"
LANGS = ("en", "fr")
PRESIDIO_LOGGERS = ("presidio-analyzer", "presidio-anonymizer", "presidio_analyzer", "presidio_anonymizer")

CARD_CONTEXT = ["credit", "card", "carte", "bancaire", "crédit", "cb", "visa", "mastercard", "amex", "maestro"]
PHONE_CONTEXT = ["phone", "telephone", "mobile", "cell", "call", "téléphone", "portable", "numéro", "tel", "tél"]


def quiet_presidio() -> None:
    """Presidio logs analysed text at INFO/DEBUG: keep its own loggers at WARNING (never the root)."""
    for name in PRESIDIO_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def load_yaml(name: str) -> dict:
    return load_mapping(CONFIG_DIR / name, "guard config", empty_ok=False)


class LeanSpacyNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine that loads only the components it is told to keep (default: all) and, when
    the lemmatizer is excluded, uses lower-cased tokens as lemmas for Presidio's context words."""

    def __init__(self, models, ner_model_configuration=None, keep_components=None, ner_gate=None):
        super().__init__(models=models, ner_model_configuration=ner_model_configuration)
        self.keep_components = list(keep_components) if keep_components else None
        self.ner_gate = ner_gate  # callable(text) -> bool; False: tokenise only, skip the models

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        if self.ner_gate is not None and not self.ner_gate(text):
            return self._doc_to_nlp_artifact(self.nlp[language].make_doc(text), language)
        return super().process_text(text, language)

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            name = model["model_name"]
            if not spacy.util.is_package(name):
                raise ModelMissingError(
                    f"spaCy model '{name}' is not installed; install it (pip install {name.replace('_', '-')})."
                )
            if self.keep_components:
                pipes = _pipe_names(name)
                exclude = [p for p in pipes if p not in self.keep_components]
                self.nlp[model["lang_code"]] = spacy.load(name, exclude=exclude)
            else:
                self.nlp[model["lang_code"]] = spacy.load(name)

    def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        if not any(artifacts.lemmas):
            artifacts.lemmas = [token.lower_ for token in doc]
        return artifacts


def _pipe_names(model_name: str) -> list[str]:
    meta = spacy.util.get_package_path(model_name)
    cfg = spacy.util.load_config(next(meta.glob("*/config.cfg")))
    return list(cfg["nlp"]["pipeline"])


def build_nlp_engine(config: dict | None = None, lean: bool = True, ner_gate=None) -> LeanSpacyNlpEngine:
    config = config or load_yaml("nlp.yaml")
    try:
        ner_conf = NerModelConfiguration(**config.get("ner_model_configuration", {}))
    except Exception as exc:  # pydantic validation
        raise ConfigError(f"guards/config/nlp.yaml: invalid ner_model_configuration ({exc.__class__.__name__}).") from None
    engine = LeanSpacyNlpEngine(
        models=config["models"],
        ner_model_configuration=ner_conf,
        keep_components=config.get("keep_components") if lean else None,
        ner_gate=ner_gate,
    )
    engine.load()
    return engine


def guard_recognizers(lang: str) -> list:
    """Every recognizer the guard runs for one language (pattern + NER + lexicon)."""
    lexicon = load_lexicon(lang)
    return [
        SpacyRecognizer(supported_language=lang, supported_entities=["PERSON"]),
        EmailRecognizer(supported_language=lang),
        IbanRecognizer(supported_language=lang),
        IpRecognizer(supported_language=lang),
        CreditCardRecognizer(supported_language=lang, context=CARD_CONTEXT),
        PhoneNumberRecognizer(supported_language=lang, context=PHONE_CONTEXT),
        FrNirRecognizer(supported_language=lang, context=["nir", "sécurité sociale", "securite sociale", "social security", "sécu"]),
        FrIneRecognizer(supported_language=lang, context=["ine", "étudiant", "student", "bea", "numéro"]),
        StreetAddressRecognizer(supported_language=lang),
        DateOfBirthRecognizer(lexicon, supported_language=lang),
        NameAfterCueRecognizer(lexicon.names, supported_language=lang, pair_cue=lexicon.name_pairs),
        ResidenceRecognizer(lexicon.residence, supported_language=lang),
        BirthplaceRecognizer(lexicon, supported_language=lang),
        FirstNameRecognizer(supported_language=lang),
        SelfIntroRecognizer(supported_language=lang),
        SpecialCategoryRecognizer(lexicon, supported_language=lang),
    ]


def build_analyzer(nlp_engine: SpacyNlpEngine | None = None, ner_gate=None) -> AnalyzerEngine:
    quiet_presidio()
    nlp_engine = nlp_engine or build_nlp_engine(ner_gate=ner_gate)
    registry = RecognizerRegistry(supported_languages=list(LANGS))
    for lang in LANGS:
        for recognizer in guard_recognizers(lang):
            registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=list(LANGS))
    quiet_presidio()
    return analyzer
