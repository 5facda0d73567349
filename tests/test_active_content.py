"""Files under content/ that would run script on the site (SVG, HTML, XML): refused by the
build (GS160) unless govsite.yaml says to warn, and reported by the check (GC801)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite.activecontent import find_active_content
from govsite.cli import main
from govsite.scaffold import SKELETON
from tests.conftest import MakeSite

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
ACTIVE = {
    "onload.svg": (f'<svg {SVG}\n  onload="alert(1)"/>', "event handler 'onload'"),
    "script.svg": (f"<svg {SVG}>\n<script>alert(1)</script></svg>", "<script>"),
    "href.svg": (f'<svg {SVG}><a xlink:href="javascript:alert(1)"/></svg>', "javascript:"),
    "tab.svg": (f'<svg {SVG}><a href="java&#x09;script:alert(1)"/></svg>', "script address"),
    "foreign.svg": (
        f'<svg {SVG}><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
        "</foreignObject></svg>",
        "<foreignObject>",
    ),
    "animate.svg": (
        f'<svg {SVG}><a><animate attributeName="href" values="#a;javascript:alert(1)"/></a></svg>',
        "script address",
    ),
    "entity.svg": (
        '<!DOCTYPE svg [<!ENTITY x "&lt;script&gt;">]>\n' + f"<svg {SVG}>&x;</svg>",
        "entities",
    ),
    "broken.svg": (f"<svg {SVG}><rect", "not well-formed"),
    "page.html": ("<!doctype html><p>通知</p>\n<script>alert(1)</script>", "<script>"),
    "upper.htm": ("<P>通知<IMG SRC=x ONERROR=alert(1)>", "event handler"),
    "data.html": ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:text/html"),
    "frame.html": ('<iframe src="https://example.org/"></iframe>', "<iframe>"),
    "refresh.html": ('<meta http-equiv="Refresh" content="0;url=/x">', "refresh"),
    "page.xhtml": (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(1)</script></body></html>',
        "<script>",
    ),
    "styled.xml": ('<?xml-stylesheet type="text/xsl" href="a.xsl"?>\n<doc/>', "XSLT"),
}
HARMLESS = {
    "map.svg": f'<svg {SVG} width="10"><rect width="5" height="5" fill="#c00"/>'
    '<a href="https://example.org/"><text>说明</text></a>'
    '<image href="data:image/png;base64,iVBORw0KGgo="/></svg>',
    "table.html": "<!doctype html><title>表</title><table><tr><td>1</td></tr></table>",
    "feed.xml": "<?xml-stylesheet type='text/css' href='a.css'?><rss><item>x</item></rss>",
}


@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_active_content_is_found(name: str, tmp_path: Path) -> None:
    text, what = ACTIVE[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    found = find_active_content(path)
    assert found and what in found[0].what.render(), found


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_harmless_files_pass(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(HARMLESS[name], encoding="utf-8")
    assert find_active_content(path) == []


FILES = {
    "content/files/map.svg": f'<svg {SVG} width="10"\n  onload="alert(document.domain)"/>',
    "content/files/notice.html": "<!doctype html><p>通知</p>\n\n<script>alert(1)</script>",
    "content/files/chart.svg": HARMLESS["map.svg"],
}


def _config(**keys: str) -> str:
    text = (SKELETON / "govsite.yaml").read_text(encoding="utf-8")
    return text + "".join(f"{key}: {value}\n" for key, value in keys.items())


def _build(site: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["build", "--site", str(site), "-j", "1", "--no-cache", "--lang", "en"]
    )
    return result.exit_code, result.output


def test_the_build_refuses_active_content_by_default_naming_the_file(make_site: MakeSite) -> None:
    site = make_site(FILES)
    code, output = _build(site)
    assert code == 1, output
    assert (
        "content/files/map.svg:2: error[GS160]: 'files/map.svg' holds an event handler 'onload'"
        in output
    )
    assert (
        "content/files/notice.html:3: error[GS160]: 'files/notice.html' holds a <script> element"
        in output
    )
    assert "chart.svg" not in output
    assert not (site / "build").exists()


@pytest.mark.parametrize(
    ("keys", "refused"),
    [
        ({"attachments": "{active_content: warn}"}, False),
        ({"raw_html": "true"}, False),
        ({"raw_html": "true", "attachments": "{active_content: refuse}"}, True),
    ],
)
def test_the_config_chooses_refuse_or_warn(
    make_site: MakeSite, keys: dict[str, str], refused: bool
) -> None:
    site = make_site({**FILES, "govsite.yaml": _config(**keys)})
    code, output = _build(site)
    severity = "error" if refused else "warning"
    assert f"content/files/map.svg:2: {severity}[GS160]" in output
    assert code == (1 if refused else 0), output
    assert (site / "build" / "files" / "map.svg").is_file() is not refused


def test_the_check_reports_active_content(make_site: MakeSite) -> None:
    site = make_site(FILES)
    result = CliRunner().invoke(main, ["check", "--site", str(site), "--format", "json"])
    found = [
        (f["rule"], f["path"], f["line"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == "GC801"
    ]
    assert found == [
        ("GC801", "content/files/map.svg", 2),
        ("GC801", "content/files/notice.html", 3),
    ]
    assert result.exit_code == 1
