"""The text helpers of everything above the guard (questions are redacted text; policies are
public): one fold, one tokenizer, one stemmer, one stop-word list, one line splitter.

The guard has its own, offset-preserving fold (`guards/text.py`): it must map every match back
to the raw message, which this fold (it drops characters) cannot do."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+")
_RUN = re.compile(r"[A-Za-z0-9]+")
# Case changes inside a run: "comOptanon" | "BoxClosed" | "LIVEThird" (upper-case letters before a capitalised word)
_CASE_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


STOP = _words(
    # English function words
    "a an and are as at be by can could do does for from has have how i if in is it its me my of on or "
    "our so that the their them there these they this to us was we were what when where which who why "
    "will with would you your yours about any all also been being into may more not only other such "
    "than then here im i'm pls please thanks hi hello"
    # French function words (folded)
    " au aux avec ce ces cette dans de des du elle en est et il je la le les leur leurs lui ma mais me mes "
    "mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sont sur ta te tes toi ton tu un une "
    "vos votre vous y l d j c n s m est-ce quoi quel quelle quels quelles combien comment pourquoi quand "
    "ai as avez ont etes suis sommes ca cela merci bonjour svp"
)


def _unaccent(text: str) -> str:
    text = text.translate(_APOSTROPHES).replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without accents or ligatures ("Données" -> "donnees", "œuvre" -> "oeuvre");
    letters without an ASCII form are kept, never deleted."""
    return _unaccent(text).lower()


def _identifier_words(text: str) -> list[str]:
    """Folded word tokens, a run whose case changes inside it ("OptanonAlertBoxClosed", a cookie
    name glued to its domain in a flattened table: "youtube.comYSC") read as its words and as the
    words joined from each change on ("optanon", "alert", …, "optanonalertboxclosed"), so the name
    matches however it is written and whatever it is glued to."""
    out: list[str] = []
    for run in _RUN.findall(_unaccent(text)):
        parts = _CASE_BREAK.split(run)
        out.extend(p.lower() for p in parts)
        out.extend("".join(parts[i:]).lower() for i in range(len(parts) - 1))
    return out


def stem(word: str) -> str:
    """A light suffix stemmer shared by BM25 and every term comparison (plural, -ing, -ed, -ation...)."""
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


def words(text: str) -> list[str]:
    """Folded word tokens, stop words kept (for counting and language-neutral checks)."""
    return _TOKEN.findall(fold(text))


def tokens(text: str) -> list[str]:
    """Stemmed content tokens (stop words and 1-letter tokens dropped): BM25 and term overlap. Letters
    without an ASCII form end a token, as in `words`; identifiers read as in `_identifier_words`."""
    return [stem(t) for t in _identifier_words(text) if t not in STOP and len(t) > 1]


# brackets break clauses, except those of a redaction placeholder ("je suis [RELIGION]" is one clause: split
# there, "je suis" alone read as someone saying who they are, and as a student)
_CLAUSE_BREAK = re.compile(r"\s*(?:(?:[.?!;:()]|\[(?![A-Z][A-Z_]*\])|(?<![A-Z_])\])+|,|\s[-–—]\s)\s*")
_COORDINATOR = re.compile(r"\s+(?:and|but|et|mais)\s+", re.I)


def clauses(text: str) -> list[str]:
    """The message's clauses (split at sentence ends, commas, brackets and spaced dashes), those of
    two words or more; [] when there is only one ("I'm a lecturer here, what do you keep on me?"
    -> ["I'm a lecturer here", "what do you keep on me"]). A redaction placeholder stays inside its
    clause: "j'ai un [HEALTH], vous avez quoi sur moi ?" -> ["j'ai un [HEALTH]", "vous avez quoi sur moi"]."""
    parts = [p for p in _CLAUSE_BREAK.split(text) if len(p.split()) >= 2]
    return parts if len(parts) > 1 else []


def coordinated(clause: str) -> list[str]:
    """A clause split where "and"/"but" ("et"/"mais") join two statements, the parts of two words or more:
    "I graduated from ESCE in 2015 and I haven't logged in since" -> both statements."""
    return [p for p in _COORDINATOR.split(clause) if len(p.split()) >= 2]


def lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) for every line of `text`; `end` excludes the newline."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def slugify(text: str, max_len: int = 48) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_len].rstrip("-") or "section"


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Offsets of text[a:b] without its surrounding white space."""
    seg = text[a:b]
    return a + len(seg) - len(seg.lstrip()), a + len(seg.rstrip())
