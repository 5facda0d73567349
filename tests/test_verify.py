"""Tamper evidence: the build's manifest of published files, its signature, and `govsite verify`
against a folder and against a real HTTP server on 127.0.0.1 serving a tampered or an untouched copy."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from govsite import pipeline
from govsite.cli import main
from govsite.config import load_project
from govsite.errors import BuildFailed
from govsite.manifest import (
    MANIFEST_PATH,
    PUBLIC_KEY_PATH,
    SIGNATURE_PATH,
    Manifest,
    ManifestError,
    manifest_of,
)
from govsite.retire import BUILD_MARK
from tests.conftest import MakeSite

Serve = Callable[[Path], str]
SIGNING = "signing:\n  key_env: GOVSITE_TEST_SIGNING_KEY\n"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve_folder() -> Iterator[Serve]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(QuietHandler, directory=str(folder))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def built(make_site: MakeSite, tmp_path: Path) -> Path:
    root = make_site()
    pipeline.build(load_project(root))
    return root / "build"


def tamper(build: Path, tmp_path: Path) -> Path:
    """A copy with one page changed, one file removed and one added, which the changed page
    links to, as a defacement does."""
    copy = tmp_path / "tampered"
    shutil.copytree(build, copy)
    page = copy / "index.html"
    defaced = '被篡改</h1><a href="records/shell.php">x</a><a href="https://evil.example/">y</a>'
    page.write_text(page.read_text(encoding="utf-8").replace("</h1>", defaced, 1), "utf-8")
    (copy / "404.html").unlink()
    (copy / "records" / "shell.php").write_text("<?php system($_GET['c']);", "utf-8")
    return copy


def verify(*arguments: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["verify", *arguments])
    return result.exit_code, result.stdout.splitlines()


def test_the_manifest_lists_every_published_file_with_its_digest(built: Path) -> None:
    data = (built / MANIFEST_PATH).read_bytes()
    manifest = Manifest.from_bytes(data)
    listed = {entry.path for entry in manifest.files}
    on_disk = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    assert listed == on_disk - {MANIFEST_PATH, BUILD_MARK}  # govsite's own mark is not content
    assert [e.path for e in manifest.files] == sorted(listed)
    assert manifest_of(built, manifest.source_commit).to_bytes() == data  # a function of the bytes
    assert "index.html" in listed and "_headers" in listed
    assert any(path.startswith("search-index/") for path in listed)  # the search index too


def test_an_untouched_copy_served_over_http_verifies(built: Path, serve_folder: Serve) -> None:
    code, lines = verify(serve_folder(built))
    assert code == 0, lines
    assert lines[-1] == "No differences."
    assert any(
        "Over HTTP, extra files are found only where a changed page" in line for line in lines
    )


def test_a_tampered_copy_served_over_http_fails(
    built: Path, tmp_path: Path, serve_folder: Serve
) -> None:
    copy = tamper(built, tmp_path)
    code, lines = verify("--quiet", serve_folder(copy))
    assert code == 1
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in lines] == [
        "missing: 404.html",
        "changed: index.html",
        "extra: records/shell.php",
    ]
    assert lines[-1] == "extra: records/shell.php: linked from index.html"


def test_a_tampered_folder_shows_the_extra_file_too(built: Path, tmp_path: Path) -> None:
    code, lines = verify("-q", str(tamper(built, tmp_path)))
    assert code == 1
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in lines] == [
        "missing: 404.html",
        "changed: index.html",
        "extra: records/shell.php",
    ]
    assert verify("-q", str(built)) == (0, [])  # cron mode: silence when clean


def test_a_trusted_manifest_catches_a_copy_whose_own_manifest_was_rewritten(
    built: Path, tmp_path: Path, serve_folder: Serve
) -> None:
    trusted = tmp_path / "approved.json"
    shutil.copyfile(built / MANIFEST_PATH, trusted)
    copy = tamper(built, tmp_path)
    (copy / MANIFEST_PATH).write_bytes(manifest_of(copy, None).to_bytes())  # the attacker's
    assert verify("-q", serve_folder(copy))[0] == 0  # its own manifest proves nothing
    code, lines = verify("-q", "--manifest", str(trusted), serve_folder(copy))
    assert code == 1
    assert len(lines) == 3  # changed, missing, and the extra file the changed page links to


def test_a_signed_manifest_verifies_and_a_rewritten_one_does_not(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serve_folder: Serve
) -> None:
    key = Ed25519PrivateKey.generate()
    monkeypatch.setenv("GOVSITE_TEST_SIGNING_KEY", pem(key))
    root = make_site()
    with (root / "govsite.yaml").open("a", encoding="utf-8") as config:
        config.write(SIGNING)
    pipeline.build(load_project(root))
    build = root / "build"
    public = tmp_path / "site.pub.pem"
    shutil.copyfile(build / PUBLIC_KEY_PATH, public)
    assert len((build / SIGNATURE_PATH).read_bytes()) == 64
    assert PUBLIC_KEY_PATH in {
        e.path for e in Manifest.from_bytes((build / MANIFEST_PATH).read_bytes()).files
    }

    code, lines = verify("--public-key", str(public), serve_folder(build))
    assert code == 0, lines
    assert "Signature: valid." in lines

    copy = tamper(build, tmp_path)
    (copy / MANIFEST_PATH).write_bytes(manifest_of(copy, None).to_bytes())
    code, lines = verify("-q", "--public-key", str(public), serve_folder(copy))
    assert (code, lines) == (1, [f"signature: {SIGNATURE_PATH}: does not match the public key"])


@pytest.mark.parametrize(
    ("signing", "message"),
    [
        ("signing:\n  key_env: GOVSITE_TEST_NO_SUCH_VARIABLE\n", "is not set"),
        ("signing:\n  key_file: keys/private.pem\n", "inside the site's folder"),
        ("signing:\n  key_file: /nonexistent/private.pem\n", "does not exist"),
    ],
)
def test_a_signing_key_that_cannot_be_used_is_a_located_error(
    make_site: MakeSite, signing: str, message: str
) -> None:
    root = make_site({"keys/private.pem": pem(Ed25519PrivateKey.generate())})
    with (root / "govsite.yaml").open("a", encoding="utf-8") as config:
        config.write(signing)
    with pytest.raises(BuildFailed) as failure:
        pipeline.build(load_project(root))
    text = failure.value.format_text()
    assert "govsite.yaml" in text and "GS113" in text and message in text
    assert not (root / "build").exists()


def test_the_theme_links_its_css_and_js_with_subresource_integrity(built: Path) -> None:
    import base64
    import hashlib
    import re

    pages = sorted(built.rglob("*.html"))  # every page: records add print.js, health its CSS
    checked = 0
    for page in pages:
        tags = re.findall(r'<(?:link rel="stylesheet"|script) [^>]*>', page.read_text("utf-8"))
        for tag in tags:
            if 'type="application/ld+json"' in tag or 'type="application/json"' in tag:
                continue  # data, not a script
            found = re.search(r'(?:href|src)="([^"]+)" integrity="(sha384-[^"]+)"', tag)
            assert found is not None, f"{page}: {tag}"
            url, integrity = found.groups()
            file = built / url.lstrip("/") if url.startswith("/") else page.parent / url  # 404.html
            digest = hashlib.sha384(file.read_bytes()).digest()
            assert integrity == "sha384-" + base64.b64encode(digest).decode()
            checked += 1
    # Each page links two stylesheets and two scripts at least (tokens, site, prefs, toolbar).
    assert len(pages) > 10 and checked >= 4 * len(pages), (checked, len(pages))


def test_a_server_that_trickles_is_cut_off_at_the_deadline(built: Path, tmp_path: Path) -> None:
    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        trusted = built / MANIFEST_PATH
        small = Manifest(Manifest.from_bytes(trusted.read_bytes()).files[:1])
        (tmp_path / "one.json").write_bytes(small.to_bytes())
        code, lines = verify(
            "-q", "--timeout", "0.3", "--manifest", str(tmp_path / "one.json"), url
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1
    assert lines[0].startswith("unreadable: ") and "deadline" in lines[0]


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "a/../../b", ""])
def test_a_manifest_naming_a_path_outside_the_copy_is_refused(path: str) -> None:
    data = json.dumps(
        {"format": "govsite-manifest/1", "files": [{"path": path, "sha256": "0" * 64, "size": 1}]}
    ).encode()
    with pytest.raises(ManifestError):
        Manifest.from_bytes(data)


def test_the_header_files_and_docs_carry_the_themes_policy_and_frame_ancestors(
    built: Path,
) -> None:
    import re

    from govsite.headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
    from tests.conftest import REPO

    search = (built / "search" / "index.html").read_text(encoding="utf-8")
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', search)
    assert meta is not None
    assert meta.group(1) + "; frame-ancestors 'self'" == CONTENT_SECURITY_POLICY
    headers = (built / "_headers").read_text(encoding="utf-8")
    doc = (REPO / "docs" / "security-headers.md").read_text(encoding="utf-8")
    for name, value in SECURITY_HEADERS:
        assert f"  {name}: {value}\n" in headers
        assert f"  {name}: {value}\n" in doc
        assert f'add_header {name} "{value}" always;' in doc


def test_the_manifest_names_the_commit_of_a_site_kept_in_git(make_site: MakeSite) -> None:
    import subprocess

    root = make_site()
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "site"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    pipeline.build(load_project(root))
    manifest = Manifest.from_bytes((root / "build" / MANIFEST_PATH).read_bytes())
    assert manifest.source_commit == head
    code, lines = verify(str(root / "build"))
    assert code == 0 and f"(source commit {head})" in lines[0]


def test_outside_git_the_manifest_names_no_commit(built: Path) -> None:
    assert Manifest.from_bytes((built / MANIFEST_PATH).read_bytes()).source_commit is None
