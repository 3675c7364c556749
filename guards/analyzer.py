"""Build the Presidio `AnalyzerEngine` for the guard: the NLP engine from `config/nlp.yaml`
(explicit spaCy models, offline) and the recognizers declared in `config/recognizers.yaml`.

A recognizer entry names a class (`name`, or `class_name` with a display `name`); classes are
resolved by name among Presidio's and the guard's recognizers, the way Presidio's own registry
does. Each entry is instantiated once per analyzer language with the context words of *every*
language (its own first): the guard reads every message with both languages' cues."""

from __future__ import annotations

import logging

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, NlpEngine, SpacyNlpEngine
from presidio_analyzer.recognizer_registry.recognizers_loader_utils import (
    PredefinedRecognizerNotFoundError,
    RecognizerListLoader,
)

import guards.recognizers  # noqa: F401  (registers the guard's recognizer classes for name lookup)
from guards.config import CONFIG_DIR, LANGS, load_mapping
from guards.errors import ConfigError, ModelMissingError

PRESIDIO_LOGGERS = ("presidio-analyzer", "presidio-anonymizer", "presidio_analyzer", "presidio_anonymizer")
_ENTRY_KEYS = {"name", "class_name", "enabled", "supported_languages"}


def quiet_presidio() -> None:
    """Presidio logs analysed text at INFO/DEBUG: keep its own loggers at WARNING (never the root)."""
    for name in PRESIDIO_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class LeanSpacyNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine that loads only the components it is told to keep and, when the lemmatizer is
    excluded, uses lower-cased tokens as lemmas for Presidio's context words. `ner_gate(text)`
    False: tokenise only (no name can survive the person filter, so NER need not run)."""

    def __init__(self, models, ner_model_configuration=None, keep_components=None, ner_gate=None):
        super().__init__(models=models, ner_model_configuration=ner_model_configuration)
        self.keep_components = list(keep_components) if keep_components else None
        self.ner_gate = ner_gate

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
            exclude = []
            if self.keep_components:
                path = spacy.util.get_package_path(name)
                pipes = spacy.util.load_config(next(path.glob("*/config.cfg")))["nlp"]["pipeline"]
                exclude = [p for p in pipes if p not in self.keep_components]
            self.nlp[model["lang_code"]] = spacy.load(name, exclude=exclude)

    def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        if not any(artifacts.lemmas):
            artifacts.lemmas = [token.lower_ for token in doc]
        return artifacts


def build_nlp_engine(config: dict | None = None, ner_gate=None) -> LeanSpacyNlpEngine:
    config = config or load_mapping(CONFIG_DIR / "nlp.yaml", "NLP config", required=("models",))
    try:
        ner_conf = NerModelConfiguration(**config.get("ner_model_configuration", {}))
    except Exception as exc:  # pydantic validation
        raise ConfigError(f"guards/config/nlp.yaml: invalid ner_model_configuration ({exc.__class__.__name__}).") from None
    engine = LeanSpacyNlpEngine(config["models"], ner_conf, config.get("keep_components"), ner_gate)
    engine.load()
    return engine


def recognizer_entries(config: dict | None = None) -> list[dict]:
    """The enabled entries of `config/recognizers.yaml`, validated."""
    config = config or load_mapping(CONFIG_DIR / "recognizers.yaml", "recognizer registry", required=("recognizers",))
    entries = config["recognizers"]
    if not isinstance(entries, list):
        raise ConfigError("guards/config/recognizers.yaml: 'recognizers' must be a list of entries.")
    out = []
    for i, entry in enumerate(entries, 1):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"guards/config/recognizers.yaml: entry {i} needs a 'name' (a recognizer class name).")
        for lang_conf in entry.get("supported_languages") or []:
            if not isinstance(lang_conf, dict) or lang_conf.get("language") not in LANGS:
                raise ConfigError(f"guards/config/recognizers.yaml: {entry['name']}: each supported_languages item needs "
                                  f"'language' (one of {', '.join(LANGS)}) and an optional 'context' list.")
        if entry.get("enabled", True):
            out.append(entry)
    return out


def _contexts(entry: dict) -> dict[str, list[str]]:
    return {c["language"]: [str(w) for w in c.get("context") or []] for c in entry.get("supported_languages") or []}


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def _presidio_has(class_name: str) -> bool:
    """A recognizer class of that name ships with Presidio (its registry resolves names among all subclasses)."""
    import presidio_analyzer.predefined_recognizers as predefined

    return isinstance(getattr(predefined, class_name, None), type)


def build_recognizers(lang: str, entries: list[dict] | None = None) -> list:
    """One instance of every enabled recognizer for analyzer language `lang`."""
    recognizers = []
    for entry in entries if entries is not None else recognizer_entries():
        class_name = RecognizerListLoader.get_recognizer_name(entry)
        try:
            cls = RecognizerListLoader.get_existing_recognizer_cls(class_name)
        except PredefinedRecognizerNotFoundError:
            raise ConfigError(f"guards/config/recognizers.yaml: no recognizer class '{class_name}'; define it under "
                              "guards/recognizers/ (a Presidio EntityRecognizer subclass) or fix the name.") from None
        mine = [c.__module__ for c in _subclasses(EntityRecognizer) if c.__name__ == class_name
                and c.__module__.startswith("guards.")] if _presidio_has(class_name) else []
        if mine:
            raise ConfigError(f"guards/config/recognizers.yaml: '{class_name}' ({mine[0]}) has the name of one of "
                              "Presidio's recognizers, so the name may load either; rename the guard's class.")
        contexts = _contexts(entry)
        context = contexts.get(lang, []) + [w for other in LANGS if other != lang for w in contexts.get(other, [])]
        kwargs = {k: v for k, v in entry.items() if k not in _ENTRY_KEYS}
        kwargs.update(supported_language=lang, context=context or None)
        if entry.get("class_name"):
            kwargs["name"] = f"{entry['name']}_{lang}"
        kwargs = RecognizerListLoader._prepare_recognizer_kwargs(kwargs, {}, cls)
        try:
            recognizers.append(cls(**kwargs))
        except TypeError as exc:
            raise ConfigError(f"guards/config/recognizers.yaml: {entry['name']}: {exc}; fix the entry's keys.") from None
    return recognizers


def build_analyzer(nlp_engine: NlpEngine | None = None, ner_gate=None) -> AnalyzerEngine:
    quiet_presidio()
    nlp_engine = nlp_engine or build_nlp_engine(ner_gate=ner_gate)
    registry = RecognizerRegistry(supported_languages=list(LANGS))
    entries = recognizer_entries()
    for lang in LANGS:
        for recognizer in build_recognizers(lang, entries):
            registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=list(LANGS))
    quiet_presidio()
    return analyzer
