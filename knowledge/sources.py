"""Read and validate a knowledge source file (plain text, Markdown or HTML).

The text returned is what chunk offsets index: for `.txt`/`.md` it is the file decoded
exactly (no newline translation); for HTML it is the visible text extracted from the markup
(kept next to the index as `source.txt` so offsets stay checkable)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from knowledge.errors import SourceError

DEFAULT_SOURCE = Path(__file__).parent / "sources" / "omnes.txt"
KINDS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class SourceText:
    path: Path
    kind: str  # text | markdown | html
    text: str
    headings: tuple[tuple[int, int, int], ...] = ()  # (start, end, level) of HTML headings in `text`

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def load_source(path: Path | str | None = None) -> SourceText:
    """Read a source file. Raises SourceError (one line, says what to do) when it cannot be used."""
    path = Path(path) if path is not None else DEFAULT_SOURCE
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        allowed = ", ".join(sorted(KINDS))
        raise SourceError(f"Unsupported source type '{path.suffix or '(none)'}' for {path.name}; use one of {allowed}.")
    if not path.exists():
        raise SourceError(f"Source file {path} does not exist. Pass an existing file with --source.")
    if not path.is_file():
        raise SourceError(f"Source {path} is not a regular file. Pass a text, Markdown or HTML file with --source.")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(f"Source file {path} is {size} bytes; the limit is {MAX_BYTES}. Split the policy.")
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"Cannot read source file {path}: {exc.strerror}. Check the path and permissions.") from None
    if b"\x00" in raw:
        raise SourceError(f"Source file {path} looks binary (contains NUL bytes); pass a UTF-8 text, Markdown or HTML file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"Source file {path} is not UTF-8 text; save it as UTF-8 and run ingest again.") from None
    headings: tuple[tuple[int, int, int], ...] = ()
    if kind == "html":
        text, headings = html_to_text(text)
    if not text.strip():
        raise SourceError(f"Source file {path} is empty (no text to index); pass a file with the policy text.")
    return SourceText(path=path, kind=kind, text=text, headings=headings)


_BLOCK = {"p", "div", "section", "article", "li", "ul", "ol", "table", "tr", "br", "header", "footer", "main",
          "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "nav", "aside", "dd", "dt"}
_SKIP = {"script", "style", "noscript", "template", "head", "svg"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.skip = 0
        self.heading_level = 0
        self.heading_start = 0
        self.headings: list[tuple[int, int, int]] = []

    def _emit(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def _break(self) -> None:
        # paragraph break: make sure the text ends with exactly one blank line
        tail = "".join(self.parts[-3:])
        if not tail:
            return
        if tail.endswith("\n\n"):
            return
        self._emit("\n" if tail.endswith("\n") else "\n\n")

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self._break()
            if tag == "li":
                self._emit("  • ")
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading_level = int(tag[1:])
                self.heading_start = self.length

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            if self.heading_level and tag == f"h{self.heading_level}":
                if self.length > self.heading_start:
                    self.headings.append((self.heading_start, self.length, self.heading_level))
                self.heading_level = 0
            self._break()

    def handle_data(self, data):
        if self.skip:
            return
        text = " ".join(data.split())
        if not text:
            return
        tail = self.parts[-1] if self.parts else ""
        if tail and not tail.endswith((" ", "\n")) and data[:1].isspace():
            self._emit(" ")
        self._emit(text)


def html_to_text(html: str) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """Visible text of an HTML page, blocks separated by blank lines, plus heading spans."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts), tuple(parser.headings)
