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

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree, html

from govsite.cachefiles import read_checked, remove, replace_folder, write_checked
from govsite.errors import Report, SourceLocation
from govsite.fingerprint import installed_version
from govsite.htmltree import elements

BUNDLE_DIR = "pagefind"
"""Where the search bundle goes inside the build folder (search.html links to it)."""
SHARD_PAGES = 4000
"""Pages per Pagefind run: at most about 1.3 GB of Pagefind's memory (index_site)."""
SHARDS_FILE = "shards.json"
SHARD_PREFIX = "shard-"
KEY_FILE = "key"
"""Beside a bundle kept in the build cache: what it indexed, and with which Pagefind."""
SENTINEL = "zqzq"
TOKEN_PREFIX = "zq"
HIGH_WEIGHT = "10"
"""Pagefind weight of tokens from the title, 文号 and 索引号 (body text weighs 1)."""
TIMEOUT_SECONDS = 600

# Han ideographs (with 〇), the same ranges as HAN_RANGES in search.js.
HAN_RANGES = ((0x3007, 0x3007), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
HAN_SUPPLEMENTARY = (0x20000, 0x3134F)
LETTERS = "abcdefghijklmnopqrstuvwxyz"
_HAN = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in (*HAN_RANGES, HAN_SUPPLEMENTARY))
# A run of Han characters, of ASCII digits, or of other letters, at C speed.
_RUN = re.compile(f"(?P<han>[{_HAN}]+)|(?P<digits>[0-9]+)|(?P<letters>(?:(?![{_HAN}])[^\\W\\d_])+)")


# -- the normalisation shared with search.js ----------------------------------------------


def canonical_text(text: str) -> str:
    """Text as search compares it: NFKC, lower case, runs of one script joined by single spaces.

    Brackets, punctuation and spacing only separate runs, and a run of Han characters,
    of digits or of letters always ends where another begins, so `国办发〔2024〕3号`,
    `国办发[2024]3号`, `国办发(2024)3号` and `国办发2024 3号` all read `国办发 2024 3 号`.
    A run is Han characters (HAN_RANGES), ASCII digits, or other letters (`str.isalpha`).
    `canonicalText` in search.js is the same function; here one regular expression does it
    at C speed, which large sites need.
    """
    runs: list[str] = []
    for match in _RUN.finditer(unicodedata.normalize("NFKC", text).lower()):
        run = match.group()
        if match.lastgroup == "letters" and not run.isalpha():
            # `[^\W\d_]` also matches numerals that are not letters (½, Ⅻ, ௰): they separate.
            runs += "".join(char if char.isalpha() else " " for char in run).split()
        else:
            runs.append(run)
    return " ".join(runs)


def encode_chars(chars: str) -> str:
    """One ASCII word for `chars`: `zq` and four letters (base 26) per character."""
    return TOKEN_PREFIX + "".join(map(_encode_char, chars))


@functools.lru_cache(maxsize=65536)
def _encode_char(char: str) -> str:
    code = ord(char)
    return "".join(LETTERS[(code // 26**power) % 26] for power in (3, 2, 1, 0))


def index_tokens(text: str) -> list[str]:
    """The n-gram tokens of `text`: each bigram of each run, and the run itself if it is one
    character; each token once, in first-seen order (repeats would only make the page bigger)."""
    grams: dict[str, None] = {}
    for run in canonical_text(text).split():
        if len(run) == 1:
            grams[run] = None
        else:
            grams.update(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))
    return [encode_chars(gram) for gram in grams]


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


@dataclass(frozen=True, slots=True)
class IndexedText:
    """The text Pagefind indexes on a page: what carries a `data-pagefind-weight`, and the rest."""

    weighted: str
    plain: str


_IGNORED = etree.XPath(".//*[@data-pagefind-ignore]")
_BODIES = etree.XPath("//*[@data-pagefind-body][not(ancestor::*[@data-pagefind-body])]")
_WEIGHTED = etree.XPath(".//*[@data-pagefind-weight][not(ancestor::*[@data-pagefind-weight])]")


def indexed_text(page: html.HtmlElement) -> IndexedText:
    """The text of the parsed `page` inside `data-pagefind-body`, less `data-pagefind-ignore` parts.

    Takes the page apart to read it (so that lxml's tree walks, which run in C, do the
    work): parse the page again to use it for anything else.
    """
    etree.strip_elements(page, *SKIPPED_TAGS, with_tail=False)
    weighted: list[str] = []
    plain: list[str] = []
    for body in elements(_BODIES, page):
        for element in elements(_IGNORED, body):
            element.drop_tree()  # its tail stays: text after it is not ignored
        for element in body.iter(*BLOCK_TAGS):  # a block's text never runs into the next one's
            element.text = "\n" + _settable(element.text)
            element.tail = "\n" + _settable(element.tail)
        if "data-pagefind-weight" in body.attrib:
            weighted.append(body.text_content())
            continue
        for element in elements(_WEIGHTED, body):
            weighted.append(element.text_content())
            element.drop_tree()
        plain.append(body.text_content())
    return IndexedText("".join(weighted), "".join(plain))


# What lxml refuses in text it is given: C0 controls but tab, line feed and carriage return,
# and U+FFFE and U+FFFF. discover removes them from sources with a warning (GS107), but a page
# can still hold one written as a reference (`&#11;` in raw HTML or a theme), which lxml reads.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _settable(text: str | None) -> str:
    return _NOT_XML.sub("", text) if text else ""


def with_tokens(page: bytes, text: IndexedText) -> bytes:
    """The page with the n-gram tokens of its `text` appended as a last `data-pagefind-body` element."""
    block = (
        f'<div data-pagefind-body><p data-pagefind-weight="{HIGH_WEIGHT}">{SENTINEL} '
        f"{' '.join(index_tokens(text.weighted))}</p><p>{' '.join(index_tokens(text.plain))}</p></div>"
    ).encode()
    end = page.rfind(b"</body>")
    if end < 0:
        return page + block
    return page[:end] + block + page[end:]


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


def index_site(
    folder: Path,
    copies: Path,
    pages: Mapping[str, str],
    code: str,
    kept: Path | None,
    report: Report,
) -> None:
    """Write the search bundle of `pages` (path → digest of the page), copied in `copies`,
    into `folder`/pagefind.

    Pagefind holds a whole index in memory, about a third of a megabyte per page with
    the n-gram tokens, so a large site is indexed in shards of about SHARD_PAGES pages,
    one Pagefind run each; a page's shard depends on its path alone, so an edit changes
    one shard. The first shard's bundle is `pagefind/`, the others are inside it, and
    `shards.json` lists them for search.js to merge (Pagefind's `mergeIndex`).

    With a `kept` folder (in the build cache) a shard whose pages, govsite (`code`) and
    Pagefind are as they were is copied from there instead of indexed again.

    Without Pagefind the site is still built, with a warning (GS501; fatal with
    `--strict`): the search page then tells readers search is unavailable and links to
    the disclosure index, which is complete without it.
    """
    if not pages:
        return  # nothing to search (Pagefind refuses an empty site); search.html says so
    executable = pagefind_executable()
    if executable is None:
        _warn(report, "pagefind-bin-extended is not installed")
        return
    shards = _shards(sorted(pages))
    names = ["", *(f"{SHARD_PREFIX}{number}/" for number in range(1, len(shards)))]
    bundle = folder / BUNDLE_DIR
    version = installed_version("pagefind_bin_extended")
    for number, (name, shard) in enumerate(zip(names, shards, strict=True)):
        key = json.dumps([code, version, [[page, pages[page]] for page in shard]])
        kept_shard = kept / str(number) if kept is not None else None
        if kept_shard is not None and _reuse(kept_shard, key, bundle / name):
            continue
        if not _index_shard(executable, copies, shard, len(shards) == 1, bundle / name, report):
            shutil.rmtree(bundle, ignore_errors=True)  # never ship part of an index
            return
        if kept_shard is not None:
            _keep(bundle / name, kept_shard, key, leave_out=names[1:])
    (bundle / SHARDS_FILE).write_text(json.dumps(names[1:]), encoding="utf-8")
    for stale in kept.iterdir() if kept is not None and kept.is_dir() else ():
        if not stale.name.isdigit() or int(stale.name) >= len(shards):
            remove(stale)  # a file there is damage too


def _shards(pages: Sequence[str]) -> list[list[str]]:
    """`pages` cut into about SHARD_PAGES each, by a digest of each path: stable under edits."""
    count = -(-len(pages) // SHARD_PAGES)
    shards: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        shards[int(hashlib.sha256(page.encode()).hexdigest()[:8], 16) % count].append(page)
    return [shard for shard in shards if shard]


def _index_shard(
    executable: Path, copies: Path, pages: Sequence[str], whole: bool, bundle: Path, report: Report
) -> bool:
    """Index the copies of `pages` into `bundle`; `whole`: they are all of `copies`."""
    if whole:
        return _run_pagefind(executable, copies, bundle, report)
    with tempfile.TemporaryDirectory(prefix="govsite-shard-") as site:
        _link_copies(copies, pages, Path(site))
        return _run_pagefind(executable, Path(site), bundle, report)


def _keep(bundle: Path, kept: Path, key: str, leave_out: Sequence[str]) -> None:
    """Keep a copy of a shard's bundle (not the other shards inside the first one) with its key
    and the digest of each file, swapped in whole (another build may keep the same shard)."""

    def fill(folder: Path) -> None:
        shutil.copytree(
            bundle,
            folder / BUNDLE_DIR,
            ignore=lambda _, names: [n for n in names if f"{n}/" in leave_out],
        )
        files = {
            path.relative_to(folder / BUNDLE_DIR).as_posix(): _file_digest(path)
            for path in sorted((folder / BUNDLE_DIR).rglob("*"))
            if path.is_file()
        }
        write_checked(folder / KEY_FILE, json.dumps({"key": key, "files": files}).encode())

    replace_folder(kept, fill)


def _reuse(kept: Path, key: str, bundle: Path) -> bool:
    """Copy the kept bundle of `key` into `bundle`, each file checked against its digest;
    False (and nothing copied) if there is none or anything in it is damaged."""
    try:
        listing = json.loads(read_checked(kept / KEY_FILE) or b"null")
        if not isinstance(listing, dict) or listing.get("key") != key:
            return False
        files: dict[str, str] = listing["files"]
        found = {
            p.relative_to(kept / BUNDLE_DIR).as_posix()
            for p in (kept / BUNDLE_DIR).rglob("*")
            if not p.is_dir()
        }
        if found != set(files):
            return False
        for name, expected in sorted(files.items()):
            content = (kept / BUNDLE_DIR / name).read_bytes()
            if hashlib.sha256(content).hexdigest() != expected:
                raise ValueError(f"damaged: {name}")
            (bundle / name).parent.mkdir(parents=True, exist_ok=True)
            (bundle / name).write_bytes(content)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        shutil.rmtree(bundle, ignore_errors=True)  # index this shard again
        return False
    return True


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _link_copies(copies: Path, pages: Sequence[str], site: Path) -> None:
    """The copies of `pages` in the folder `site`, at the same paths (hard links where possible)."""
    for page in pages:
        target = site / page
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(copies / page, target)
        except OSError:
            shutil.copyfile(copies / page, target)


def _run_pagefind(executable: Path, site: Path, bundle: Path, report: Report) -> bool:
    """Index `site` into `bundle`; False (with a warning) if Pagefind failed."""
    command = [str(executable), "--site", str(site), "--output-path", str(bundle), "--silent"]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(bundle, ignore_errors=True)  # never ship half a bundle
        detail = getattr(exc, "stderr", None) or str(exc)
        _warn(report, f"Pagefind failed: {detail.strip()}")
        return False
    return True


def _warn(report: Report, reason: str) -> None:
    report.warning(
        "GS501",
        f"the search index was not built: {reason}",
        SourceLocation(PurePosixPath("govsite.yaml")),
        "install govsite's dependencies (pip install -e .); the search page says search is unavailable",
    )
