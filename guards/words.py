"""Is a word an ordinary English or French word (a verb, adjective or adverb, inflected or not)?
Evidence against reading a capitalised word as a person's name: "Utilisez", "Vérifiez", "Claire
et précise", "Bonne journée". Data: `guards/lexicons/dictionary.txt` (built from the spaCy models'
lemma tables by `python -m guards.training.build_names`); regular inflections are derived here."""

from __future__ import annotations

from functools import cache

from guards.config import LEXICON_DIR
from guards.errors import ConfigError
from guards.text import fold

# (ending, replacement) pairs: an inflected form minus its ending plus the replacement is listed
_INFLECTIONS = (
    ("ez", "er"), ("ez", "ir"), ("ez", "re"), ("ons", "er"), ("ons", "ir"), ("ons", "re"),
    ("es", ""), ("e", ""), ("s", ""), ("x", ""), ("ee", "er"), ("ees", "er"), ("es", "er"),
    ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ies", "y"), ("ly", ""), ("ally", "al"),
)


def lexicon_lines(name: str, fix: str) -> list[str]:
    """The lines of `guards/lexicons/<name>`; a missing file raises a ConfigError saying `fix`."""
    try:
        return (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines()
    except OSError:
        raise ConfigError(f"The list guards/lexicons/{name} is missing; {fix}.") from None


@cache
def dictionary() -> frozenset[str]:
    lines = lexicon_lines("dictionary.txt", "run python -m guards.training.build_names")
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common_word(word: str, inflected: bool = True) -> bool:
    """True for a dictionary word or (`inflected`) a regular inflection of one ("utilisez",
    "claire", "asked"). Inflection rules also hit names ("Martinez"): use them only where an
    ordinary word is likely, as at a sentence start."""
    key = fold(word.strip(".'’-"))
    if len(key) < 3 or not key.isalpha():
        return False
    words = dictionary()
    if key in words:
        return True
    return inflected and any(key.endswith(end) and len(key) - len(end) >= 3 and key[: len(key) - len(end)] + rep in words
               for end, rep in _INFLECTIONS)


@cache
def public_words() -> dict[str, frozenset[str]]:
    """`guards/lexicons/public_words.yaml`: group -> folded entries (events, laws, months, places)."""
    from guards.config import load_mapping, word_list

    path = LEXICON_DIR / "public_words.yaml"
    data = load_mapping(path, "public-word list")
    return {group: frozenset(fold(w) for w in word_list(data, group, "guards/lexicons/public_words.yaml")) for group in data}


def never_names() -> frozenset[str]:
    """Events, laws and institutions: never a person's name, not even with a surname."""
    words = public_words()
    return words.get("events", frozenset()) | words.get("laws", frozenset())


def lone_not_names() -> frozenset[str]:
    """Months, days and places: a name only beside another name word ("May Chen", "Florence Dubois")."""
    words = public_words()
    return words.get("months", frozenset()) | words.get("places", frozenset())


def facilities() -> frozenset[str]:
    """Nouns of the things people's names are given to (building, amphi, prize, rue…): a name
    beside one names the thing ("the Simone Veil building", "prix Jean Moulin")."""
    return public_words().get("facilities", frozenset())


def determiners() -> frozenset[str]:
    """Articles: never the first word of a name ("Le BDE", "Les JPO")."""
    return public_words().get("determiners", frozenset())


@cache
def public_figures() -> tuple[frozenset[str], frozenset[str]]:
    """(full names, single names) of public figures, folded: `guards/lexicons/public_figures.txt`
    (a `# single names` block holds the names such a person goes by alone: "Einstein",
    "Voltaire"). A visitor who names one is not disclosing a private person."""
    lines = lexicon_lines("public_figures.txt", "restore it from the repository")
    full: set[str] = set()
    single: set[str] = set()
    block = full
    for line in lines:
        line = line.strip()
        if line.startswith("#"):
            block = single if "single" in line.lower() else full
        elif line:
            block.add(" ".join(fold(line).replace(".", " ").split()))
    return frozenset(full), frozenset(single)
