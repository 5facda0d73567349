"""The preview server: build, serve the build on loopback, rebuild when a source changes.

Watchdog handlers only note that something changed; one builder thread waits for the
burst of events to settle, then rebuilds. It also rebuilds when the day changes, since a
site is built for a day (records expire, take effect and come out on their dates). A failed rebuild keeps the last good site on
disk, and pages are answered with the diagnostics until the sources are fixed.

Open pages reload themselves after each build: every HTML response gets a script tag for
`/__govsite/reload.js`, which listens to server-sent events. The tag is added as the page
is served, never written into `build/`; the script is a file of the same origin, so the
site's Content-Security-Policy (`script-src 'self'`) allows it unchanged.
"""

from __future__ import annotations

import functools
import html
import threading
import traceback
from collections.abc import Callable
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from govsite import clock, pipeline, uptodate
from govsite.config import CONFIG_FILE, load_project
from govsite.errors import BuildFailed, summarize
from govsite.messages import Language, choose_language, text
from govsite.theme import BUILTIN_THEMES

DEBOUNCE_SECONDS = 0.2
DAY_CHECK_SECONDS = 60.0
"""How often an idle preview looks whether the day it was built for is over."""
KEEPALIVE_SECONDS = 15.0
RELOAD_PREFIX = "/__govsite/"
RELOAD_SCRIPT = b"""\
// Served by `govsite serve` only: reload this page when the site has been rebuilt.
(function () {
  var since = new URL(document.currentScript.src).searchParams.get("build") || "0";
  var events = new EventSource("/__govsite/events?build=" + since);
  events.addEventListener("reload", function () { location.reload(); });
})();
"""
_HTML_LANG: dict[Language, str] = {"en": "en", "zh": "zh-CN"}
_CHANGES = frozenset({"created", "deleted", "modified", "moved"})


class PreviewState:
    """The outcome of the latest build, shared by the builder and the request handlers."""

    def __init__(self, language: str | None = None) -> None:
        self.explicit_language = language
        """`--lang`, if given; else the locale's or the site's (messages.choose_language)."""
        self.language: Language = choose_language(language, None)
        self.lock = threading.Condition()
        self.failure: BuildFailed | None = None
        self.crash: str | None = None
        """The traceback of a rebuild that failed by a bug in govsite, shown until one succeeds."""
        self.generation = 0  # counts builds, good or failed: each one reloads open pages

    def rebuild(
        self, root: Path, out_dir: Path | None, log: Callable[[str], None], as_of: date
    ) -> None:
        """Build the site as of `as_of` (as `govsite build` does: today, unless told)."""
        failure: BuildFailed | None = None
        crash: str | None = None
        try:
            project = load_project(root, out_dir)
            self.language = choose_language(self.explicit_language, project.config.language)
            result = uptodate.replay(project, project.cache_dir, strict=False, as_of=as_of)
            if result is None:
                result = pipeline.build(project, as_of=as_of, cache_dir=project.cache_dir)
            log(result.summary())
        except BuildFailed as exc:
            failure = exc
            log(exc.format_text(self.language))
        except Exception:  # a bug in govsite: say so once, and keep serving and watching
            crash = traceback.format_exc()
            log(f"govsite hit an unexpected error (please report it):\n{crash}")
        with self.lock:
            self.failure, self.crash = failure, crash
            self.generation += 1
            self.lock.notify_all()

    def wait_for_build_after(self, generation: int, timeout: float) -> int:
        """The newest build's number once it is past `generation`, or the same after `timeout`."""
        with self.lock:
            self.lock.wait_for(lambda: self.generation > generation, timeout)
            return self.generation

    def error_page(self) -> bytes | None:
        with self.lock:
            failure, crash = self.failure, self.crash
        if crash is not None:
            return (
                '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                "<title>govsite hit an unexpected error</title></head><body><main>"
                "<h1>govsite hit an unexpected error</h1><p>This is a bug in govsite, not in the "
                "site: please report it with the text below. The preview keeps watching, and "
                f"this page reloads after the next build.</p><pre>{html.escape(crash)}</pre>"
                "</main></body></html>"
            ).encode()
        if failure is None:
            return None
        language = self.language
        lines = "\n".join(html.escape(d.format_text(language)) for d in failure.diagnostics)
        summary = html.escape(summarize(failure.diagnostics, language))
        words = {key: text(f"preview.{key}").render(language) for key in ("title", "lead")}
        return (
            f'<!DOCTYPE html><html lang="{_HTML_LANG[language]}"><head><meta charset="utf-8">'
            f"<title>{words['title']}</title></head><body><main><h1>{words['title']}</h1>"
            f"<p>{words['lead']}</p><pre>{lines}</pre><p>{summary}</p></main></body></html>"
        ).encode()

    def reload_tag(self) -> bytes:
        with self.lock:
            generation = self.generation
        return f'<script src="{RELOAD_PREFIX}reload.js?build={generation}" defer></script>'.encode()


class _ChangeWatcher(FileSystemEventHandler):
    def __init__(self, changed: threading.Event, build_dir: Path) -> None:
        self.changed = changed
        self.build_dir = build_dir

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES:
            return  # watchdog also reports files being opened and read, by the build itself
        path = Path(str(event.src_path))
        in_root = path.parent == self.build_dir.parent
        if in_root and path.name != CONFIG_FILE:
            return  # the build folder swapping in, editor swap files beside govsite.yaml
        self.changed.set()


def serve(
    root: Path, host: str, port: int, log: Callable[[str], None], language: str | None = None
) -> None:
    """Build and serve the site at `root` until interrupted; problems are shown in `language`
    (`--lang`), or the locale's or the site's."""
    project = load_project(root)
    state = PreviewState(language)
    state.rebuild(root, None, log, clock.today())
    changed = threading.Event()
    observer = Observer()
    watcher = _ChangeWatcher(changed, project.out_dir)
    observer.schedule(watcher, str(root), recursive=False)
    for folder in (project.content_dir, *project.theme_dirs, BUILTIN_THEMES, project.templates_dir):
        if folder.is_dir():
            observer.schedule(watcher, str(folder), recursive=True)
    observer.start()
    threading.Thread(
        target=rebuild_loop, args=(changed, state, root, log, clock.today()), daemon=True
    ).start()
    handler = functools.partial(_PreviewHandler, state=state, directory=str(project.out_dir))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True  # event streams stay open; they must not hold up Ctrl+C
    log(f"Serving {project.out_dir} at http://{host}:{server.server_port}/ (Ctrl+C stops)")
    try:
        server.serve_forever()
    finally:
        observer.stop()
        server.server_close()


def rebuild_loop(
    changed: threading.Event,
    state: PreviewState,
    root: Path,
    log: Callable[[str], None],
    built_for: date,
    today: Callable[[], date] = clock.today,
    day_check: float = DAY_CHECK_SECONDS,
) -> None:
    """Rebuild after each burst of changes, and when `today()` is past the day last built for."""
    while True:
        if not changed.wait(day_check) and today() == built_for:
            continue
        # Coalesce a burst of events (an editor saving, git checking out many files).
        while changed.wait(DEBOUNCE_SECONDS):
            changed.clear()
        built_for = today()
        state.rebuild(root, None, log, built_for)


class _PreviewHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, state: PreviewState, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if "\x00" in unquote(url.path):
            self.send_error(400, "Bad request: a NUL byte in the path")
        elif url.path == RELOAD_PREFIX + "events":
            self._stream_reloads(_build_number(parse_qs(url.query).get("build", ["0"])[0]))
        elif url.path == RELOAD_PREFIX + "reload.js":
            self._send(200, "text/javascript; charset=utf-8", RELOAD_SCRIPT)
        elif url.path.endswith(("/", ".html")):
            self._send_page(url.path)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if "\x00" in unquote(urlsplit(self.path).path):
            self.send_error(400, "Bad request: a NUL byte in the path")
        else:
            super().do_HEAD()

    def _send_page(self, path: str) -> None:
        page = self.state.error_page()
        status = 500
        if page is None:
            file = Path(self.translate_path(path))
            file = file / "index.html" if file.is_dir() else file
            if not file.is_file():
                super().do_GET()  # the 404, as a static host would answer
                return
            page, status = file.read_bytes(), 200
        head_end = page.find(b"</head>")
        head_end = len(page) if head_end < 0 else head_end
        page = page[:head_end] + self.state.reload_tag() + page[head_end:]
        self._send(status, "text/html; charset=utf-8", page)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _stream_reloads(self, seen: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                newest = self.state.wait_for_build_after(seen, KEEPALIVE_SECONDS)
                message = f"event: reload\ndata: {newest}\n\n" if newest > seen else ": alive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = newest
        except OSError:
            return  # the page went away

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not every request


def _build_number(text: str) -> int:
    """The build a page was served from (`?build=`); 0 for anything else, so it reloads."""
    return int(text) if text.isascii() and text.isdigit() else 0
