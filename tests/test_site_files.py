"""govsite reads only the site's own regular files, under names that work as addresses and
file names on every host; anything else is a located error, and nothing of it is published."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite import pipeline
from govsite.cli import main
from govsite.config import load_project
from govsite.errors import BuildFailed, printable
from tests.conftest import MakeSite

GUIDE = "content/pages/guide.md"


def _problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        pipeline.build(load_project(root))
    assert not (root / "build").exists()
    return [d.format_text() for d in failed.value.diagnostics]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("javascript:alert(2).md", "holds ':'"),
        ("pages/h#ash.md", "holds '#'"),
        ("pages/what?.md", "holds '?'"),
        ("files/a\x0bb.pdf", "holds '\\x0b'"),
        ("files/CON.md", "reserved on Windows"),
        ("files/aux.pdf", "reserved on Windows"),
        ("files/lpt1", "reserved on Windows"),
        ("files/trailing. ", "reserved on Windows or ends in a space or dot"),
    ],
)
def test_names_that_cannot_form_a_safe_address_are_refused(
    make_site: MakeSite, name: str, why: str
) -> None:
    root = make_site({f"content/{name}": "---\ntitle: 页面\n---\n正文\n"})
    problems = _problems(root)
    shown = printable(f"content/{name}")  # a control character in a name is printed escaped
    assert any(p.startswith(f"{shown}: error[GS105]: ") and why in p for p in problems), problems


def test_names_that_differ_only_in_case_are_refused(make_site: MakeSite) -> None:
    root = make_site({"content/pages/Guide.md": "---\ntitle: 指南二\n---\n正文\n"})
    problems = _problems(root)
    assert problems[0] == (
        f"{GUIDE}: error[GS105]: differs from 'content/pages/Guide.md' only in upper and lower "
        "case; the two are one file on Windows, macOS and many web hosts\n  hint: rename one of them"
    )


def test_links_and_special_files_are_refused(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0")
    (root / "content/files").mkdir(exist_ok=True)
    os.symlink(secret, root / "content/files/passwd.txt")
    os.symlink(tmp_path / "missing", root / "content/files/dangling.pdf")
    os.symlink(tmp_path, root / "content/files/folder")
    os.mkfifo(root / "content/pages/pipe.md")  # reading it would wait for a writer forever
    os.symlink(root / GUIDE, root / "content/files/guide-copy.txt")  # inside the site: fine
    found = {p.split(": error")[0]: p for p in _problems(root)}
    assert sorted(found) == [
        "content/files/dangling.pdf",
        "content/files/folder",
        "content/files/passwd.txt",
        "content/pages/pipe.md",
    ]
    assert "a symbolic link to a file outside the site" in found["content/files/passwd.txt"]
    assert "a symbolic link to nothing" in found["content/files/dangling.pdf"]
    assert "not a regular file" in found["content/pages/pipe.md"]


def test_themes_and_templates_read_nothing_from_outside_the_site(
    make_site: MakeSite, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.html").write_text("{{ site.config.title }}")
    root = make_site({"templates/.keep": ""})
    os.symlink(outside / "evil.html", root / "templates/page.html")
    problems = _problems(root)
    assert problems[0].startswith("templates/page.html: error[GS152]: a symbolic link")

    absolute = make_site(name="absolute")
    config = absolute / "govsite.yaml"
    text = config.read_text(encoding="utf-8").replace("theme: default", f"theme: {outside}")
    config.write_text(text, encoding="utf-8")
    (outside / "theme.yaml").write_text("name: outside\n")
    problems = _problems(absolute)
    assert f"error[GS150]: theme '{outside}' not found in themes/" in problems[0]


def test_a_too_long_slug_is_a_located_error(make_site: MakeSite) -> None:
    root = make_site({"content/pages/long.md": f"---\ntitle: 长\nslug: {'a' * 300}\n---\n正文\n"})
    assert any(
        p.startswith("content/pages/long.md:3:7: error[GS203]: ") and "at most 100" in p
        for p in _problems(root)
    )


def test_trouble_with_the_machine_names_the_file_instead_of_a_traceback(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the build folder's parent should be")
    result = CliRunner().invoke(
        main, ["build", "--site", str(root), "--no-cache", "--out", str(blocker / "build")]
    )
    assert result.exit_code == 1, result.output
    assert "error: " in result.stderr and "not-a-folder" in result.stderr
    assert "Traceback" not in result.output and "bug in govsite" not in result.output
