"""`--external`: links fetched from a local server that answers 200, 404, 500 and slowly."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from govsite.check.external import (
    ExternalOptions,
    LinkStatus,
    check_external,
    fetch_status,
)
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


# -- servers that never stop on their own terms: every bound is govsite's --------------------

TRICKLE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
TRICKLE_PAUSE = 0.25  # the whole answer takes TRICKLE_PAUSE * len(TRICKLE), about 15 s


@pytest.fixture
def awkward_server() -> Iterator[tuple[str, Server, list[int]]]:
    """Answers byte by byte (/trickle), redirects to ftp (/to-ftp), in a loop (/loop), along
    a short chain (/hop/N), with a 40 KB header (/huge-head) and with an endless body
    (/endless); every loop is bounded and
    ends when the client goes away. The list counts connections to the 'ftp' port."""
    state = Server()
    ftp = socket.create_server(("127.0.0.1", 0))
    ftp.settimeout(0.2)
    ftp_connections: list[int] = []
    stop = threading.Event()

    def count_ftp() -> None:
        while not stop.is_set():
            try:
                connection, _ = ftp.accept()
            except OSError:
                continue
            ftp_connections.append(1)
            connection.close()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.hits[self.path] += 1
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer()  # else the checker gave up, as it should

        def _answer(self) -> None:
            if self.path == "/trickle":
                for byte in TRICKLE:  # bounded: about 15 s at most
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(TRICKLE_PAUSE)
            elif self.path == "/huge-head":
                self.send_response(200)
                self.send_header("X-Padding", "x" * 40_000)  # under http.client's own line limit
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/endless":
                self.send_response(200)
                self.end_headers()
                for _ in range(2000):  # bounded: 2000 chunks of 64 KB, unless the client leaves
                    self.wfile.write(b"x" * 65536)
            elif self.path.startswith(("/to-ftp", "/loop", "/hop/")):
                self.send_response(302)
                self.send_header("Location", self._location())
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.send_response(200 if self.path == "/ok" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def _location(self) -> str:
            if self.path == "/to-ftp":
                return f"ftp://127.0.0.1:{ftp.getsockname()[1]}/file"
            if self.path == "/loop":
                return "/loop"
            hops = int(self.path.rsplit("/", 1)[1])
            return f"/hop/{hops - 1}" if hops > 1 else "/ok"

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threads = [
        threading.Thread(target=httpd.serve_forever, daemon=True),
        threading.Thread(target=count_ftp, daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state, ftp_connections
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        ftp.close()


DEADLINE = ExternalOptions(timeout=1.0, concurrency=4, retries=1)
MAX_REDIRECTS = 5  # external.MAX_REDIRECTS, the documented number


def test_a_server_that_trickles_its_answer_meets_one_deadline_for_the_link(
    awkward_server: tuple[str, Server, list[int]],
) -> None:
    base, state, _ = awkward_server
    status = fetch_status(f"{base}/trickle", DEADLINE)
    # Every read got a byte within the timeout; the link as a whole did not.
    assert status == LinkStatus(f"{base}/trickle", None, "no answer within 1 s")
    assert state.hits["/trickle"] == 1  # no time was left for a retry


def test_redirects_are_followed_only_between_http_and_https(
    awkward_server: tuple[str, Server, list[int]],
) -> None:
    base, _, ftp_connections = awkward_server
    status = fetch_status(f"{base}/to-ftp", DEADLINE)
    assert status.status is None
    assert status.error is not None and "not an http or https address" in status.error
    assert ftp_connections == []


def test_redirects_are_followed_a_few_times_only(
    awkward_server: tuple[str, Server, list[int]],
) -> None:
    base, state, _ = awkward_server
    assert fetch_status(f"{base}/hop/{MAX_REDIRECTS}", DEADLINE).status == 200
    looped = fetch_status(f"{base}/loop", ExternalOptions(timeout=5.0, retries=0))
    assert looped == LinkStatus(f"{base}/loop", None, f"redirects more than {MAX_REDIRECTS} times")
    assert state.hits["/loop"] == 1 + MAX_REDIRECTS
    found = list(
        check_external({f"{base}/loop": SourceLocation(PurePosixPath("content/a.md"), 2)}, DEADLINE)
    )
    assert [f.code for f in found] == ["GC103"]


def test_an_endless_body_is_not_read(awkward_server: tuple[str, Server, list[int]]) -> None:
    base, _, _ = awkward_server
    assert fetch_status(f"{base}/endless", DEADLINE) == LinkStatus(f"{base}/endless", 200)


@pytest.mark.parametrize(
    "option", [["--concurrency", "0"], ["--concurrency", "1000"], ["--timeout", "0"]]
)
def test_the_bounds_cannot_be_turned_off(option: list[str], tmp_path: Path) -> None:
    site = Path(shutil.copytree(BROKEN, tmp_path / "site"))
    result = CliRunner().invoke(main, ["check", "--site", str(site), "--external", *option])
    assert result.exit_code == 2, result.output


def test_an_answer_with_a_huge_head_is_not_read_to_its_end(
    awkward_server: tuple[str, Server, list[int]],
) -> None:
    base, _, _ = awkward_server
    status = fetch_status(f"{base}/huge-head", DEADLINE)
    assert status.status is None
    assert status.error == "the answer's status line and headers are longer than 32 KB"


def test_links_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As urllib did: `http_proxy` (with its credentials) and `no_proxy` are honoured."""
    seen: list[tuple[str, str | None]] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Proxy-Authorization")))
            self.send_response(200 if self.path.endswith("/ok") else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        for name in ("HTTP_PROXY", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("http_proxy", f"http://editor:pa%20ss@127.0.0.1:{proxy.server_port}")
        # example.invalid has no address (and is never looked up): only the proxy answers.
        assert fetch_status("http://example.invalid/ok", DEADLINE).status == 200
        assert fetch_status("http://example.invalid/gone", DEADLINE).status == 404
        assert seen == [
            ("http://example.invalid/ok", "Basic ZWRpdG9yOnBhIHNz"),  # editor:pa ss
            ("http://example.invalid/gone", "Basic ZWRpdG9yOnBhIHNz"),
        ]
        monkeypatch.setenv("no_proxy", "127.0.0.1")  # asked directly, as a server
        assert fetch_status(f"http://127.0.0.1:{proxy.server_port}/ok", DEADLINE).status == 200
        assert seen[2:] == [("/ok", None)]
    finally:
        proxy.shutdown()
        proxy.server_close()
