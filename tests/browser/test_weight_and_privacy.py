"""Page weight and privacy: little CSS+JS per page, no request leaves 127.0.0.1, a strict CSP.

The CSP and inline-code checks read the built files with lxml; no browser is needed for them.
"""

from __future__ import annotations

from pathlib import Path

from lxml import html
from playwright.sync_api import Browser

from tests.browser.conftest import OffsiteRequests, demo_pages
from tests.browser.survey import DEFAULT, mode_context, survey

MAX_CSS_JS_BYTES = 40 * 1024

# Uncompressed (decoded) sizes of every stylesheet and script the page fetched, imports included.
CSS_JS_JS = r"""() => performance.getEntriesByType('resource')
  .filter(e => /\.(css|js)$/.test(new URL(e.name).pathname))
  .map(e => [new URL(e.name).pathname, e.decodedBodySize])"""


def weight_failures(
    browser: Browser, offsite: OffsiteRequests, site_url: str, paths: list[str]
) -> list[str]:
    """Pages whose stylesheets and scripts add up to more than the budget."""
    with mode_context(
        browser, offsite, DEFAULT, viewport={"width": 1280, "height": 900}
    ) as context:
        results = survey(context, [site_url + p for p in paths], CSS_JS_JS)
    failures = []
    for url, files in results.items():
        total = sum(size for _, size in files)
        if total > MAX_CSS_JS_BYTES:
            listed = ", ".join(f"{name} {size} B" for name, size in files)
            failures.append(f"{url}: {total} B of CSS+JS > {MAX_CSS_JS_BYTES} B ({listed})")
    return failures


def test_css_and_js_of_every_page_under_40kb_and_nothing_offsite(
    browser: Browser, offsite_requests: OffsiteRequests, site_url: str, demo_build: Path
) -> None:
    failures = weight_failures(browser, offsite_requests, site_url, demo_pages(demo_build))
    assert not failures, "\n".join(failures)
    assert offsite_requests.urls == [], "requests left 127.0.0.1"


# Scripts of these types are data the browser never runs (JSON-LD, search data), so the CSP's
# script-src does not apply to them.
DATA_BLOCK_TYPES = frozenset({"application/ld+json", "application/json"})


def csp_and_inline_code_problems(page: Path) -> list[str]:
    """What in one built HTML file weakens the Content-Security-Policy or needs it weakened."""
    tree = html.parse(str(page)).getroot()
    problems = []
    policies = tree.xpath(
        "//head/meta[translate(@http-equiv, 'CONTENT-SECURITYPOLICY', 'content-securitypolicy')"
        " = 'content-security-policy']/@content"
    )
    if not policies:
        problems.append("no Content-Security-Policy meta tag in <head>")
    problems += [f"CSP allows 'unsafe-inline': {p}" for p in policies if "'unsafe-inline'" in p]
    for script in tree.iter("script"):
        if (script.text or "").strip() and script.get("type") not in DATA_BLOCK_TYPES:
            problems.append(f"line {script.sourceline}: inline <script> content")
    problems += [f"line {e.sourceline}: <style> element" for e in tree.iter("style")]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        for name in element.attrib:
            if name == "style" or name.startswith("on"):
                problems.append(f"line {element.sourceline}: {name}= on <{element.tag}>")
    return problems


def test_every_page_has_a_strict_csp_and_no_inline_code(demo_build: Path) -> None:
    failures = [
        f"{path}: {problem}"
        for path in demo_pages(demo_build)
        for problem in csp_and_inline_code_problems(demo_build / path)
    ]
    assert not failures, "\n".join(failures)
