"""Small text helpers shared by BM25, the glossary and audience detection: accent folding,
tokenising, a light English stemmer, and a cheap EN/FR language guess."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+")


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


EN_STOP = _words(
    "a an and are as at be by can do does for from has have how i if in is it its me my of on or our "
    "so that the their them there these they this to us was we were what when where which who why will "
    "with would you your yours about any all also been being into may more not only other such than "
    "then here"
)
FR_STOP = _words(
    "a au aux avec ce ces cette dans de des du elle en est et il je la le les leur leurs lui ma mais me "
    "mes mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sont sur ta te tes toi ton tu "
    "un une vos votre vous y l d j c n s m qu est-ce quoi quel quelle quels quelles combien comment "
    "pourquoi quand ai as avez ont etes suis sommes"
)
_FR_HINTS = _words(
    "je vous nous est les des une que qui quoi quel quelle quels quelles combien comment pourquoi donnees "
    "mes mon ma votre vos est-ce ai suis etes avez dans pour sur avec sont pas du au aux"
)
_EN_HINTS = _words(
    "the you your my is are do does how what when why which who can i we our of for with data keep"
)


def fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes normalised."""
    text = text.replace("’", "'").replace("‘", "'")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def stem(word: str) -> str:
    """A deliberately light English stemmer (plural, -ing, -ed, -age, -ion...)."""
    for suffix, repl, min_len in (
        ("ational", "ate", 4), ("ization", "ize", 4), ("ations", "ate", 4), ("ation", "ate", 4),
        ("ements", "", 4), ("ement", "", 4), ("ments", "", 4), ("ment", "", 4),
        ("ities", "", 4), ("ity", "", 4), ("ing", "", 4), ("ies", "i", 3), ("ied", "i", 3),
        ("ed", "", 4), ("es", "", 4), ("s", "", 3), ("age", "", 4), ("ly", "", 4), ("er", "", 4), ("e", "", 4),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= min_len:
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # transferr(ed) -> transfer
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    elif word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word


def tokens(text: str, *, stop: frozenset[str] = EN_STOP | FR_STOP) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(fold(text)) if t not in stop and len(t) > 1]


def guess_lang(text: str) -> str:
    """'fr' or 'en' from function words and accents; defaults to 'en'."""
    raw = text.lower()
    words = re.findall(r"[a-zà-ÿ'-]+", raw)
    folded = [fold(w) for w in words]
    fr = sum(w in _FR_HINTS for w in folded) + sum(ch in "éèêàùçôîâû" for ch in raw) * 0.5
    fr += sum(w.startswith(("l'", "d'", "j'", "qu'", "n'", "s'", "c'")) for w in folded)
    en = sum(w in _EN_HINTS for w in folded)
    return "fr" if fr > en else "en"
