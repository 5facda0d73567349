"""`--external`: links fetched from a local server that answers 200, 404, 500 and slowly."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from govsite.check.external import ExternalOptions, check_external, fetch_status
from govsite.cli import main
from govsite.errors import SourceLocation
from tests.test_check import BROKEN, BROKEN_AS_OF

SLOW_SECONDS = 3.0
TIMEOUT = 0.5  # far below SLOW_SECONDS: the slow link must time out


class Server:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()


@pytest.fixture
def server() -> Iterator[tuple[str, Server]]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.hits[self.path] += 1
            if self.path == "/slow":
                time.sleep(SLOW_SECONDS)
            status = {"/ok": 200, "/missing": 404, "/error": 500, "/slow": 200}.get(self.path, 404)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the checker gave up waiting, as it should

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    finally:
        httpd.shutdown()
        httpd.server_close()


OPTIONS = ExternalOptions(timeout=TIMEOUT, concurrency=4, retries=1)


def test_each_answer_becomes_the_right_finding(server: tuple[str, Server]) -> None:
    base, _ = server
    links = {
        f"{base}/{name}": SourceLocation(PurePosixPath(f"content/{name}.md"), 3, 1)
        for name in ("ok", "missing", "error", "slow")
    }
    findings = list(check_external(links, OPTIONS))
    found = {(f.code, f.location.path.name) for f in findings}
    assert found == {("GC102", "missing.md"), ("GC103", "error.md"), ("GC103", "slow.md")}
    worded = {
        f.location.path.name: (f.message_in("en"), f.message_in("zh"))
        for f in findings
        if f.location.path.name != "slow.md"  # its error text is the operating system's
    }
    assert worded == {
        "missing.md": (
            f"external link '{base}/missing' answers HTTP 404",
            f"外部链接 '{base}/missing' 返回 HTTP 404",
        ),
        "error.md": (
            f"external link '{base}/error' answers HTTP 500",
            f"外部链接 '{base}/error' 返回 HTTP 500（服务器错误）",
        ),
    }
    slow = next(f for f in findings if f.location.path.name == "slow.md")
    assert slow.message_in("zh").startswith(f"外部链接 '{base}/slow' 访问失败：")
    assert slow.message_in("en").startswith(f"external link '{base}/slow' failed: ")


def test_failures_are_tried_once_more_and_successes_once(server: tuple[str, Server]) -> None:
    base, state = server
    assert fetch_status(f"{base}/error", OPTIONS).status == 500
    assert fetch_status(f"{base}/ok", OPTIONS).status == 200
    assert fetch_status(f"{base}/missing", OPTIONS).status == 404
    assert state.hits["/error"] == 2
    assert state.hits["/ok"] == 1
    assert state.hits["/missing"] == 1  # a 404 is an answer, not a failure


def test_a_slow_server_times_out(server: tuple[str, Server]) -> None:
    base, _ = server
    status = fetch_status(f"{base}/slow", OPTIONS)
    assert status.status is None
    assert status.error is not None


def test_cli_checks_external_links_only_when_asked(
    server: tuple[str, Server], tmp_path: Path
) -> None:
    base, state = server
    site = Path(shutil.copytree(BROKEN, tmp_path / "site"))
    document = site / "content/records/notices/replacement.md"
    document.write_text(
        document.read_text(encoding="utf-8")
        + f"\n[办事指南]({base}/ok)\n\n[旧版说明]({base}/missing)\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["check", "--site", str(site), "--as-of", BROKEN_AS_OF, "--format", "json"]
    result = runner.invoke(main, args)
    assert state.hits == Counter()  # listed, not fetched
    assert f"{base}/missing" in json.loads(result.stdout)["external_links"]

    result = runner.invoke(main, [*args, "--external", "--timeout", str(TIMEOUT)])
    findings = json.loads(result.stdout)["findings"]
    external = [
        (f["rule"], f["path"], f["line"]) for f in findings if f["rule"] in ("GC102", "GC103")
    ]
    assert external == [("GC102", "content/records/notices/replacement.md", 14)]
    assert result.exit_code == 1
