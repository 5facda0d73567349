"""Every address govsite writes into a page passes one gate after links are resolved:
relative, or http(s)/mailto/tel. Nothing a document, a file name or a template writes
gets a `javascript:` or `data:` address into the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from govsite import pipeline
from govsite.check.html import page_facts
from govsite.config import load_project
from govsite.errors import BuildFailed
from govsite.render import OutputFile
from govsite.urls import browser_scheme, is_safe_url
from tests.conftest import MakeSite

GUIDE = "content/pages/guide.md"
HOSTILE_LINKS = (
    "links/javascript:alert(1)",
    "links/javascript%3Aalert(1)",
    "links/JaVaScRiPt:alert(1)",
    "links/data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "javascript%3Aalert(1)",
    "./javascript:alert(1)",
)


def _addresses(page: bytes) -> list[str]:
    tree = etree.HTML(page)
    found = tree.xpath("//@href | //@src | //@action")
    assert isinstance(found, list)
    return [str(value) for value in found]


def test_links_resolved_from_a_document_never_gain_a_scheme(
    make_site: MakeSite, tmp_path: Path
) -> None:
    body = "\n".join(f"- [link {n}]({href})" for n, href in enumerate(HOSTILE_LINKS))
    root = make_site()
    guide = root / GUIDE
    guide.write_text(guide.read_text(encoding="utf-8") + "\n\n" + body + "\n", encoding="utf-8")
    out = tmp_path / "out"
    pipeline.build(load_project(root, out))
    page = next(p for p in out.rglob("index.html") if b"link 5" in p.read_bytes())
    addresses = _addresses(page.read_bytes())
    assert [a for a in addresses if not is_safe_url(a)] == []
    written = [a for a in addresses if "alert" in a or "base64" in a]
    assert len(written) == len(HOSTILE_LINKS)
    assert all(browser_scheme(a) is None for a in written), written


def test_a_template_that_writes_an_unsafe_address_fails_the_build(make_site: MakeSite) -> None:
    root = make_site(
        {
            "templates/page.html": (
                '{% extends "default:page.html" %}{% block content %}'
                '<a href=" JAVA\tscript:alert(3)">x</a><img alt="" src="data:image/svg+xml,x">'
                "{{ super() }}{% endblock %}"
            )
        }
    )
    with pytest.raises(BuildFailed) as failed:
        pipeline.build(load_project(root))
    found = [d for d in failed.value.diagnostics if d.code == "GS308"]
    assert {str(d.location.path) for d in found} == {GUIDE}
    assert any("JAVA\tscript:alert(3)" in d.message for d in found)
    assert any("data:image/svg+xml" in d.message for d in found)
    assert not (root / "build").exists()


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("javascript:alert(1)", False),
        (" \x01JavaScript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("jav\tascript:alert(1)", False),
        ("vbscript:msgbox", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
        ("https://www.gov.cn/", True),
        ("HTTP://www.gov.cn/", True),
        ("mailto:xxgk@example.gov.cn", True),
        ("tel:12345", True),
        ("../records/x/index.html", True),
        ("./javascript:alert(1)", True),
        ("#section", True),
        ("records/a\x00b/", False),
    ],
)
def test_the_url_gate(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def test_page_facts_name_every_unsafe_address() -> None:
    page = (
        b"<!doctype html><html><head><title>t</title></head><body>"
        b'<a href="javascript:x">a</a><form action="data:text/html,x"></form>'
        b'<img alt="" srcset="ok.png 1x, javascript:y 2x"><a href="../ok/">b</a>'
        b'<svg><a xlink:href="javascript:z" xmlns:xlink="http://www.w3.org/1999/xlink">c</a></svg>'
        b"</body></html>"
    )
    facts = page_facts([OutputFile("a/index.html", page)])["a/index.html"]
    assert set(facts.unsafe) == {"javascript:x", "data:text/html,x", "javascript:y", "javascript:z"}
