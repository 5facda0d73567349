"""Results kept between builds, by a digest of everything they depend on (the `kept/`
folder of the build cache):

    kept/code           the govsite and libraries that found the rest (fingerprint.code_key)
    kept/bodies.json    per document text and link targets: its rendered body (assemble.py)
    kept/content.json   per document text: what the check's content rules found in it
    kept/facts.json, copies.json, site/, search/: each page read back (analyse.py)

Each kind of result is a `Memo`. Everything is written only once a build succeeded, and
nothing is trusted that another version of govsite found.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from govsite.cachefiles import read_text, write_atomically
from govsite.fingerprint import code_key

KEPT_DIR = "kept"
CODE = "code"
BODIES = "bodies.json"
CONTENT = "content.json"
FACTS = "facts.json"
COPIES = "copies.json"
SITE_DIR = "site"
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

    def __init__(self, folder: Path, *, kept: bool) -> None:
        self.folder = folder
        self.kept = kept
        self.code = code_key()
        trusted = kept and read_text(folder / CODE) == self.code
        self.bodies = Memo(_load(folder / BODIES) if trusted else None, keep=kept)
        self.content = Memo(_load(folder / CONTENT) if trusted else None, keep=kept)
        self.facts = Memo(_load(folder / FACTS) if trusted else None, keep=kept)
        self.known_copies: dict[str, str] = _load(folder / COPIES) if trusted else {}
        self._copies: dict[str, str] = {}

    @property
    def copies(self) -> Path:
        return self.folder / SITE_DIR

    @property
    def kept_bundle(self) -> Path | None:
        """Where the search bundle is kept between builds (search.index_site), if it is."""
        return self.folder / KEPT_BUNDLE_DIR if self.kept else None

    def remember_copies(self, copies: dict[str, str]) -> None:
        """The copies this build left in the folder: the digest of each one's page, by path."""
        self._copies = copies

    def forget_copies(self) -> None:
        """Until `save`: the copies are about to change."""
        (self.folder / COPIES).unlink(missing_ok=True)

    def has_copy(self, path: str, digest: str) -> bool:
        return self.known_copies.get(path) == digest and (self.copies / path).is_file()

    def save(self) -> None:
        """Keep what this build found (and only that), once the build has succeeded."""
        if self.kept:
            _write_json(self.folder / BODIES, self.bodies.used)
            _write_json(self.folder / CONTENT, self.content.used)
            _write_json(self.folder / FACTS, self.facts.used)
            _write_json(self.folder / COPIES, self._copies)
            write_atomically(self.folder / CODE, self.code.encode())


@contextmanager
def workspace(cache_dir: Path | None) -> Iterator[Workspace]:
    """The `kept/` folder of the build cache, or a temporary one without a cache."""
    if cache_dir is not None:
        yield Workspace(cache_dir / KEPT_DIR, kept=True)
        return
    with TemporaryDirectory(prefix="govsite-kept-") as folder:
        yield Workspace(Path(folder), kept=False)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # nothing kept yet, or unreadable: read every page again
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: object) -> None:
    write_atomically(path, json.dumps(data, ensure_ascii=False).encode())
