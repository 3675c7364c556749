"""Identifiers written to dodge a pattern: e-mail addresses with "at"/"arobase"/"[dot]"/"point",
and numbers spelled out in words (English and French number words, `guards/lexicons/numbers.yaml`)."""

from __future__ import annotations

import re
from functools import cache

from guards.config import LEXICON_DIR, load_mapping
from guards.recognizers.base import GuardRecognizer
from guards.text import fold

_DOT = r"(?:\s*[\[\(\{<]\s*(?:dot|point|pt)\s*[\]\)\}>]\s*|\s+(?:dot|point)\s+|\.)"
_AT = r"(?:\s*[\[\(\{<]\s*(?:at|arobase|arobas|chez)\s*[\]\)\}>]\s*|\s+(?:at|arobase|arobas)\s+|\s*@\s*)"
_PART = r"[a-z0-9][a-z0-9_%+\-]*"
_TLD = r"(?:com|net|org|edu|gov|fr|uk|co|io|eu|de|be|ch|es|it|nl|me|info|biz|ca|us|ma|tn|dz|sn|lu|mc|pt|pl)"
OBFUSCATED_EMAIL = re.compile(rf"(?<![a-z0-9_.@])({_PART}(?:{_DOT}{_PART})*){_AT}({_PART}(?:{_DOT}{_PART})*{_DOT}{_TLD})(?![a-z0-9])")
_PLAIN_EMAIL = re.compile(r"[a-z0-9_.%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}$")
_PLAIN_AT = re.compile(r"\s+at\s+")
# with a bare " at " the local part must look like an address (digits, dots, underscores, "x dot y")
# or the domain must be a mail provider: "meet at gmail.com" is no address, "john at gmail dot com" is
_MAIL_PROVIDERS = re.compile(
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|icloud|me|aol|gmx|proton|protonmail|orange|free|sfr|"
    r"laposte|wanadoo|bbox|numericable|neuf|club-internet)\b"
)


class ObfuscatedEmailRecognizer(GuardRecognizer):
    """"tom dot willis at outlook dot com", "camille point bernard arobase gmail point com",
    "k.dubois [at] outlook [dot] fr", "bdlrg(at)free(point)fr" (plain addresses: Presidio's)."""

    ENTITIES = ("EMAIL_ADDRESS",)
    SCORE = 0.9

    def find(self, text):
        folded = fold(text)
        for m in OBFUSCATED_EMAIL.finditer(folded):
            if _PLAIN_EMAIL.match(m.group()):
                continue  # an ordinary address: EmailRecognizer's
            local = m.group(1)
            if _PLAIN_AT.search(folded, m.end(1), m.start(2) + 1) and not (
                re.search(r"[0-9._]|\s(?:dot|point)\s", local) or _MAIL_PROVIDERS.match(m.group(2))
            ):
                continue
            yield "EMAIL_ADDRESS", m.start(), m.end(), self.SCORE


@cache
def number_words() -> tuple[dict[str, tuple[str, int]], frozenset[str], frozenset[str], int]:
    """(word -> (kind, value), hundred words, glue words, min digits)."""
    data = load_mapping(LEXICON_DIR / "numbers.yaml", "number words", required=("units", "teens", "tens"))
    table: dict[str, tuple[str, int]] = {fold(w): ("zero", 0) for w in data.get("zero") or []}
    for kind in ("units", "teens", "tens"):
        for words in (data[kind] or {}).values():
            table.update({fold(w): (kind, int(v)) for w, v in words.items()})
    hundred = frozenset(fold(w) for w in data.get("hundred") or [])
    glue = frozenset(fold(w) for w in data.get("glue") or [])
    return table, hundred, glue, int(data.get("min_digits", 8))


def digits_of(words: list[str]) -> str:
    """Digits a run of number words says: groups of tens + unit, French 60/80 + teens."""
    table, hundred, _, _ = number_words()
    out, i = [], 0
    while i < len(words):
        kind, value = table.get(words[i], ("", 0)) if words[i] not in hundred else ("hundred", 100)
        nxt = table.get(words[i + 1], ("", 0)) if i + 1 < len(words) else ("", 0)
        if kind == "units" and value == 4 and i + 1 < len(words) and words[i + 1].startswith("vingt"):
            kind, value, i = "tens", 80, i + 1  # quatre-vingt(s)
            nxt = table.get(words[i + 1], ("", 0)) if i + 1 < len(words) else ("", 0)
        if kind == "tens" and (nxt[0] == "units" or (nxt[0] == "teens" and value in (60, 80))):
            out.append(str(value + nxt[1]))
            i += 2
            continue
        if kind == "hundred" and out:
            out[-1] = str(int(out[-1]) * 100)
        elif kind:
            out.append(str(value))
        i += 1
    return "".join(out)


_WORDS = re.compile(r"[a-z]+")


class SpelledNumberRecognizer(GuardRecognizer):
    """A run of number words saying at least `min_digits` digits: a phone number when it says 9 to
    12 digits starting with 0, an ID_NUMBER otherwise."""

    ENTITIES = ("PHONE_NUMBER", "ID_NUMBER")
    SCORE = 0.8
    GAP = re.compile(r"^[\s,\-.;/]*$")

    def find(self, text):
        table, hundred, glue, min_digits = number_words()
        folded = fold(text)
        run: list[re.Match] = []
        for m in [*_WORDS.finditer(folded), None]:
            word = m.group() if m else ""
            is_number = word in table or word in hundred
            gap = folded[run[-1].end():m.start()] if run and m is not None else ""
            joined = run and m is not None and self.GAP.match(" ".join(w for w in gap.split() if w not in glue))
            if is_number and (not run or joined):
                run.append(m)
                continue
            if word in glue and run and joined:
                continue  # "soixante et onze", "forty and two": keep the run open
            yield from self._emit(run, min_digits)
            run = [m] if is_number else []

    def _emit(self, run, min_digits):
        if not run:
            return
        digits = digits_of([m.group() for m in run])
        if len(digits) < min_digits:
            return
        entity = "PHONE_NUMBER" if digits.startswith("0") and 9 <= len(digits) <= 12 else "ID_NUMBER"
        yield entity, run[0].start(), run[-1].end(), self.SCORE
