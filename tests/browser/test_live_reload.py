"""`govsite serve` reloads an open page after a rebuild, under the site's own CSP."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect


def test_an_open_page_reloads_itself_after_an_edit(
    page: Page, preview_server: tuple[str, Path]
) -> None:
    url, root = preview_server
    page.goto(url + "pages/guide/index.html")
    expect(page.locator("h1")).to_have_text("政府信息公开指南")
    (root / "content/pages/guide.md").write_text(
        "---\ntitle: 重新写的指南\n---\n", encoding="utf-8"
    )
    expect(page.locator("h1")).to_have_text("重新写的指南", timeout=15_000)
