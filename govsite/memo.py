"""Results kept between builds, by a digest of everything they depend on (the `kept/`
folder of the build cache):

    kept/code           the govsite and libraries that found the rest (fingerprint.code_key)
    kept/bodies.json    per document text and link targets: its rendered body (assemble.py)
    kept/content.json   per document text: what the check's content rules found in it
    kept/facts.json, copies.json, site/, search/: each page read back (analyse.py)
    kept/templates/     the templates as Jinja compiled them (render.make_environment)

Each kind of result is a `Memo`. Everything is written only once a build succeeded, and
nothing is trusted that another version of govsite found. Each JSON file carries the
digest of its bytes (cachefiles.write_checked) and each search copy's digest is kept
beside it, so a damaged file or copy is a miss, never a wrong result.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from govsite.cachefiles import (
    read_bytes,
    read_checked,
    read_text,
    remove,
    write_atomically,
    write_checked,
)
from govsite.fingerprint import code_key

KEPT_DIR = "kept"
CODE = "code"
BODIES = "bodies.json"
CONTENT = "content.json"
FACTS = "facts.json"
COPIES = "copies.json"
SITE_DIR = "site"
TEMPLATES_DIR = "templates"
KEPT_BUNDLE_DIR = "search"


class Memo:
    """A build's view of kept results: what an earlier build found, and what this one used.

    Only the results a build used are kept for the next one, so a memo never grows
    beyond one build's worth. Values must be JSON data. A memo that does not `keep`
    (a build without a cache) remembers nothing.
    """

    def __init__(self, known: dict[str, Any] | None = None, *, keep: bool = True) -> None:
        self._known = known or {}
        self.keep = keep
        self.used: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        """The result kept under `key`, or None."""
        value = self._known.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        if self.keep:
            self.used[key] = value


def key_of(*values: Any) -> str:
    """The digest a result is kept under: of JSON data, or of bytes as they are."""
    if len(values) == 1 and isinstance(values[0], bytes):
        return hashlib.sha256(values[0]).hexdigest()
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


class Workspace:
    """Where a build keeps what it found: in the build cache, or for this build only."""

    def __init__(self, folder: Path, *, kept: bool, update: bool = False) -> None:
        self.folder = folder
        self.kept = kept
        self.code = code_key()
        trusted = kept and read_text(folder / CODE) == self.code
        if kept and not trusted:  # compiled by another govsite, perhaps with other options
            shutil.rmtree(folder / TEMPLATES_DIR, ignore_errors=True)
        # The engine's update (engine/rebuild.py) needs only the search copies: the
        # snapshot has the rest.
        self.bodies = Memo(_load(folder / BODIES) if trusted and not update else None, keep=kept)
        self.content = Memo(_load(folder / CONTENT) if trusted and not update else None, keep=kept)
        self.facts = Memo(_load(folder / FACTS) if trusted and not update else None, keep=kept)
        self.known_copies = _known_copies(_load(folder / COPIES) if trusted else {})
        self._copies: dict[str, tuple[str, str]] = {}

    @property
    def templates(self) -> Path | None:
        """Where the templates Jinja compiled are kept between builds (Theme.compiled_templates)."""
        return self.folder / TEMPLATES_DIR if self.kept else None

    @property
    def copies(self) -> Path:
        return self.folder / SITE_DIR

    @property
    def kept_bundle(self) -> Path | None:
        """Where the search bundle is kept between builds (search.index_site), if it is."""
        return self.folder / KEPT_BUNDLE_DIR if self.kept else None

    def remember_copies(self, copies: dict[str, tuple[str, str]]) -> None:
        """The copies this build left in the folder, by path: the digest of each one's page
        and of the copy itself."""
        self._copies = copies

    def forget_copies(self) -> None:
        """Until `save`: the copies are about to change."""
        remove(self.folder / COPIES)

    def kept_copy(self, path: str, digest: str) -> str | None:
        """The digest of the copy of the page `path` if it was made from a page of `digest`
        and is whole (its bytes match the digest kept with it); else None."""
        page_digest, copy_digest = self.known_copies.get(path, ("", ""))
        if page_digest != digest:
            return None
        content = read_bytes(self.copies / path)
        if content is None or hashlib.sha256(content).hexdigest() != copy_digest:
            return None
        return copy_digest

    def save_copies(self) -> None:
        """Keep the record of the search copies only (the engine's update: the other memos
        are the last full build's, and the snapshot keeps what they would)."""
        if self.kept:
            _write_json(self.folder / COPIES, self._copies)

    def save(self) -> None:
        """Keep what this build found (and only that), once the build has succeeded."""
        if self.kept:
            _write_json(self.folder / BODIES, self.bodies.used)
            _write_json(self.folder / CONTENT, self.content.used)
            _write_json(self.folder / FACTS, self.facts.used)
            _write_json(self.folder / COPIES, self._copies)
            write_atomically(self.folder / CODE, self.code.encode())


@contextmanager
def workspace(cache_dir: Path | None, *, update: bool = False) -> Iterator[Workspace]:
    """The `kept/` folder of the build cache, or a temporary one without a cache; for the
    engine's `update`, without the memos it does not read."""
    if cache_dir is not None:
        yield Workspace(cache_dir / KEPT_DIR, kept=True, update=update)
        return
    with TemporaryDirectory(prefix="govsite-kept-") as folder:
        yield Workspace(Path(folder), kept=False)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_checked(path) or b"null")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}  # nothing kept yet, or damaged: a miss


def _known_copies(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """copies.json as (page digest, copy digest) by path; entries of another shape are left out."""
    known = {}
    for path, digests in data.items():
        if (
            isinstance(digests, list)
            and len(digests) == 2
            and all(isinstance(d, str) for d in digests)
        ):
            known[path] = (digests[0], digests[1])
    return known


def _write_json(path: Path, data: object) -> None:
    write_checked(path, json.dumps(data, ensure_ascii=False).encode())
