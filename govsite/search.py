"""Post-build stage: index the staged site's document pages with Pagefind for client-side search.

Pagefind's Chinese segmenter (the `pagefind-bin-extended` build) cuts text into words,
and a query is only found if it cuts the same way: 金桥镇区 is missed when the index
holds 金桥 and 镇区. So besides Pagefind's own words, every indexed page gets *n-gram
tokens*: the page's text in the canonical form of `canonical_text`, cut into bigrams of
consecutive characters, each spelt as one ASCII word (`zq` + 4 letters per character)
that no segmenter splits. `static/js/search.js` cuts a query the same way and checks
each candidate's text, so any few consecutive characters of a page find it.

The tokens are added to a private copy of each page that only Pagefind reads; the pages
readers download are not made bigger. The copy puts them after a `zqzq` sentinel at the
end of the indexed text, where search.js cuts them off before showing an excerpt.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from govsite.errors import Report, SourceLocation

BUNDLE_DIR = "pagefind"
"""Where the search bundle goes inside the build folder (search.html links to it)."""
SENTINEL = "zqzq"
TOKEN_PREFIX = "zq"
HIGH_WEIGHT = "10"
"""Pagefind weight of tokens from the title, 文号 and 索引号 (body text weighs 1)."""
TIMEOUT_SECONDS = 600

# Han ideographs (with 〇), the same ranges as HAN_RANGES in search.js.
HAN_RANGES = ((0x3007, 0x3007), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
HAN_SUPPLEMENTARY = (0x20000, 0x3134F)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


# -- the normalisation shared with search.js ----------------------------------------------


def char_class(char: str) -> str:
    """'h' for a Han character, 'd' for an ASCII digit, 'l' for another letter, '' otherwise."""
    code = ord(char)
    low, high = HAN_SUPPLEMENTARY
    if any(a <= code <= b for a, b in HAN_RANGES) or low <= code <= high:
        return "h"
    if "0" <= char <= "9":
        return "d"
    return "l" if char.isalpha() else ""


def canonical_text(text: str) -> str:
    """Text as search compares it: NFKC, lower case, runs of one script joined by single spaces.

    Brackets, punctuation and spacing only separate runs, and a run of Han characters,
    of digits or of letters always ends where another begins, so `国办发〔2024〕3号`,
    `国办发[2024]3号`, `国办发(2024)3号` and `国办发2024 3号` all read `国办发 2024 3 号`.
    `canonicalText` in search.js is the same function.
    """
    runs: list[str] = []
    current: list[str] = []
    previous = ""
    for char in unicodedata.normalize("NFKC", text).lower():
        kind = char_class(char)
        if current and kind != previous:
            runs.append("".join(current))
            current = []
        if kind:
            current.append(char)
        previous = kind
    if current:
        runs.append("".join(current))
    return " ".join(runs)


def encode_chars(chars: str) -> str:
    """One ASCII word for `chars`: `zq` and four letters (base 26) per character."""
    letters = []
    for char in chars:
        code = ord(char)
        digits = [LETTERS[(code // 26**power) % 26] for power in (3, 2, 1, 0)]
        letters.append("".join(digits))
    return TOKEN_PREFIX + "".join(letters)


def index_tokens(text: str) -> list[str]:
    """The n-gram tokens of `text`: each bigram of each run, and the run itself if it is one character."""
    tokens: list[str] = []
    for run in canonical_text(text).split():
        if len(run) == 1:
            tokens.append(encode_chars(run))
        else:
            tokens.extend(encode_chars(run[i : i + 2]) for i in range(len(run) - 1))
    return tokens


# -- reading a page as Pagefind does ------------------------------------------------------

# Elements that end a line of text: their text is never run together with the next one's.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


@dataclass(frozen=True, slots=True)
class IndexedText:
    """The text Pagefind indexes on a page: what carries a `data-pagefind-weight`, and the rest."""

    weighted: str
    plain: str


class _BodyText(HTMLParser):
    """Collects the text inside `data-pagefind-body`, leaving out `data-pagefind-ignore` parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool, bool]] = []  # tag, in body, ignored, weighted
        self.weighted: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        in_body, ignored, weighted = self.stack[-1][1:] if self.stack else (False, False, False)
        state = (
            tag,
            in_body or "data-pagefind-body" in names,
            ignored or tag in SKIPPED_TAGS or "data-pagefind-ignore" in names,
            weighted or "data-pagefind-weight" in names,
        )
        self._break(tag)
        if tag not in VOID_TAGS:
            self.stack.append(state)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            (self.weighted if self.stack[-1][3] else self.plain).append(data)

    def _break(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.weighted.append("\n")
            self.plain.append("\n")


def indexed_text(html: str) -> IndexedText:
    parser = _BodyText()
    parser.feed(html)
    parser.close()
    return IndexedText("".join(parser.weighted), "".join(parser.plain))


def with_tokens(html: str) -> str:
    """The page with its n-gram tokens appended as a last `data-pagefind-body` element."""
    text = indexed_text(html)
    weighted = _unique(index_tokens(text.weighted))
    plain = _unique(index_tokens(text.plain))
    block = (
        f'<div data-pagefind-body><p data-pagefind-weight="{HIGH_WEIGHT}">{SENTINEL} '
        f"{' '.join(weighted)}</p><p>{' '.join(plain)}</p></div>"
    )
    end = html.rfind("</body>")
    if end < 0:
        return html + block
    return html[:end] + block + html[end:]


def _unique(tokens: Iterable[str]) -> list[str]:
    """Each token once, in first-seen order (repeats would only make the fragment bigger)."""
    return list(dict.fromkeys(tokens))


# -- running Pagefind -----------------------------------------------------------------------


def pagefind_executable() -> Path | None:
    """The Pagefind binary of `pagefind-bin-extended`, or None if it is not installed."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        return Path(get_executable())
    except FileNotFoundError:
        return None


def index_site(folder: Path, page_paths: Sequence[str], report: Report) -> None:
    """Write the search bundle for the pages at `page_paths` into `folder`/pagefind.

    Without Pagefind the site is still built, with a warning (GS501; fatal with
    `--strict`): the search page then tells readers search is unavailable and links
    to the disclosure index, which is complete without it.
    """
    if not page_paths:
        return  # nothing to search (Pagefind refuses an empty site); search.html says so
    executable = pagefind_executable()
    if executable is None:
        _warn(report, "pagefind-bin-extended is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="govsite-index-") as copies:
        _write_copies(folder, Path(copies), page_paths)
        _run_pagefind(executable, Path(copies), folder / BUNDLE_DIR, report)


def _write_copies(folder: Path, copies: Path, page_paths: Sequence[str]) -> None:
    for relative in page_paths:
        target = copies / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        html = (folder / relative).read_text(encoding="utf-8")
        target.write_text(with_tokens(html), encoding="utf-8")


def _run_pagefind(executable: Path, site: Path, bundle: Path, report: Report) -> None:
    command = [str(executable), "--site", str(site), "--output-path", str(bundle), "--silent"]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(bundle, ignore_errors=True)  # never ship half a bundle
        detail = getattr(exc, "stderr", None) or str(exc)
        _warn(report, f"Pagefind failed: {detail.strip()}")


def _warn(report: Report, reason: str) -> None:
    report.warning(
        "GS501",
        f"the search index was not built: {reason}",
        SourceLocation(PurePosixPath("govsite.yaml")),
        "install govsite's dependencies (pip install -e .); the search page says search is unavailable",
    )
