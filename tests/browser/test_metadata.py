"""Head metadata as Chromium reads it: JSON-LD parses under the strict CSP, the feed link leads to a feed."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page

RECORD = "records/policies/2026/private-economy-measures/"


def test_json_ld_parses_in_the_browser_without_a_csp_violation(page: Page, site_url: str) -> None:
    errors: list[str] = []

    def keep_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep_error)
    page.goto(site_url + RECORD)
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "Legislation"
    assert data["legislationIdentifier"] == "青政发〔2026〕18号"
    assert errors == []


def test_the_announced_feeds_are_atom_documents(page: Page, site_url: str) -> None:
    page.goto(site_url + RECORD)
    roots = page.evaluate(
        """() => Promise.all(
            [...document.querySelectorAll('link[rel="alternate"][type="application/atom+xml"]')]
            .map(link => fetch(link.href).then(r => r.text()))
            .map(text => text.then(t => {
                const root = new DOMParser().parseFromString(t, 'application/xml').documentElement;
                return root.namespaceURI + ' ' + root.localName;
            }))
        )"""
    )
    assert roots == ["http://www.w3.org/2005/Atom feed"] * 2
