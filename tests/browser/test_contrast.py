"""Contrast computed from the theme's own colour tokens, as Chromium resolves them, in every mode.

The pairs (which token is text on which background, and the ratio it needs) are declared by the
theme in theme.yaml under `contrast_pairs`; the values are read with getComputedStyle on :root,
so a site that overrides tokens.css is held to the same pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from govsite.config import load_project
from govsite.errors import Report, SourceLocation
from govsite.schema import read_object
from govsite.theme import THEME_FILE, ContrastPair, ThemeFile, load_theme
from govsite.yamlload import load_yaml
from tests.browser.conftest import OffsiteRequests, new_context
from tests.conftest import REPO

REQUIRED_RATIO = {"body": 7.0, "text": 4.5, "ui": 3.0}


@dataclass(frozen=True, slots=True)
class ColourMode:
    """A way the reader can ask for colours: the media features, and the toolbar's attribute."""

    name: str
    color_scheme: str = "light"
    contrast: str = "no-preference"
    html_attribute: tuple[str, str] | None = None


COLOUR_MODES = [
    ColourMode("light"),
    ColourMode("dark", color_scheme="dark"),
    ColourMode("prefers-contrast", contrast="more"),
    ColourMode("prefers-contrast-dark", color_scheme="dark", contrast="more"),
    # The toolbar's high-contrast switch; until the toolbar lands tokens.css has no rule for it and
    # the light values are checked again.
    ColourMode("toolbar-high-contrast", html_attribute=("data-contrast", "high")),
    ColourMode("toolbar-high-contrast-dark", "dark", html_attribute=("data-contrast", "high")),
]

TOKENS_JS = """names => {
  const style = getComputedStyle(document.documentElement);
  return Object.fromEntries(names.map(n => [n, style.getPropertyValue('--' + n).trim()]));
}"""

# The browser turns any CSS colour syntax into rgb()/rgba() when it is the `color` of an element.
RESOLVE_JS = """values => {
  const probe = document.createElement('span');
  document.body.append(probe);
  const out = Object.fromEntries(Object.entries(values).map(([name, value]) => {
    probe.style.color = '';
    probe.style.color = value;
    return [name, probe.style.color ? getComputedStyle(probe).color : ''];
  }));
  probe.remove();
  return out;
}"""


def contrast_pairs(site_root: Path) -> tuple[ContrastPair, ...]:
    """The pairs declared by the first theme of the site's chain that declares any."""
    report = Report()
    project = load_project(site_root)
    theme = load_theme(project, report)
    assert theme is not None, report
    for name in theme.chain:
        path = theme.named_template_dirs[name].parent / THEME_FILE
        doc = load_yaml(path.read_text(encoding="utf-8"), SourceLocation(Path(THEME_FILE)), report)
        theme_file = read_object(doc, (), doc.value, ThemeFile, report) if doc else None
        assert theme_file is not None, report
        if theme_file.contrast_pairs:
            return theme_file.contrast_pairs
    raise AssertionError(f"no theme in {theme.chain} declares contrast_pairs")


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour with channels 0-255."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def parse_rgb(css: str) -> tuple[float, float, float] | None:
    """rgb(r, g, b) as the browser serialises an opaque colour; None for anything translucent."""
    match = re.fullmatch(
        r"rgba?\((\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?)(, [\d.]+)?\)", css
    )
    if match is None or (match[4] and float(match[4][2:]) < 1):
        return None
    return (float(match[1]), float(match[2]), float(match[3]))


def resolved_tokens(page: Page, mode: ColourMode, names: list[str]) -> dict[str, str]:
    page.emulate_media(color_scheme=mode.color_scheme, contrast=mode.contrast)  # type: ignore[arg-type]
    if mode.html_attribute:
        page.evaluate(
            "([k, v]) => document.documentElement.setAttribute(k, v)", mode.html_attribute
        )
    values: dict[str, str] = page.evaluate(TOKENS_JS, names)
    resolved: dict[str, str] = page.evaluate(RESOLVE_JS, values)
    if mode.html_attribute:
        page.evaluate("k => document.documentElement.removeAttribute(k)", mode.html_attribute[0])
    return resolved


def contrast_failures(page: Page, pairs: tuple[ContrastPair, ...]) -> list[str]:
    """Every pair below its ratio, or unreadable, in any colour mode, on the page loaded in `page`."""
    names = sorted({p.text for p in pairs} | {p.background for p in pairs})
    failures = []
    for mode in COLOUR_MODES:
        tokens = resolved_tokens(page, mode, names)
        for pair in pairs:
            failures += pair_failures(pair, tokens, mode.name)
    return failures


def pair_failures(pair: ContrastPair, tokens: dict[str, Any], mode: str) -> list[str]:
    text, background = parse_rgb(tokens[pair.text]), parse_rgb(tokens[pair.background])
    where = f"{mode}: --{pair.text} on --{pair.background}"
    if text is None or background is None:
        return [
            f"{where}: not an opaque colour ({tokens[pair.text]!r}, {tokens[pair.background]!r})"
        ]
    ratio, needed = contrast_ratio(text, background), REQUIRED_RATIO[pair.kind]
    return [f"{where}: {ratio:.2f}:1, needs {needed}:1 ({pair.kind})"] if ratio < needed else []


def test_contrast_math_matches_wcag_examples() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast_ratio((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1)


def test_theme_colour_pairs_meet_their_ratios_in_every_mode(
    browser: Browser, offsite_requests: OffsiteRequests, site_url: str
) -> None:
    pairs = contrast_pairs(REPO)
    context = new_context(browser, offsite_requests)
    try:
        page = context.new_page()
        page.goto(site_url)
        failures = contrast_failures(page, pairs)
    finally:
        context.close()
    assert not failures, "\n".join(failures)
