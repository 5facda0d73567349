"""The build's manifest of published files (path, SHA-256, size, source commit), optionally signed.

Every build writes it at `.well-known/govsite-manifest.json`, so a deployed copy can be
checked against what was approved (`govsite verify`, verify.py). It is a function of the
published bytes alone: files sorted by path, no time of building. With a signing key
(govsite.yaml `signing:`) the build also writes the Ed25519 signature of the manifest's exact
bytes beside it (`….json.sig`, 64 raw bytes) and the public key (`….pub.pem`), which is
itself listed. docs/tamper-evidence.md describes the format for people who check it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from govsite import messages
from govsite.config import Project
from govsite.errors import Report

if TYPE_CHECKING:  # cryptography is imported where a key is read: a tenth of a build's imports
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

MANIFEST_PATH = ".well-known/govsite-manifest.json"
SIGNATURE_PATH = MANIFEST_PATH + ".sig"
PUBLIC_KEY_PATH = ".well-known/govsite-manifest.pub.pem"
FORMAT = "govsite-manifest/1"
_CHUNK = 1 << 20


class ManifestError(ValueError):
    """A manifest that cannot be read: not JSON, another format, or entries that make no sense."""


_text = json.encoder.encode_basestring  # a JSON string, as json.dumps(ensure_ascii=False) writes it


@dataclass(frozen=True, slots=True)
class Entry:
    """One published file."""

    path: str
    """Site path, `/`-separated, relative to the site's root."""
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    files: tuple[Entry, ...]
    source_commit: str | None = None
    """The git commit the site's sources were at (HEAD; the working tree may have differed)."""

    def to_bytes(self) -> bytes:
        """JSON with one file a line: small at 100,000 files, and a diff of two reads well."""
        head = (
            f'{{"format": {json.dumps(FORMAT)}, "source_commit": {json.dumps(self.source_commit)},'
        )
        # The C string encoder, called directly: json.dumps of each entry's dict took 0.1 s
        # of an update at 36,000 files, for the same bytes.
        rows = ",\n".join(
            f'{{"path": {_text(e.path)}, "sha256": {_text(e.sha256)}, "size": {int(e.size)}}}'
            for e in self.files
        )
        return f'{head}\n"files": [\n{rows}\n]}}\n'.encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        try:
            parsed = json.loads(data.decode("utf-8"))
            if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
                raise ManifestError(f"not a {FORMAT} manifest")
            commit = parsed.get("source_commit")
            files = tuple(_entry(item) for item in parsed["files"])
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ManifestError(f"not a readable manifest: {exc}") from None
        if commit is not None and not isinstance(commit, str):
            raise ManifestError("source_commit is not text")
        if len({e.path for e in files}) != len(files):
            raise ManifestError("a path is listed twice")
        return cls(files, commit)


def _entry(item: Any) -> Entry:
    path, digest, size = item["path"], item["sha256"], item["size"]
    if not (isinstance(path, str) and isinstance(digest, str) and isinstance(size, int)):
        raise ManifestError(f"malformed entry {item!r}")
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or any(p in ("..", ".") for p in parts) or "\\" in path:
        raise ManifestError(f"unsafe path {path!r}")  # verify must never leave the copy it checks
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or size < 0:
        raise ManifestError(f"malformed entry {item!r}")
    return Entry(path, digest, size)


def is_listed(path: str) -> bool:
    """Whether a file at site path `path` belongs in the manifest.

    Not the manifest and its signature (they cannot list themselves), nor govsite's own marks
    at the top of a build folder (`.govsite-build`), which are not part of the site.
    """
    if path in (MANIFEST_PATH, SIGNATURE_PATH):
        return False
    return "/" in path or not path.startswith(".govsite-")


def files_below(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every file below `folder` the manifest would list, with its site path, sorted."""
    for directory, subfolders, names in os.walk(folder):
        subfolders.sort()
        base = Path(directory)
        for name in sorted(names):
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if is_listed(relative):
                yield relative, path


def digest_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of the file at `path`."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def manifest_of(folder: Path, source_commit: str | None) -> Manifest:
    """The manifest of `folder`, every file read."""
    entries = [Entry(relative, *digest_file(path)) for relative, path in files_below(folder)]
    return Manifest(tuple(sorted(entries, key=lambda e: e.path)), source_commit)


def write_manifest(
    folder: Path,
    source_commit: str | None,
    key: Ed25519PrivateKey | None = None,
    listed: Mapping[str, tuple[str, int]] | None = None,
) -> Manifest:
    """Write the manifest of `folder` into it (signed with `key`, its public key published).

    `listed`, when the caller knows every file of `folder` without looking (the engine's
    update: the last build's files and those it changed), is each one's SHA-256 (hex)
    and size by site path: the folder is then not walked. The manifest, its signature
    and the public key are replaced, never written in place (the folder may hold links
    to an earlier build's files)."""
    (folder / MANIFEST_PATH).parent.mkdir(parents=True, exist_ok=True)
    for path in (MANIFEST_PATH, SIGNATURE_PATH, PUBLIC_KEY_PATH):
        (folder / path).unlink(missing_ok=True)
    pem = public_key_pem(key.public_key()) if key is not None else None
    if pem is not None:  # first, so the manifest lists the public key too
        (folder / PUBLIC_KEY_PATH).write_bytes(pem)
    if listed is None:
        manifest = manifest_of(folder, source_commit)
    else:
        files = {path: found for path, found in listed.items() if is_listed(path)}
        files.pop(PUBLIC_KEY_PATH, None)
        if pem is not None:
            files[PUBLIC_KEY_PATH] = (hashlib.sha256(pem).hexdigest(), len(pem))
        entries = (Entry(path, *files[path]) for path in sorted(files))
        manifest = Manifest(tuple(entries), source_commit)
    data = manifest.to_bytes()
    (folder / MANIFEST_PATH).write_bytes(data)
    if key is not None:
        (folder / SIGNATURE_PATH).write_bytes(key.sign(data))
    return manifest


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; ValueError if it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def signature_holds(key: Ed25519PublicKey, manifest: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(signature, manifest)
    except InvalidSignature:
        return False
    return True


def source_commit(root: Path) -> str | None:
    """The commit HEAD names in the git repository holding `root`; None without git or a repository.

    `git rev-parse` only reads the repository: nothing is fetched.
    """
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(root), "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) in (40, 64) else None


def load_signing_key(project: Project, report: Report) -> Ed25519PrivateKey | None:
    """The private key govsite.yaml's `signing:` names, or None; problems are located errors.

    The key never comes from the site's own folder: whatever is there is committed, and
    published with it by a careless `--out`.
    """
    signing = project.config.signing
    if signing is None:
        return None
    location = project.config_location
    if (signing.key_file is None) == (signing.key_env is None):
        report.say(
            "error", messages.text("GS113.one-of"), location, messages.text("GS113.one-of.hint")
        )
        return None
    if signing.key_env is not None:
        text = os.environ.get(signing.key_env)
        if not text:
            message = messages.text("GS113.env-unset", name=signing.key_env)
            report.say("error", message, location, messages.text("GS113.env-unset.hint"))
            return None
        return _private_key(text.encode("utf-8"), f"${signing.key_env}", report, project)
    assert signing.key_file is not None
    path = Path(signing.key_file).expanduser()
    path = path if path.is_absolute() else project.root / path
    if path.resolve().is_relative_to(project.root.resolve()):
        message = messages.text("GS113.inside", file=signing.key_file)
        report.say("error", message, location, messages.text("GS113.inside.hint"))
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        key = "GS113.no-file" if isinstance(exc, FileNotFoundError) else "GS113.unreadable"
        message = messages.text(key, file=signing.key_file)
        report.say("error", message, location, messages.text(f"{key}.hint"))
        return None
    return _private_key(data, signing.key_file, report, project)


def _private_key(
    data: bytes, source: str, report: Report, project: Project
) -> Ed25519PrivateKey | None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:  # the key is encrypted, and a build cannot ask for its password
        message = messages.text("GS113.encrypted", source=source)
        report.say("error", message, project.config_location, messages.text("GS113.encrypted.hint"))
        return None
    except ValueError:
        message = messages.text("GS113.not-pem", source=source)
        report.say("error", message, project.config_location, messages.text("GS113.key.hint"))
        return None
    if not isinstance(key, Ed25519PrivateKey):
        message = messages.text("GS113.not-ed25519", source=source)
        report.say("error", message, project.config_location, messages.text("GS113.key.hint"))
        return None
    return key
