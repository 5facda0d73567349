"""`govsite verify`: re-hash a deployed copy of a site, a folder or a site over HTTP(S), against its manifest.

The manifest is the copy's own (`.well-known/govsite-manifest.json`) or a trusted one kept
elsewhere; with a public key its Ed25519 signature is checked first. Every listed file is
compared by SHA-256 and size: changed, missing and extra files are differences. A folder
lists its extra files; a web server does not, so over HTTP the extra files found are those a
changed page links to or loads (a defacement adds its page and links it from one it changed).
Over HTTP, files are fetched a few at a time, each within a total deadline and never past
the size the manifest gives plus one byte.
"""

from __future__ import annotations

import hashlib
import posixpath
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Literal
from urllib.parse import quote, unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from lxml import etree

from govsite import __version__
from govsite.errors import printable
from govsite.htmltree import parse_page
from govsite.manifest import (
    MANIFEST_PATH,
    SIGNATURE_PATH,
    Entry,
    Manifest,
    ManifestError,
    digest_file,
    files_below,
    load_public_key,
    signature_holds,
)

DifferenceKind = Literal["changed", "missing", "extra", "unreadable", "manifest", "signature"]
_CHUNK = 1 << 16


class VerifyUsageError(ValueError):
    """A problem with what `govsite verify` was asked to do (exit 2), not with the copy."""


@dataclass(frozen=True, slots=True)
class Difference:
    kind: DifferenceKind
    path: str
    detail: str = ""

    def format_text(self) -> str:
        """One line; control characters in a path or message (the copy chose them) escaped."""
        detail = f": {self.detail}" if self.detail else ""
        return printable(f"{self.kind}: {self.path}{detail}")


@dataclass(frozen=True, slots=True)
class Verification:
    """What `verify` found."""

    target: str
    checked: int
    """Files listed in the manifest."""
    differences: tuple[Difference, ...]
    source_commit: str | None = None
    signature: Literal["valid", "not checked"] = "not checked"
    extras_checked: bool = True
    """False over HTTP: a web server does not say which files it has besides those asked for
    (extra files linked from a changed page are still found)."""

    def summary(self) -> str:
        lines = [f"Checked {self.checked} files of {self.target} against the manifest"]
        lines[0] += f" (source commit {self.source_commit})" if self.source_commit else ""
        lines.append(f"Signature: {self.signature}.")
        if not self.extras_checked:
            lines.append(
                "Over HTTP, extra files are found only where a changed page links to them; "
                "verify a folder copy for every extra file."
            )
        if not self.differences:
            lines.append("No differences.")
        else:
            counts: dict[str, int] = {}
            for difference in self.differences:
                counts[difference.kind] = counts.get(difference.kind, 0) + 1
            lines.append(", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyOptions:
    manifest_file: Path | None = None
    public_key_file: Path | None = None
    signature_file: Path | None = None
    concurrency: int = 8
    timeout: float = 30.0
    """Seconds for each request, from connecting to the last byte."""
    max_manifest_bytes: int = 64 << 20


def verify(target: str, options: VerifyOptions) -> Verification:
    """Compare the copy at `target` (a folder or an http(s) address) with its manifest."""
    copy = _open_copy(target, options)
    key = _read_public_key(options.public_key_file)
    manifest_bytes, problem = _manifest_bytes(copy, options)
    if manifest_bytes is None:
        return Verification(target, 0, (Difference("manifest", MANIFEST_PATH, problem),))
    differences: list[Difference] = []
    signature: Literal["valid", "not checked"] = "not checked"
    if key is not None:
        signature_bytes = _signature_bytes(copy, options)
        if signature_bytes is None or not signature_holds(key, manifest_bytes, signature_bytes):
            reason = "no signature" if signature_bytes is None else "does not match the public key"
            return Verification(target, 0, (Difference("signature", SIGNATURE_PATH, reason),))
        signature = "valid"
    try:
        manifest = Manifest.from_bytes(manifest_bytes)
    except ManifestError as exc:
        return Verification(target, 0, (Difference("manifest", MANIFEST_PATH, str(exc)),))
    differences += copy.compare(manifest.files, options.concurrency)
    return Verification(
        target,
        len(manifest.files),
        tuple(sorted(differences, key=lambda d: (d.path, d.kind))),
        manifest.source_commit,
        signature,
        copy.lists_files,
    )


def _open_copy(target: str, options: VerifyOptions) -> FolderCopy | HttpCopy:
    scheme = urlsplit(target).scheme.lower()
    if scheme in ("http", "https"):
        return HttpCopy(target if target.endswith("/") else target + "/", options.timeout)
    if len(scheme) > 1:  # one letter is a Windows drive
        raise VerifyUsageError(f"'{target}' is neither a folder nor an http(s) address")
    folder = Path(target)
    if not folder.is_dir():
        raise VerifyUsageError(f"'{target}' is not a folder")
    return FolderCopy(folder)


def _read_public_key(path: Path | None) -> Ed25519PublicKey | None:
    if path is None:
        return None
    try:
        return load_public_key(path.read_bytes())
    except OSError as exc:
        raise VerifyUsageError(f"cannot read the public key '{path}': {exc.strerror}") from None
    except ValueError as exc:
        raise VerifyUsageError(f"'{path}' is not an Ed25519 public key in PEM: {exc}") from None


def _manifest_bytes(
    copy: FolderCopy | HttpCopy, options: VerifyOptions
) -> tuple[bytes | None, str]:
    if options.manifest_file is not None:
        try:
            return options.manifest_file.read_bytes(), ""
        except OSError as exc:
            raise VerifyUsageError(
                f"cannot read the manifest '{options.manifest_file}': {exc.strerror}"
            ) from None
    try:
        data = copy.read(MANIFEST_PATH, options.max_manifest_bytes)
    except FetchError as exc:
        return None, str(exc)
    return (data, "") if data is not None else (None, "the copy has no manifest")


def _signature_bytes(copy: FolderCopy | HttpCopy, options: VerifyOptions) -> bytes | None:
    path = options.signature_file
    if path is None and options.manifest_file is not None:
        path = options.manifest_file.with_name(options.manifest_file.name + ".sig")
    if path is not None:
        try:
            return path.read_bytes()
        except OSError:
            return None
    try:
        return copy.read(SIGNATURE_PATH, 1024)
    except FetchError:
        return None


class FetchError(Exception):
    """A file of the copy could not be read (not: it does not exist)."""


def _compare_one(entry: Entry, found: tuple[str, int] | None) -> Difference | None:
    if found is None:
        return Difference("missing", entry.path)
    digest, size = found
    if (digest, size) != (entry.sha256, entry.size):
        return Difference("changed", entry.path, f"{size} bytes, sha256 {digest[:12]}…")
    return None


class FolderCopy:
    """A copy on disk: every file below the folder, extra ones too."""

    lists_files = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, path: str, limit: int) -> bytes | None:
        file = self.folder / path
        if not file.is_file():
            return None
        if file.stat().st_size > limit:
            raise FetchError(f"larger than {limit} bytes")
        return file.read_bytes()

    def compare(self, entries: Sequence[Entry], concurrency: int) -> list[Difference]:
        listed = {entry.path for entry in entries}
        differences = []
        for entry in entries:
            file = self.folder / entry.path
            try:
                found = digest_file(file) if file.is_file() else None
            except OSError as exc:
                differences.append(Difference("unreadable", entry.path, str(exc.strerror)))
                continue
            if (difference := _compare_one(entry, found)) is not None:
                differences.append(difference)
        differences += [
            Difference("extra", relative)
            for relative, _ in files_below(self.folder)
            if relative not in listed
        ]
        return differences


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects among http and https only (urllib would also follow them to ftp)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(
                newurl, code, "redirect to a non-http address", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class HttpCopy:
    """A copy served over HTTP(S): each listed file fetched and hashed as it arrives."""

    lists_files = False

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_HttpOnlyRedirects())

    def read(self, path: str, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        found = self._fetch(path, limit, chunks.append)
        return None if found is None else b"".join(chunks)

    def compare(self, entries: Sequence[Entry], concurrency: int) -> list[Difference]:
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            results = list(pool.map(self._compare_entry, entries))
            differences = [difference for difference in results if difference is not None]
            linked = self._linked_from_changed_pages(differences, {e.path for e in entries})
            extras = pool.map(self._extra, sorted(linked.items()))
            return differences + [extra for extra in extras if extra is not None]

    def _linked_from_changed_pages(
        self, differences: Sequence[Difference], listed: set[str]
    ) -> dict[str, str]:
        """Site paths that changed pages link to or load and the manifest does not list,
        each with the first page naming it; at most MAX_LINKED."""
        found: dict[str, str] = {}
        for difference in differences:
            if difference.kind != "changed" or not difference.path.endswith((".html", ".htm")):
                continue
            try:
                page = self.read(difference.path, MAX_PAGE_BYTES)
            except FetchError:
                continue
            for path in _site_paths(difference.path, page or b""):
                if path not in listed and len(found) < MAX_LINKED:
                    found.setdefault(path, difference.path)
        return found

    def _extra(self, linked: tuple[str, str]) -> Difference | None:
        path, page = linked
        try:
            present = self._fetch(path, 1, lambda _chunk: None, exceed_ok=True) is not None
        except FetchError:
            return None
        return Difference("extra", path, f"linked from {page}") if present else None

    def _compare_entry(self, entry: Entry) -> Difference | None:
        digest = hashlib.sha256()
        try:
            # One byte past the listed size is enough to know the file is not the listed one.
            size = self._fetch(entry.path, entry.size + 1, digest.update, exceed_ok=True)
        except FetchError as exc:
            return Difference("unreadable", entry.path, str(exc))
        return _compare_one(entry, None if size is None else (digest.hexdigest(), size))

    def _fetch(
        self, path: str, limit: int, sink: Callable[[bytes], object], *, exceed_ok: bool = False
    ) -> int | None:
        """Stream the file at site path `path` into `sink`; its size (at most `limit`), or None if absent."""
        url = self.base_url + quote(path, safe="/")
        request = urllib.request.Request(
            url, headers={"User-Agent": f"govsite-verify/{__version__}"}
        )
        deadline = time.monotonic() + self.timeout
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return _stream(response, limit, deadline, sink, exceed_ok)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (404, 410):
                return None
            raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise FetchError(f"cannot fetch {url}: {reason}") from None


MAX_PAGE_BYTES = 4 << 20
MAX_LINKED = 200
"""Links a changed page may make verify fetch: enough for any defacement, bounded for cron."""


def _site_paths(page_path: str, page: bytes) -> Iterator[str]:
    """The site paths an HTML page links to or loads (`a/` is `a/index.html`), never outside it."""
    if not page.strip():
        return
    try:
        tree = parse_page(page)
    except etree.ParserError:
        return
    base = posixpath.dirname(page_path)
    for address in tree.xpath("//@href | //@src | //@action"):
        parts = urlsplit(str(address))
        if parts.scheme or parts.netloc or not parts.path:
            continue  # another site, or this page itself
        joined = posixpath.normpath(posixpath.join(base, unquote(parts.path)).lstrip("/"))
        if joined.startswith(".."):
            continue
        yield joined + "/index.html" if parts.path.endswith("/") else joined


def _stream(
    response: IO[bytes],
    limit: int,
    deadline: float,
    sink: Callable[[bytes], object],
    exceed_ok: bool,
) -> int:
    size = 0
    for chunk in _chunks(response, deadline):
        keep = chunk[: max(0, limit - size)]
        sink(keep)
        size += len(keep)
        if len(keep) < len(chunk):
            if exceed_ok:
                return size
            raise FetchError(f"larger than {limit} bytes")
    return size


def _chunks(response: IO[bytes], deadline: float) -> Iterator[bytes]:
    """The body as it arrives; FetchError once the request's deadline has passed.

    `read1` returns whatever has arrived, so a server that trickles a byte at a time is
    caught by the deadline, not only by the socket's timeout on each read.
    """
    read = getattr(response, "read1", response.read)
    while chunk := read(_CHUNK):
        yield chunk
        if time.monotonic() > deadline:
            raise FetchError("the request took longer than its deadline")
