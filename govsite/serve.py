"""The preview server: build, serve the build on loopback, rebuild when a source changes.

Watchdog handlers only note that something changed; one builder thread waits for the
burst of events to settle, then rebuilds. A failed rebuild keeps the last good site on
disk, and pages are answered with the diagnostics until the sources are fixed.
"""

from __future__ import annotations

import functools
import html
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from govsite import pipeline
from govsite.config import CONFIG_FILE, load_project
from govsite.errors import BuildFailed
from govsite.theme import BUILTIN_THEMES

DEBOUNCE_SECONDS = 0.2
_CHANGES = frozenset({"created", "deleted", "modified", "moved"})


class PreviewState:
    """The outcome of the latest build, shared by the builder and the request handlers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failure: BuildFailed | None = None

    def rebuild(self, root: Path, out_dir: Path | None, log: Callable[[str], None]) -> None:
        try:
            result = pipeline.build(load_project(root, out_dir))
        except BuildFailed as exc:
            with self.lock:
                self.failure = exc
            log(exc.format_text())
            return
        with self.lock:
            self.failure = None
        log(result.summary())

    def error_page(self) -> bytes | None:
        with self.lock:
            failure = self.failure
        if failure is None:
            return None
        lines = "\n".join(html.escape(d.format_text()) for d in failure.diagnostics)
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title>'
            "</head><body><main><h1>The site did not build</h1><p>Fix these and save; "
            f"the page reloads the next build.</p><pre>{lines}</pre></main></body></html>"
        ).encode()


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


def serve(root: Path, host: str, port: int, log: Callable[[str], None]) -> None:
    """Build and serve the site at `root` until interrupted."""
    project = load_project(root)
    state = PreviewState()
    state.rebuild(root, None, log)
    changed = threading.Event()
    observer = Observer()
    watcher = _ChangeWatcher(changed, project.out_dir)
    observer.schedule(watcher, str(root), recursive=False)
    for folder in (project.content_dir, *project.theme_dirs, BUILTIN_THEMES, project.templates_dir):
        if folder.is_dir():
            observer.schedule(watcher, str(folder), recursive=True)
    observer.start()
    threading.Thread(target=_rebuild_loop, args=(changed, state, root, log), daemon=True).start()
    handler = functools.partial(_PreviewHandler, state=state, directory=str(project.out_dir))
    server = ThreadingHTTPServer((host, port), handler)
    log(f"Serving {project.out_dir} at http://{host}:{server.server_port}/ (Ctrl+C stops)")
    try:
        server.serve_forever()
    finally:
        observer.stop()
        server.server_close()


def _rebuild_loop(
    changed: threading.Event, state: PreviewState, root: Path, log: Callable[[str], None]
) -> None:
    while True:
        changed.wait()
        # Coalesce a burst of events (an editor saving, git checking out many files).
        while changed.wait(DEBOUNCE_SECONDS):
            changed.clear()
        state.rebuild(root, None, log)


class _PreviewHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, state: PreviewState, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        page = self.state.error_page()
        if page is not None and self.path.split("?")[0].endswith(("/", ".html")):
            self.send_response(500)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not every request
