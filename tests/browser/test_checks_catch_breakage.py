"""Each check of the browser tier fails on a site whose theme is broken on purpose.

The broken site is the sample site with a theme that extends the default one and overrides just
what a careless restyle might: tokens.css (a pale muted colour, a fixed-width site title, 41 KB
of CSS) and base.html (a weakened CSP, inline script and style, an image without alt text that
is fetched from another host). Only its home page is checked, to stay fast.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from govsite import pipeline
from govsite.config import load_project
from govsite.scaffold import SKELETON
from govsite.theme import BUILTIN_THEMES
from tests.browser.conftest import OffsiteRequests, new_context, serve
from tests.browser.survey import DEFAULT, HIGH_CONTRAST, mode_problems
from tests.browser.test_axe import axe_failures
from tests.browser.test_contrast import contrast_failures, contrast_pairs
from tests.browser.test_lighthouse import lighthouse_accessibility
from tests.browser.test_reflow import reflow_failures
from tests.browser.test_vnu import vnu_errors
from tests.browser.test_weight_and_privacy import csp_and_inline_code_problems, weight_failures

DEFAULT_THEME = BUILTIN_THEMES / "default"
PALE_MUTED = "#9a9a9a"  # 2.8:1 on white
BROKEN_TOKENS = f"""
:root {{ --color-text-muted: {PALE_MUTED}; }}
.site-title {{ display: block; min-width: 40rem; }}
.heavy::after {{ content: "{"x" * 41 * 1024}"; }}
"""
BROKEN_BODY_END = """<p style="color: red">样式写在属性里</p>
<img src="http://offsite.invalid/pixel.gif">
<script>document.documentElement.dataset.inline = "yes";</script>
</body>"""
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
WEAK_CSP = '<meta http-equiv="Content-Security-Policy" content="default-src * \'unsafe-inline\'">'


def broken_base_template() -> str:
    text = (DEFAULT_THEME / "templates" / "base.html").read_text(encoding="utf-8")
    text, replaced = CSP_META.subn(WEAK_CSP, text)
    assert replaced == 1 and text.count("</body>") == 1, "base.html changed shape: update this"
    return text.replace("</body>", BROKEN_BODY_END)


def make_broken_site(root: Path) -> Path:
    shutil.copytree(SKELETON, root)
    config = root / "govsite.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("theme: default", "theme: broken"),
        encoding="utf-8",
    )
    theme = root / "themes" / "broken"
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "theme.yaml").write_text("name: broken\nextends: default\n", encoding="utf-8")
    tokens = (DEFAULT_THEME / "static" / "css" / "tokens.css").read_text(encoding="utf-8")
    (theme / "static" / "css" / "tokens.css").write_text(tokens + BROKEN_TOKENS, encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "base.html").write_text(broken_base_template(), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_broken_site(tmp_path_factory.mktemp("broken") / "site")
    result = pipeline.build(load_project(root, root / "build"))
    assert not [d for d in result.diagnostics if d.severity == "error"]
    return root


@pytest.fixture(scope="module")
def broken_url(broken_site: Path) -> Iterator[str]:
    yield from serve(broken_site / "build")


def test_axe_reports_the_image_without_alt(
    browser: Browser, offsite_requests: OffsiteRequests, broken_url: str
) -> None:
    failures = axe_failures(browser, offsite_requests, broken_url, ["index.html"], DEFAULT)
    assert failures and "image-alt" in failures[0]


def test_vnu_reports_the_image_without_alt(broken_site: Path) -> None:
    errors = vnu_errors(broken_site / "build")
    assert any("index.html" in e and "alt" in e for e in errors), errors


def test_lighthouse_scores_the_broken_page_below_100(broken_url: str, tmp_path: Path) -> None:
    score, failed = lighthouse_accessibility(broken_url, tmp_path)
    assert score < 1
    assert any(f.startswith("image-alt") for f in failed), failed


def test_reflow_reports_the_fixed_width_title(
    browser: Browser, offsite_requests: OffsiteRequests, broken_url: str
) -> None:
    failures = reflow_failures(browser, offsite_requests, broken_url, ["index.html"], DEFAULT)
    assert failures and "a.site-title" in failures[0], failures


def test_contrast_reports_the_pale_muted_colour_in_every_light_mode(
    browser: Browser, offsite_requests: OffsiteRequests, broken_site: Path, broken_url: str
) -> None:
    context = new_context(browser, offsite_requests)
    try:
        page = context.new_page()
        page.goto(broken_url)
        failures = contrast_failures(page, contrast_pairs(broken_site))
    finally:
        context.close()
    muted = [f for f in failures if f.split(": ")[1] == "--color-text-muted on --color-bg"]
    # Pale grey fails on white and passes on the dark modes' near-black. The toolbar's
    # :root[data-contrast] rule, once the theme has one, outranks the plain :root override.
    modes = {f.split(":")[0] for f in muted}
    assert (
        {"light", "prefers-contrast"}
        <= modes
        <= {"light", "prefers-contrast", "toolbar-high-contrast"}
    )
    assert all("needs 4.5:1" in f for f in muted)


def test_weight_and_offsite_checks_report_the_heavy_css_and_the_tracker(
    browser: Browser, offsite_requests: OffsiteRequests, broken_url: str
) -> None:
    failures = weight_failures(browser, offsite_requests, broken_url, ["index.html"])
    assert failures and "of CSS+JS >" in failures[0]
    assert offsite_requests.urls == ["http://offsite.invalid/pixel.gif"]


def test_static_check_reports_weak_csp_inline_script_and_style(broken_site: Path) -> None:
    problems = "\n".join(csp_and_inline_code_problems(broken_site / "build" / "index.html"))
    assert "CSP allows 'unsafe-inline'" in problems
    assert "inline <script> content" in problems
    assert "style= on <p>" in problems


def test_mode_check_reports_an_attribute_prefs_js_did_not_set() -> None:
    assert mode_problems({"dataset": {}}, HIGH_CONTRAST) == [
        "<html> data-contrast=None, expected 'high' in high-contrast mode"
    ]
    assert mode_problems({"dataset": {"contrast": "high"}}, HIGH_CONTRAST) == []
