"""Post-build stage: the static search index of the staged site's document pages.

govsite writes its own index (searchindex.py has the format) rather than running
Pagefind: measured on the 10,000-record benchmark site, Pagefind's Chinese segmenter
needed a browser-side check of up to 500 fetched fragments per search (522 requests,
2.2 MB), and its memory (a third of a megabyte per page) forced shards that each cost
the browser more requests (README "Search" has the numbers). This index makes Chinese
substring and phrase matching a property of the index: bigrams (and, beside the common
ones, trigrams) with positions.

Each searchable page is read back once, on the build's executor (analyse.py), into a
*search record* (`search_record`): its result's metadata, its filter values, the text
that weighs more (title, 发文字号, 索引号), the rest of its indexed text and the excerpt
text. `index_site` turns the records into `search-index/` in the build folder:

    manifest.json   format, page count, buckets, facet values (with parents) and block size
    t/<bucket>.bin  tokens by a hash: small posting lists (with positions), or where larger ones are
    p/<n>-<k>.bin   the parts of a larger posting list, each for a range of pages (n: searchindex.part_number)
    d/<n>.json      one page's result: address, title, 文号, date, validity, excerpt text
    f/<n>.bin       the facet values of a block of pages, fetched only to filter or count

Pages are numbered newest first, so ties in ranking show the newest first. They are
indexed in shards (of at most SHARD_PAGES pages of one month), in parallel, and a
shard whose pages are all as they were is taken from the build cache. An index in the
folder already (the last build's, linked) is brought up to date: only the tokens the
changed shards touch are joined again (searchjoin.py), and only the files whose bytes
change are written (`index_site`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import re
import shutil
import stat
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree, html

from govsite import collector
from govsite.cachefiles import read_checked, remove, write_checked
from govsite.errors import Report, SourceLocation
from govsite.htmltree import elements
from govsite.memo import key_of
from govsite.messages import text
from govsite.outputs.searchindex import bucket_count, shard_postings, varint
from govsite.outputs.searchjoin import Join, Wanted, digest_of, join_all, join_changed
from govsite.parallel import ExecutorFactory, InProcessExecutor, as_is, map_in_chunks
from govsite.write import replace_through

BUNDLE_DIR = "search-index"
"""Where the index goes inside the build folder (search.html links to it)."""
FORMAT = 2
"""The index's format (search.js checks it): change it with the format."""
SHARD_PAGES = 2000
"""At most this many pages per shard: a shard's postings stay well under 100 MB."""
IN_PROCESS_PAGES = 400
"""Shards of at most this many pages in all are indexed in the process (about 0.1 s per
70 pages at 10,000 records, where starting two workers took 0.5 s)."""
BLOCK_PAGES = 1024
"""Pages per facet file: a search that filters fetches the blocks its results are in."""
EXCERPT_CHARS = 3000
"""Text kept for a result's excerpt: the first match is nearly always within it."""
FACETS = ("agency", "category", "topic", "year", "validity", "genre")
"""The filters (data-pagefind-filter names), in the order of a facet row."""

# Han ideographs (with 〇), the same ranges as HAN_RANGES in search.js.
HAN_RANGES = ((0x3007, 0x3007), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
HAN_SUPPLEMENTARY = (0x20000, 0x3134F)
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


def canonical_runs(text: str) -> list[str]:
    """The runs of `text`'s canonical form (what searchindex.py cuts into tokens)."""
    return canonical_text(text).split()


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


_META = etree.XPath("//*[@data-pagefind-meta]")
_FILTERS = etree.XPath("//*[@data-pagefind-filter]")
_NO_EXCERPT = etree.XPath(".//*[@data-search-no-excerpt]")


def search_record(page: html.HtmlElement) -> bytes:
    """What the index keeps of a parsed page: two lines of JSON, its result's metadata and
    filter values (`data-pagefind-meta`, `data-pagefind-filter`), then its texts: what
    weighs more, the rest, and the excerpt text (less `data-search-no-excerpt` parts).

    Takes the page apart, as `indexed_text` does.
    """
    meta: dict[str, str] = {}
    for element in elements(_META, page):
        key, _, value = element.get("data-pagefind-meta", "").partition(":")
        meta.setdefault(key, value)
    filters: dict[str, list[str]] = {}
    for element in elements(_FILTERS, page):
        key, _, value = element.get("data-pagefind-filter", "").partition(":")
        if value not in filters.setdefault(key, []):
            filters[key].append(value)
    excerpt_page = html.fromstring(html.tostring(page))
    for element in elements(_NO_EXCERPT, excerpt_page):
        element.drop_tree()
    excerpt = " ".join(indexed_text(excerpt_page).plain.split())[:EXCERPT_CHARS]
    text = indexed_text(page)
    header = json.dumps({"meta": meta, "filters": filters}, ensure_ascii=False, sort_keys=True)
    texts = json.dumps([text.weighted, text.plain, excerpt], ensure_ascii=False)
    return f"{header}\n{texts}\n".encode()


# -- writing the index ----------------------------------------------------------------------

STATE = ("index", "files", "join")
"""The files in the kept bundle folder that say what the last index written was made of:
each page's digest, date, filter values and result file's digest (`_Page`); each of its
files' inode, size, mtime and digest (`link_index` reads them, a build does not); and
what its token files were joined from (searchjoin.Join: an update joins again only what
changed)."""
_STATE_FORMAT = 2


@dataclass(frozen=True, slots=True)
class _Page:
    """A searchable page as the index orders it: newest first."""

    path: str
    digest: str
    date: str
    filters: dict[str, list[str]]
    result: str = ""
    """The SHA-256 (hex) of its result file (`d/<n>.json`, whatever its number), once known."""
    meta: dict[str, str] | None = None
    """Its result's metadata, once read from its record (the kept state leaves it out: only
    a result made again needs it, and that reads the record anyway)."""


@dataclass(frozen=True, slots=True)
class Bundle:
    """The index as `index_site` left it in the build folder."""

    files: Mapping[str, str]
    """Every file of the index, by path in the build folder (`search-index/…`): its SHA-256 (hex)."""
    new: frozenset[str]
    """The files it wrote or linked anew; every other one is the folder's own, untouched."""


NO_BUNDLE = Bundle({}, frozenset())


def index_site(
    folder: Path,
    records: Path,
    pages: Mapping[str, str],
    code: str,
    kept: Path | None,
    report: Report,
    run_on: ExecutorFactory = InProcessExecutor,
    present: Mapping[str, str] | None = None,
    reading: Callable[[Collection[str]], None] | None = None,
) -> Bundle:
    """Write the search index of `pages` (path → digest of the page), whose search records
    are in the folder `records`, into `folder`/search-index.

    The one entry point for indexing: `govsite build` calls it with every searchable page,
    and a caller that knows which pages changed calls it the same way, since each shard
    whose pages (path and digest) and govsite (`code`) are as they were is read from the
    `kept` folder (in the build cache) instead of being indexed again. Shards are indexed
    on `run_on`'s executor.

    `folder`/search-index may hold an earlier index's files (links to an earlier build's):
    `present` is the SHA-256 of each of them, by path in `folder` (`link_index` makes such a
    folder). Only the files whose bytes change are then written, each replaced, never
    written into; one whose bytes another file holds (a result whose page was renumbered)
    is linked to it; the others stay as they are. What the kept state says of each page
    (its order and its result's digest) spares reading back its record, and the kept join
    of the shards (searchjoin.py) spares joining again the tokens no changed shard touches.

    `reading`, if given, is called with the paths of the records the index is about to read,
    before it reads them (the caller may check them then: a record that is not read is not
    looked at).

    If the index cannot be written the site is still built, with a warning (GS501; fatal
    with `--strict`): the search page then says search is unavailable and links to the
    disclosure index, which is complete without it.
    """
    bundle = folder / BUNDLE_DIR
    if not pages:
        shutil.rmtree(bundle, ignore_errors=True)  # an earlier index's links
        return NO_BUNDLE  # nothing to search; search.html says so
    if present is None:
        shutil.rmtree(bundle, ignore_errors=True)  # nothing said of it: nothing kept of it
    reading = reading or _read_as_they_are
    had = {path.removeprefix(f"{BUNDLE_DIR}/"): sha for path, sha in (present or {}).items()}
    try:
        with collector.paused():
            known = _kept_pages(kept, code)
            ordered = _ordered(records, pages, known, reading)
            shards = _Shards(records, ordered, code, kept, run_on, reading)
            last = _kept_join(kept, code) if had else None
            tokens, join = _token_files(bundle, shards, last, had)
            files, ordered = _write_index(bundle, ordered, tokens, join, records, had, reading)
            if kept is not None:
                _keep(kept, code, ordered, bundle, files, join)
    except (OSError, ValueError) as exc:
        shutil.rmtree(bundle, ignore_errors=True)  # never ship part of an index
        _warn(report, str(exc))
        return NO_BUNDLE
    return Bundle(
        {f"{BUNDLE_DIR}/{name}": sha for name, sha in files.items()},
        frozenset(f"{BUNDLE_DIR}/{name}" for name, sha in files.items() if had.get(name) != sha),
    )


def link_index(source: Path, folder: Path, kept: Path | None, code: str) -> dict[str, str]:
    """Link into `folder`/search-index each file of the index in `source` (a build folder)
    that the kept state describes, for `index_site` to bring up to date; their SHA-256
    (hex) by path in `folder`.

    A file as the state recorded it (inode, size and mtime) is taken at its word; one of
    the recorded size but another inode or mtime (a build of everything links the files
    that equal the previous build's to them, after indexing) is read to compare digests.
    """
    linked: dict[str, str] = {}
    made: set[str] = set()
    for name, (inode, size, mtime_ns, sha) in _kept_files(kept, code).items():
        old, new = f"{source}/{BUNDLE_DIR}/{name}", f"{folder}/{BUNDLE_DIR}/{name}"
        try:
            status = os.lstat(old)
            if status.st_size != size or not stat.S_ISREG(status.st_mode):
                continue
            if (status.st_ino, status.st_mtime_ns) != (inode, mtime_ns):
                with open(old, "rb") as file:
                    status = os.fstat(file.fileno())
                    if hashlib.file_digest(file, "sha256").hexdigest() != sha:
                        continue
            parent = new.rpartition("/")[0]
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            os.link(old, new)
            if os.lstat(new).st_ino != status.st_ino:  # replaced meanwhile: not the file looked at
                os.unlink(new)
                continue
        except OSError:
            continue  # gone, or no hard links here: written again if it is wanted
        linked[f"{BUNDLE_DIR}/{name}"] = sha
    return linked


def _read_state(kept: Path | None, name: str, code: str) -> dict[Any, Any]:
    """A part of the kept state of the last index written (see STATE), or {} (also when
    damaged, or of another govsite)."""
    data = read_checked(kept / name) if kept is not None else None
    if data is None:
        return {}
    try:
        found = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(found, tuple) or len(found) != 3 or found[:2] != (_STATE_FORMAT, code):
        return {}
    return found[2] if isinstance(found[2], dict) else {}


def _kept_pages(kept: Path | None, code: str) -> dict[str, _Page]:
    """The pages of the last index written, by path, as the kept state has them."""
    try:
        return {
            path: _Page(path, digest, date, filters, result)
            for path, (digest, date, filters, result) in _read_state(kept, STATE[0], code).items()
        }
    except (TypeError, ValueError):
        return {}  # of another shape: damaged


def _kept_files(kept: Path | None, code: str) -> dict[str, tuple[int, int, int, str]]:
    """The files of the last index written, by name in it: inode, size, mtime and SHA-256."""
    found = _read_state(kept, STATE[1], code)
    try:
        return {
            name: (inode, size, mtime, sha) for name, (inode, size, mtime, sha) in found.items()
        }
    except (TypeError, ValueError):
        return {}  # of another shape: damaged


def _kept_join(kept: Path | None, code: str) -> Join | None:
    """The join of the last index written, as the kept state has it (or None)."""
    data = read_checked(kept / STATE[2]) if kept is not None else None
    if data is None:
        return None
    try:
        found = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(found, tuple) or len(found) != 3 or found[:2] != (_STATE_FORMAT, code):
        return None
    return Join.from_data(found[2])


def _keep(
    kept: Path,
    code: str,
    pages: Sequence[_Page],
    bundle: Path,
    files: Mapping[str, str],
    join: Join,
) -> None:
    """Keep the state of the index just written: its pages, each file's status and digest,
    and its join."""
    statuses = {}
    for name, sha in files.items():
        status = os.lstat(f"{bundle}/{name}")
        statuses[name] = (status.st_ino, status.st_size, status.st_mtime_ns, sha)
    described = {p.path: (p.digest, p.date, p.filters, p.result) for p in pages}
    kept.mkdir(parents=True, exist_ok=True)
    write_checked(kept / STATE[0], marshal.dumps((_STATE_FORMAT, code, described)))
    write_checked(kept / STATE[1], marshal.dumps((_STATE_FORMAT, code, statuses)))
    write_checked(kept / STATE[2], marshal.dumps((_STATE_FORMAT, code, join.as_data())))


def _ordered(
    records: Path,
    pages: Mapping[str, str],
    known: Mapping[str, _Page],
    reading: Callable[[Collection[str]], None],
) -> list[_Page]:
    """The pages newest first (by published date, then path), from their records' first lines
    (or as `known` has them, for a page of the same digest)."""
    found: list[_Page] = []
    unknown = [path for path, digest in pages.items() if _digest(known.get(path)) != digest]
    reading(unknown)
    for path, digest in pages.items():
        page = known.get(path)
        if page is None or page.digest != digest:
            with (records / path).open(encoding="utf-8") as file:
                header = json.loads(file.readline())
            meta = header["meta"]
            page = _Page(path, digest, meta.get("date", ""), header["filters"], meta=meta)
        found.append(page)
    found.sort(key=lambda page: page.path)
    found.sort(key=lambda page: page.date, reverse=True)
    return found


def _digest(page: _Page | None) -> str | None:
    return None if page is None else page.digest


def _read_as_they_are(paths: Collection[str]) -> None:
    """Records are read as they are (a build of everything has just made them)."""


def _shards(pages: Sequence[_Page]) -> list[tuple[int, int]]:
    """(first, end) page numbers of each shard: the pages of one month, at most SHARD_PAGES.

    A month's pages stay together, so an edit, or a record added in one month, changes
    that month's shard only and every other shard is read from the cache.
    """
    shards: list[tuple[int, int]] = []
    start = 0
    for number in range(1, len(pages) + 1):
        if (
            number == len(pages)
            or pages[number].date[:7] != pages[start].date[:7]
            or number - start >= SHARD_PAGES
        ):
            shards.append((start, number))
            start = number
    return shards


Postings = dict[str, tuple[int, int, int, bytes]]


@dataclass(frozen=True, slots=True)
class _ShardWork:
    """What the workers share: where the records are, and each shard's pages to index."""

    records: Path
    shards: Sequence[Sequence[str]]


class _Shards:
    """The shards of the ordered pages, and their postings as they are asked for: from the
    cache where their pages are as they were, else indexed (and kept)."""

    def __init__(
        self,
        records: Path,
        pages: Sequence[_Page],
        code: str,
        kept: Path | None,
        run_on: ExecutorFactory,
        reading: Callable[[Collection[str]], None],
    ) -> None:
        self.kept = kept
        self.pages = len(pages)
        self._reading = reading
        self._run_on = run_on
        bounds = _shards(pages)
        self.layout = tuple(
            (start, end, key_of(FORMAT, code, [[p.path, p.digest] for p in pages[start:end]]))
            for start, end in bounds
        )
        self._work = _ShardWork(
            records, [[p.path for p in pages[start:end]] for start, end in bounds]
        )
        self._found: dict[int, Postings] = {}

    def get(self, number: int) -> Postings:
        """The postings of shard `number`."""
        if number not in self._found:
            self.prepare([number])
        return self._found[number]

    def prepare(self, numbers: Sequence[int]) -> None:
        """Have the postings of shards `numbers` at hand: those not kept are indexed on the
        executor (their records announced to `reading` first)."""
        missing = []
        for number in numbers:
            if number not in self._found:
                found = _read_kept(self.kept, self.layout[number][2])
                if found is None:
                    missing.append(number)
                else:
                    self._found[number] = found
        if not missing:
            return
        paths = [path for number in missing for path in self._work.shards[number]]
        self._reading(paths)
        # An edit's shard is indexed in this process: sooner than starting workers.
        run_on = self._run_on if len(paths) > IN_PROCESS_PAGES else InProcessExecutor
        indexed = map_in_chunks(run_on, as_is, self._work, _index_shard, missing)
        for number, postings in zip(missing, indexed, strict=True):
            self._found[number] = postings
            if self.kept is not None:
                self.kept.mkdir(parents=True, exist_ok=True)
                write_checked(self.kept / self.layout[number][2], marshal.dumps(postings))

    def drop_stale(self) -> None:
        """Remove every kept file but the state and these shards' postings."""
        keys = {key for _, _, key in self.layout}
        for stale in self.kept.iterdir() if self.kept is not None and self.kept.is_dir() else ():
            if stale.name not in keys and stale.name not in STATE:
                remove(stale)  # a file or folder there is damage too


def _token_files(
    bundle: Path, shards: _Shards, last: Join | None, had: Mapping[str, str]
) -> tuple[Wanted, Join]:
    """The token files of the index and the join to keep: only the tokens the changed shards
    touch joined again when the `last` join is of the same layout and made the files `had`
    holds, else every shard's."""
    layout = shards.layout
    if last is not None and [s[:2] for s in last.shards] == [s[:2] for s in layout]:
        changed = [
            number for number, shard in enumerate(layout) if shard[2] != last.shards[number][2]
        ]
        old = {number: _read_kept(shards.kept, last.shards[number][2]) for number in changed}
        if all(found is not None for found in old.values()) and last.files == digest_of(had):
            shards.prepare(changed)
            made = join_changed(
                last,
                layout,
                {
                    number: (found, shards.get(number))
                    for number, found in old.items()
                    if found is not None
                },
                shards.get,
                bundle,
                had,
            )
            if made is not None:
                shards.drop_stale()
                return made
    shards.prepare(range(len(layout)))
    postings = [shards.get(number) for number in range(len(layout))]
    shards.drop_stale()
    return join_all(layout, postings, shards.pages)


def _read_kept(kept: Path | None, key: str) -> Postings | None:
    """A shard's postings kept by an earlier build, or None (also when damaged: the bytes
    are checked against their digest before they are read)."""
    data = read_checked(kept / key) if kept is not None else None
    if data is None:
        return None
    try:
        postings = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return postings if isinstance(postings, dict) else None


def _index_shard(work: _ShardWork, number: int) -> Postings:
    return shard_postings(_texts(work.records, work.shards[number]))


def _texts(records: Path, paths: Sequence[str]) -> Iterator[tuple[list[str], list[str]]]:
    for path in paths:
        with (records / path).open(encoding="utf-8") as file:
            file.readline()
            weighted, plain, _ = json.loads(file.readline())
        yield canonical_runs(weighted), canonical_runs(plain)


def _write_index(
    bundle: Path,
    pages: Sequence[_Page],
    tokens: Wanted,
    join: Join,
    records: Path,
    had: Mapping[str, str],
    reading: Callable[[Collection[str]], None],
) -> tuple[dict[str, str], list[_Page]]:
    """Write the index's files (the module's docstring lists them; `tokens` are its token
    files, of the `join`) into `bundle`, but those it holds already (`had`: each one's
    SHA-256 by name in it): every file's SHA-256 by name, and the pages with their results'
    digests."""
    wanted = tokens
    held = set(had.values())
    kept = [
        bool(page.result and (had.get(f"d/{number}.json") == page.result or page.result in held))
        for number, page in enumerate(pages)
    ]
    reading([page.path for page, result in zip(pages, kept, strict=True) if not result])
    described = []
    for number, page in enumerate(pages):
        name = f"d/{number}.json"
        if kept[number]:
            wanted[name] = page.result, None  # the bytes are in the bundle already
        else:
            with (records / page.path).open(encoding="utf-8") as file:
                header = file.readline()
                *_, excerpt = json.loads(file.readline())
            if page.meta is None:
                page = replace(page, meta=json.loads(header)["meta"])
            data = _result_json(page, excerpt)
            wanted[name] = _sha256(data), data
            page = replace(page, result=wanted[name][0])
        described.append(page)
    values = _facet_values(pages)
    for block in range(0, len(pages), BLOCK_PAGES):
        data = _facet_rows(pages[block : block + BLOCK_PAGES], values)
        wanted[f"f/{block // BLOCK_PAGES}.bin"] = _sha256(data), data
    manifest = {
        "format": FORMAT,
        "pages": len(pages),
        "buckets": bucket_count(join.tokens),
        "blockPages": BLOCK_PAGES,
        "facets": {name: values[name] for name in FACETS},
    }
    data = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
    wanted["manifest.json"] = _sha256(data), data
    _put(bundle, wanted, had)
    return {name: sha for name, (sha, _) in wanted.items()}, described


def _result_json(page: _Page, excerpt: str) -> bytes:
    """A result as search.js shows it: the page's address (from the site's root) and metadata."""
    url = page.path.removesuffix("index.html")
    result = {key: value for key, value in (page.meta or {}).items() if value}
    result["url"] = url
    result["excerpt"] = excerpt
    return json.dumps(result, ensure_ascii=False, sort_keys=True).encode()


def _facet_values(pages: Sequence[_Page]) -> dict[str, list[str]]:
    """Each filter's values, sorted (years newest first)."""
    values: dict[str, set[str]] = {name: set() for name in FACETS}
    for page in pages:
        for name in FACETS:
            values[name].update(page.filters.get(name, ()))
    return {name: sorted(found, reverse=name == "year") for name, found in values.items()}


def _facet_rows(pages: Sequence[_Page], values: Mapping[str, Sequence[str]]) -> bytes:
    """Per page, per filter: how many values it has, then their numbers in `values`."""
    numbers = {name: {value: n for n, value in enumerate(found)} for name, found in values.items()}
    out = bytearray()
    for page in pages:
        for name in FACETS:
            own = page.filters.get(name, ())
            varint(len(own), out)
            for value in own:
                varint(numbers[name][value], out)
    return bytes(out)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(
    bundle: Path, wanted: Mapping[str, tuple[str, bytes | None]], had: Mapping[str, str]
) -> None:
    """Make `bundle` hold the `wanted` files (name → SHA-256 and bytes, None when a file
    `had` holds them) and no other, from what it `had` (each file's SHA-256 by name).

    A file it had with the same digest stays; one whose bytes another file had is a new
    link to that file (all made before anything is replaced, so each links the bytes it
    had); the others are written. Each is replaced, never written into: the bundle may
    hold links to an earlier build's files."""
    source_of: dict[str, str] = {}
    for name, sha in had.items():
        source_of.setdefault(sha, name)
    links: list[tuple[Path, str]] = []
    for name, (sha, data) in wanted.items():
        if had.get(name) != sha and (data is None or sha in source_of):
            link = bundle / f".link-{len(links)}"
            link.unlink(missing_ok=True)
            os.link(bundle / source_of[sha], link)
            links.append((link, name))
    made: set[Path] = set()
    for link, name in links:
        os.replace(link, _parent_made(bundle / name, made))
    write = _replace if had else _write  # a new bundle holds nothing to replace
    for name, (sha, data) in wanted.items():
        if had.get(name) != sha and data is not None and sha not in source_of:
            write(_parent_made(bundle / name, made), data)
    for name in had.keys() - wanted.keys():
        (bundle / name).unlink(missing_ok=True)
    for folder in ("t", "p", "d", "f"):
        with contextlib.suppress(OSError):
            (bundle / folder).rmdir()  # only when it is left empty


def _parent_made(path: Path, made: set[Path]) -> Path:
    if path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        made.add(path.parent)
    return path


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _replace(path: Path, data: bytes) -> None:
    replace_through(path, data, path.with_name(f".{path.name}.new"))


def _warn(report: Report, reason: str) -> None:
    where = SourceLocation(PurePosixPath("govsite.yaml"))
    report.say("warning", text("GS501", reason=reason), where, text("GS501.hint"))
