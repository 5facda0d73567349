"""Build the demo site, serve it on 127.0.0.1 and photograph a few pages for a person to look at.

    python3 scripts/screenshots.py [--out screenshots]

Writes full-page PNGs of the home page, a category listing, a record, a repealed record and the
网站地图 at 375 and 1280 CSS px wide, the records also with high contrast and with the largest
text, and the first screen of the repealed record on a 375×812 phone in each mode, into the
git-ignored `screenshots/` folder (never into the deployable build/). Uses Debian's Chromium like
the browser tests (`bash scripts/setup-browser.sh` installs it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing govsite

from govsite import pipeline  # noqa: E402
from govsite.config import load_project  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

PAGES = {
    "home": "",
    "category": "catalogue/policies/",
    "record": "records/policies/2024/business-environment-measures/",
    "repealed": "records/policies/2021/business-environment-measures-2021/",
    "sitemap": "sitemap/",
}
RECORDS = ("record", "repealed")
WIDTHS = (375, 1280)
MODES: dict[str, dict[str, object]] = {
    "high-contrast": {"contrast": True},
    "200": {"size": 4},
}
PHONE = {"width": 375, "height": 812}


def shoot(
    browser: Browser,
    url: str,
    viewport: dict[str, int],
    path: Path,
    prefs: dict[str, object],
    *,
    full_page: bool = True,
) -> None:
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    if prefs:
        context.add_init_script(
            f"localStorage.setItem('govsite:prefs', {json.dumps(json.dumps(prefs))})"
        )
    page = context.new_page()
    page.goto(url)
    page.screenshot(path=str(path), full_page=full_page)
    context.close()
    print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    out: Path = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        build = Path(folder) / "build"
        result = pipeline.build(load_project(REPO, build))
        if result.diagnostics:
            sys.exit("the demo site does not build cleanly: run python3 -m govsite build")
        server = serve(build)  # a generator: the server stops when it is closed
        site_url = next(server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, path in PAGES.items():
                for width in WIDTHS:
                    size = {"width": width, "height": 900}
                    shoot(browser, site_url + path, size, out / f"{name}-{width}.png", {})
                    for mode, prefs in MODES.items() if name in RECORDS else ():
                        target = out / f"{name}-{width}-{mode}.png"
                        shoot(browser, site_url + path, size, target, prefs)
            for mode, prefs in {"default": {}, **MODES}.items():
                target = out / f"repealed-375x812-first-screen-{mode}.png"
                shoot(browser, site_url + PAGES["repealed"], PHONE, target, prefs, full_page=False)
            browser.close()
        server.close()


if __name__ == "__main__":
    main()
