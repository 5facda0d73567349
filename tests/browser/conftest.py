"""The browser tier: the built demo site served on 127.0.0.1 and read by Debian's Chromium.

Playwright drives /usr/bin/chromium (never a downloaded browser); axe-core comes from node_modules
and is added as an init script, which the browser runs outside the page's Content-Security-Policy,
so the site's strict policy stays on during the test. `bash scripts/setup-browser.sh` installs
everything this needs; `bash scripts/test.sh` runs it first.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright

from govsite import pipeline
from govsite.config import load_project
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = REPO / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def require_tools() -> None:
    missing = [str(p) for p in (CHROMIUM, AXE_SCRIPT) if not p.exists()]
    if missing:
        pytest.fail(
            f"browser tier tools missing ({', '.join(missing)}): run bash scripts/setup-browser.sh",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "build"
    result = pipeline.build(load_project(REPO, out))
    assert result.diagnostics == ()
    return out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(demo_build: Path) -> Iterator[str]:
    """The demo site's root URL, served from its build folder on a free loopback port."""
    yield from serve(demo_build)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_tools()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class OffsiteRequests:
    """Requests a page made to anywhere but the loopback server: each is blocked and recorded."""

    urls: list[str] = field(default_factory=list)

    def route(self, route: Any, request: Request) -> None:
        if urlsplit(request.url).hostname == "127.0.0.1" or request.url.startswith("data:"):
            route.continue_()
        else:
            self.urls.append(request.url)
            route.abort()


@pytest.fixture
def offsite_requests() -> OffsiteRequests:
    return OffsiteRequests()


def new_context(browser: Browser, offsite: OffsiteRequests, **options: Any) -> BrowserContext:
    context = browser.new_context(locale="zh-CN", **options)
    context.add_init_script(path=str(AXE_SCRIPT))
    context.route("**/*", offsite.route)
    return context


@pytest.fixture
def context(browser: Browser, offsite_requests: OffsiteRequests) -> Iterator[BrowserContext]:
    """A fresh profile (cookies, localStorage) per test, at a desktop size."""
    context = new_context(browser, offsite_requests, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def run_axe(page: Page, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, one dict per rule with its nodes."""
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags or AXE_TAGS,
    )
    return list(result["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def demo_pages(build: Path) -> list[str]:
    """Every HTML page of a build as a URL path relative to the site root."""
    return sorted(p.relative_to(build).as_posix() for p in build.rglob("*.html"))


def java_available() -> bool:
    return shutil.which("java") is not None
