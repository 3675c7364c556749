"""Load the per-language lexicons (`guards/lexicons/<lang>.yaml`) and compile them to regexes.

Term syntax: "(x)" optional, "(x|y)" optional alternative, "{x|y}" required alternative,
"re:..." raw regex, a leading "~" marks a *generic* term (a category word such as "disability"
or "religious" that names the topic rather than a value: it is vetoed by data-handling words in
its clause even after "I"/"my"). Everything is matched on `guards.text.fold()`ed text (lower
case, no accents). A term does not match as the first part of a hyphenated word ("bi-annual",
"blind-copied", "gay-friendly"): spell such compounds as terms ("hiv-positive")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from guards.config import LEXICON_DIR, load_mapping
from guards.errors import ConfigError
from guards.text import fold
from guards.types import SPECIAL_CATEGORIES

_BEFORE = r"(?<![a-z0-9])"
_AFTER = r"(?![a-z0-9])(?!-[a-z])"


def term_to_regex(term: str) -> str:
    """Translate the lexicon term syntax to a regex bounded by word edges."""
    if term.startswith("re:"):
        return term[3:]
    return _BEFORE + term_body(term) + _AFTER


def term_body(term: str) -> str:
    """The regex of a (non-raw) term, without its word-edge guards."""
    out, i = [], 0
    term = fold(term.strip())
    while i < len(term):
        ch = term[i]
        if ch in "({":
            close = ")" if ch == "(" else "}"
            j = term.index(close, i)
            alts = "|".join(re.escape(a).replace("\\ ", r"\s+") for a in term[i + 1 : j].split("|"))
            out.append(f"(?:{alts})" + ("?" if ch == "(" else ""))
            i = j + 1
        elif ch == " ":
            out.append(r"\s+")
            i += 1
        elif ch == "'":
            out.append(r"['\s]?")
            i += 1
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Lexicon:
    lang: str
    categories: dict[str, re.Pattern]  # entity -> one alternation pattern (specific terms)
    self_cues: frozenset[str]
    topic_cues: frozenset[str]
    topic_nouns: frozenset[str]
    near_tokens: int
    self_phrases: tuple[str, ...]
    residence: re.Pattern | None
    birth: re.Pattern | None
    names: re.Pattern | None
    name_pairs: re.Pattern | None = None
    relatives: re.Pattern | None = None  # cues that name someone else ("my son", "mon fils")
    generic: dict[str, re.Pattern] = field(default_factory=dict)  # entity -> generic category words
    openers: re.Pattern | None = None  # subject-less clause openers ("being", "as a", "atteint de")
    possessives: frozenset[str] = frozenset()  # cues that are possessives ("my", "mon")
    neutral_nouns: frozenset[str] = frozenset()  # "my campus", "mon dossier": not a disclosure cue
    modifies_after: frozenset[str] = frozenset()  # "Catholic school", "blind review": term is a modifier
    modifies_before: frozenset[str] = frozenset()  # "école catholique", "université catholique"
    question_starts: frozenset[str] = frozenset()  # a clause starting with these is a question/hypothesis
    here_words: frozenset[str] = frozenset()  # "diabetic here", "dyslexique ici"
    family_pronouns: frozenset[str] = frozenset()  # "she", "il": cues after an earlier first-person cue


def _cue_pattern(items: list[str] | None) -> re.Pattern | None:
    if not items:
        return None
    parts = []
    for item in items:
        item = str(item)
        parts.append(item[3:] if item.startswith("re:") else r"(?<![a-z0-9])" + re.escape(fold(item)) + r"(?![a-z0-9])")
    return re.compile("|".join(f"(?:{p})" for p in parts))


def _alternation(terms: list[str]) -> re.Pattern:
    """One pattern for a list of terms, longer terms first ("type 1 diabetes" before "diabetes").
    Plain terms share one pair of word-edge guards and are grouped by their first letter (a
    one-level trie): the regex engine then tries only the terms that can start at a position,
    which makes a lexicon search several times faster than a flat alternation."""
    ordered = sorted(terms, key=len, reverse=True)
    raw = [t[3:] for t in ordered if t.startswith("re:")]
    groups: dict[str, list[str]] = {}
    loose = []
    for term in ordered:
        if term.startswith("re:"):
            continue
        body = term_body(term)
        if body[:1].isalnum() and body[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(body[0], []).append(body[1:])
        else:
            loose.append(body)
    branches = loose + [f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items()]
    parts = [f"{_BEFORE}(?:{'|'.join(branches)}){_AFTER}"] if branches else []
    return re.compile("|".join(parts + [f"(?:{r})" for r in raw]))


def _words(cues: dict, key: str) -> frozenset[str]:
    return frozenset(fold(str(c)) for c in cues.get(key, []) or [])


def parse_lexicon(data: dict, name: str = "lexicon") -> Lexicon:
    if not isinstance(data, dict) or "categories" not in data or "cues" not in data:
        raise ConfigError(f"{name}: a lexicon needs 'lang', 'cues' and 'categories' mappings.")
    categories, generic = {}, {}
    for entity, terms in (data["categories"] or {}).items():
        if entity not in SPECIAL_CATEGORIES:
            raise ConfigError(f"{name}: unknown category '{entity}'; use one of {', '.join(SPECIAL_CATEGORIES)}.")
        if not terms:
            continue
        bad = [t for t in terms if not isinstance(t, str)]
        if bad:
            raise ConfigError(f"{name}: {entity} has a term that is not a string ({bad[0]!r}); quote it in the YAML.")
        specific = [t for t in terms if not t.startswith("~")]
        vague = [t[1:] for t in terms if t.startswith("~")]
        try:
            if specific:
                categories[entity] = _alternation(specific)
            if vague:
                generic[entity] = _alternation(vague)
        except (re.error, ValueError) as exc:
            raise ConfigError(f"{name}: a term of {entity} is not valid ({exc}); fix the lexicon.") from None
    cues = data["cues"] or {}
    try:
        return Lexicon(
            lang=str(data.get("lang", "")),
            categories=categories,
            self_cues=_words(cues, "self"),
            topic_cues=_words(cues, "topic"),
            topic_nouns=_words(cues, "topic_nouns"),
            near_tokens=int(cues.get("near_tokens", 5)),
            self_phrases=tuple(" " + fold(str(c)) + " " for c in cues.get("self_phrases", []) or []),
            residence=_cue_pattern((data.get("residence") or {}).get("cues")),
            birth=_cue_pattern((data.get("birth") or {}).get("cues")),
            names=_cue_pattern((data.get("names") or {}).get("cues")),
            name_pairs=_cue_pattern((data.get("names") or {}).get("pair_cues")),
            relatives=_cue_pattern((data.get("names") or {}).get("relative_cues")),
            generic=generic,
            openers=_cue_pattern(cues.get("openers")),
            possessives=_words(cues, "possessives"),
            neutral_nouns=_words(cues, "neutral_nouns"),
            modifies_after=_words(cues, "modifies_after"),
            modifies_before=_words(cues, "modifies_before"),
            question_starts=_words(cues, "question_starts"),
            here_words=_words(cues, "here"),
            family_pronouns=_words(cues, "family_pronouns"),
        )
    except re.error as exc:
        raise ConfigError(f"{name}: a cue pattern is not valid ({exc}); fix the lexicon.") from None


@cache
def load_lexicon(lang: str) -> Lexicon:
    path = LEXICON_DIR / f"{lang}.yaml"
    if not path.exists():
        raise ConfigError(f"No lexicon for language '{lang}' ({path}); add guards/lexicons/{lang}.yaml.")
    return parse_lexicon(load_mapping(path, "lexicon"), path.name)
