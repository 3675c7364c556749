"""Text as every database accepts it, fixed on the caller's thread before anything is queued.

PostgreSQL refuses NUL (U+0000) in text and no UTF-8 codec accepts lone surrogates
(U+D800-U+DFFF, which JSON `\\ud800` escapes can smuggle in). NUL is dropped, a lone surrogate
becomes U+FFFD; everything else (accents, emoji, other scripts) is kept as it is. One bad record
can then never fail the batch it shares with other visitors' exchanges.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def db_text(text: str) -> str:
    """`text` without the code points a database would refuse (see the module doc)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text
