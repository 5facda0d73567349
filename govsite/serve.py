"""The preview server: build, serve the build on loopback, update it when a source changes.

The site is loaded once and kept (govsite/engine/): watchdog handlers only note which
paths changed; one builder thread waits for the burst of events to settle, then hands
them to the live site, which re-renders and rewrites only the pages they affect. A
failed update keeps the last good site on disk, and pages are answered with the
diagnostics until the sources are fixed. Nothing that goes wrong in an update or a
request stops the server: an unexpected error is logged once and shown on the error page.

Open pages reload themselves after each update: every HTML response gets a script tag for
`/__govsite/reload.js`, which listens to server-sent events. The tag is added as the page
is served, never written into `build/`; the script is a file of the same origin, so the
site's Content-Security-Policy (`script-src 'self'`) allows it unchanged. While the search
index is being brought up to date behind the pages, the search page is served with a
notice saying so (and reloads when the index is current); `/__govsite/search-status`
answers the same as JSON.
"""

from __future__ import annotations

import functools
import html
import json
import sys
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
from watchdog.observers.api import BaseObserver

from govsite import clock
from govsite.config import CONFIG_FILE, load_project
from govsite.engine.live import Change, LiveSite
from govsite.engine.searchsync import SearchRefresher
from govsite.errors import BuildFailed, summarize
from govsite.messages import Language, choose_language, text
from govsite.pipeline import check_build_folder
from govsite.plan import SEARCH_URL
from govsite.theme import BUILTIN_THEMES

DEBOUNCE_SECONDS = 0.05
"""How long events must pause before an update starts: editors save in a burst of a few
events within milliseconds; a longer wait is time an editor waits on every save."""
DAY_CHECK_SECONDS = 60.0
"""How often an idle preview looks whether the day it was built for is over."""
KEEPALIVE_SECONDS = 15.0
RELOAD_PREFIX = "/__govsite/"
RELOAD_SCRIPT = b"""\
// Served by `govsite serve` only: reload this page when the site has been rebuilt,
// and a page that says the search index is behind once the index has caught up.
(function () {
  var since = new URL(document.currentScript.src).searchParams.get("build") || "0";
  var events = new EventSource("/__govsite/events?build=" + since);
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("search", function () {
    if (document.querySelector("[data-govsite-search-behind]")) { location.reload(); }
  });
})();
"""
SEARCH_BEHIND_NOTICE = (
    '<p role="status" data-govsite-search-behind>'
    "搜索索引正在更新，以下结果可能还不包含刚保存的修改；更新完成后本页会自动刷新。"
    "(The search index is being updated: results may not include the latest edit yet.)</p>"
).encode()
_CHANGES = frozenset({"created", "deleted", "modified", "moved"})
_HTML_LANG: dict[Language, str] = {"en": "en", "zh": "zh-CN"}


class PreviewState:
    """The outcome of the latest update, shared by the builder and the request handlers."""

    def __init__(self, site: LiveSite | None = None, language: str | None = None) -> None:
        self.explicit_language = language
        """`--lang`, if given; else the locale's or the site's (messages.choose_language)."""
        self.language: Language = choose_language(language, None)
        self.lock = threading.Condition()
        self.site = site
        self.failure: BuildFailed | None = None
        self.crash: str | None = None
        """The traceback of an unexpected error in the latest update (a bug in govsite)."""
        self.generation = 0  # counts updates, good or failed: each one reloads open pages
        self.search_generation = 0  # counts the times the search index caught up
        self.updating = False

    def rebuild(self, changes: list[Change] | None, log: Callable[[str], None]) -> None:
        """Load the site (`changes` None) or update it; never raises but to stop the program."""
        failure: BuildFailed | None = None
        crash: str | None = None
        with self.lock:
            self.updating = True
        try:
            assert self.site is not None
            summary = self.site.load() if changes is None else self.site.update(changes, log)
            self.language = choose_language(self.explicit_language, self.site.language)
            if summary is None:
                with self.lock:
                    self.updating = False
                return  # nothing any page reads changed: open pages stay as they are
            log(summary)
        except BuildFailed as exc:
            failure = exc
            log(exc.format_text(self.language))
        except Exception:  # a bug in govsite: say so once, keep serving and watching
            crash = traceback.format_exc()
            log(f"govsite hit an unexpected error (please report it):\n{crash}")
        with self.lock:
            self.failure, self.crash = failure, crash
            self.updating = False
            self.generation += 1
            self.lock.notify_all()

    def search_changed(self) -> None:
        """The refresher's callback: once the index has caught up, pages saying it is behind reload."""
        if self.search_behind:
            return  # the update that made it fall behind reloads open pages itself
        with self.lock:
            self.search_generation += 1
            self.lock.notify_all()

    @property
    def search_behind(self) -> bool:
        search = self.site.search if self.site is not None else None
        return search is not None and search.behind

    def wait_for_change(self, seen: tuple[int, int], timeout: float) -> tuple[int, int]:
        """(update, search) counters once either is past `seen`, or as they are after `timeout`."""
        with self.lock:
            self.lock.wait_for(lambda: self._counters() != seen, timeout)
            return self._counters()

    def counters(self) -> tuple[int, int]:
        with self.lock:
            return self._counters()

    def _counters(self) -> tuple[int, int]:
        return self.generation, self.search_generation

    def error_page(self) -> bytes | None:
        with self.lock:
            failure, crash = self.failure, self.crash
        if crash is not None:
            return (
                '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                "<title>govsite hit an unexpected error</title></head><body><main>"
                "<h1>govsite hit an unexpected error</h1><p>This is a bug in govsite, not in the "
                "site: please report it with the text below. The preview keeps watching; save "
                f"again to retry.</p><pre>{html.escape(crash)}</pre></main></body></html>"
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
    """Notes each changed path; the builder thread takes them all at once."""

    def __init__(self, changed: threading.Event, build_dir: Path) -> None:
        self.changed = changed
        self.build_dir = build_dir
        self._lock = threading.Lock()
        self._paths: set[Change] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES:
            return  # watchdog also reports files being opened and read, by the build itself
        if event.is_directory and event.event_type == "modified":
            return  # a folder's entries changed: each file reports itself
        paths = [Path(str(event.src_path))]
        if event.event_type == "moved":
            paths.append(Path(str(event.dest_path)))
        noted = [p for p in paths if self._watched(p)]
        if not noted:
            return
        with self._lock:
            self._paths.update(Change(p, event.is_directory) for p in noted)
        self.changed.set()

    def _watched(self, path: Path) -> bool:
        # The build folder swapping in, editor swap files beside govsite.yaml: not sources.
        return path.parent != self.build_dir.parent or path.name == CONFIG_FILE

    def take(self) -> list[Change]:
        with self._lock:
            paths, self._paths = self._paths, set()
        return sorted(paths, key=lambda c: str(c.path))


class AddressUnavailable(Exception):
    """The preview cannot listen where it was asked to (the port is taken, say)."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"{host}:{port}: {reason}")
        self.host, self.port, self.reason = host, port, reason

    def format_text(self, language: Language) -> str:
        other = self.port + 1 if 0 < self.port < 65535 else 8001
        message = text("serve.address", host=self.host, port=self.port, reason=self.reason)
        hint = text("serve.address.hint", other=other)
        return f"error: {message.render(language)}\n  hint: {hint.render(language)}"


def serve(
    root: Path, host: str, port: int, log: Callable[[str], None], language: str | None = None
) -> None:
    """Build and serve the site at `root` until interrupted; problems are shown in `language`
    (`--lang`), or the locale's or the site's. AddressUnavailable, before anything is
    built, if the address cannot be listened on."""
    try:
        # Taken first, so a port in use is said at once, not after the site's first build.
        # No request is handled before serve_forever, by when the preview's handler is set.
        server = ThreadingHTTPServer((host, port), SimpleHTTPRequestHandler)
    except OSError as exc:
        raise AddressUnavailable(host, port, exc.strerror or str(exc)) from None
    try:
        state, observer = start_preview(root, log, language=language)
        out_dir = load_project(root).out_dir
        server.RequestHandlerClass = functools.partial(
            _PreviewHandler, state=state, directory=str(out_dir)
        )
        server.daemon_threads = True  # event streams stay open; they must not hold up Ctrl+C
        log(f"Serving {out_dir} at http://{host}:{server.server_port}/ (Ctrl+C stops)")
        try:
            server.serve_forever()
        finally:
            observer.stop()
    finally:
        server.server_close()


def start_preview(
    root: Path, log: Callable[[str], None], *, search: bool = True, language: str | None = None
) -> tuple[PreviewState, BaseObserver]:
    """Load the site at `root`, then watch its sources and update it in a background thread."""
    project = load_project(root)
    check_build_folder(project)  # before serving anything: the command says why it cannot start
    state = PreviewState(language=language)
    refresher = SearchRefresher(state.search_changed, log) if search else None
    state.site = LiveSite(root, jobs=None, search=refresher, language=language)
    state.rebuild(None, log)  # before any thread starts: the first build may fork workers
    state.site.jobs = 1  # later loads run beside the server's threads: no forking then
    changed = threading.Event()
    observer = Observer()
    watcher = _ChangeWatcher(changed, project.out_dir)
    observer.schedule(watcher, str(root), recursive=False)
    for folder in (project.content_dir, *project.theme_dirs, BUILTIN_THEMES, project.templates_dir):
        if folder.is_dir():
            observer.schedule(watcher, str(folder), recursive=True)
    observer.start()
    threading.Thread(target=_rebuild_loop, args=(changed, watcher, state, log), daemon=True).start()
    return state, observer


def _rebuild_loop(
    changed: threading.Event,
    watcher: _ChangeWatcher,
    state: PreviewState,
    log: Callable[[str], None],
    today: Callable[[], date] = clock.today,
    day_check: float = DAY_CHECK_SECONDS,
) -> None:
    """Update after each burst of changes, and when `today()` is past the day the site was
    built for (the live site then builds anew: records expire and come out by the day)."""
    built_for = today()
    while True:
        if not changed.wait(day_check) and today() == built_for:
            continue
        # Coalesce a burst of events (an editor saving, git checking out many files).
        while changed.wait(DEBOUNCE_SECONDS):
            changed.clear()
        built_for = today()
        state.rebuild(watcher.take(), log)  # never raises: the loop outlives any update


class _PreviewHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, state: PreviewState, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, *, head: bool) -> None:
        """Any request gets an answer, and none stops the server or prints a traceback."""
        try:
            url = urlsplit(self.path)
            if "\x00" in unquote(url.path):
                self.send_error(400, "Bad path")
            elif url.path == RELOAD_PREFIX + "events" and not head:
                self._stream_reloads(_number(parse_qs(url.query).get("build", ["0"])[0]))
            elif url.path == RELOAD_PREFIX + "reload.js":
                self._send(200, "text/javascript; charset=utf-8", RELOAD_SCRIPT)
            elif url.path == RELOAD_PREFIX + "search-status":
                status = json.dumps({"behind": self.state.search_behind}).encode()
                self._send(200, "application/json", status)
            elif url.path.endswith(("/", ".html")) and not head:
                self._send_page(url.path)
            elif head:
                super().do_HEAD()
            else:
                super().do_GET()
        except OSError:
            return  # the browser went away mid-answer
        except Exception:  # a bug in govsite: log it once, answer 500, keep serving
            _log_bug(traceback.format_exc())
            try:
                self.send_error(500, "govsite hit an unexpected error")
            except OSError:
                return

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
        if status == 200 and _is_search_page(path) and self.state.search_behind:
            page = _with_notice(page)
        self._send(status, "text/html; charset=utf-8", page)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _stream_reloads(self, seen_build: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            seen = (seen_build, self.state.counters()[1])
            while True:
                newest = self.state.wait_for_change(seen, KEEPALIVE_SECONDS)
                if newest[0] > seen[0]:
                    message = f"event: reload\ndata: {newest[0]}\n\n"
                elif newest != seen:
                    message = f"event: search\ndata: {newest[1]}\n\n"
                else:
                    message = ": alive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = (max(newest[0], seen[0]), newest[1])
        except OSError:
            return  # the page went away

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not every request


def _log_bug(text: str) -> None:
    sys.stderr.write(f"govsite hit an unexpected error answering a request:\n{text}")


def _number(text: str) -> int:
    """A build number from a query string; anything else is 0 (reload at the next build)."""
    try:
        return max(0, int(text))
    except ValueError:
        return 0


def _is_search_page(path: str) -> bool:
    return path.lstrip("/") in (SEARCH_URL, SEARCH_URL + "index.html")


def _with_notice(page: bytes) -> bytes:
    """The page with the notice that search results may be behind, first in its main content."""
    main = page.find(b"<main")
    opened = page.find(b">", main) + 1 if main >= 0 else 0
    return page[:opened] + SEARCH_BEHIND_NOTICE + page[opened:]
