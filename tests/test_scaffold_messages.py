"""Every message of `govsite init` and `govsite new`, word for word, in English and Chinese.

One editor's session runs the real command line on a copy of the sample site, on a fixed
day: each thing an editor can get wrong there (an unknown category or agency, a category
by a title that is misspelt or not unique, a bad slug, an `--interprets` no record has, a
file that exists, a year out of range, a folder that is not empty…) and what succeeding
prints. tests/fixtures/scaffold/expected.{en,zh}.txt hold the transcript
(`--update-golden` rewrites them); every `init.*` and `new.*` message must appear in it.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite import clock
from govsite.cli import main
from govsite.messages import en
from tests.conftest import REPO, MakeSite

EXPECTED = REPO / "tests" / "fixtures" / "scaffold"
TODAY = date(2026, 3, 10)

# What the editor types, in order, from the site's folder (`-` lines change the site).
SESSION: tuple[tuple[str, ...], ...] = (
    ("init", "new-site"),
    ("init", "new-site"),
    ("init", "govsite.yaml"),
    ("init",),
    ("new", "record", "--title", "关于老旧小区改造的通知", "--category", "市政府文件"),
    ("new", "record", "--title", "关于老旧小区改造的通知", "--category", "policies/municipal"),
    ("new", "record", "--title", "关于老旧小区改造的通知"),
    ("new", "record", "--category", "policies"),
    ("new", "record", "--title", "x", "--categroy", "policies"),
    ("new", "page", "--title", "x", "--category", "policies"),
    ("new", "record", "--title", "x", "--category", "规范性文件"),
    ("new", "record", "--title", "x", "--category", "市政府文"),
    ("new", "record", "--title", "x", "--category", "policies/municipall"),
    ("new", "record", "--title", "x", "--category", "policies", "--agency", "示例市人民政府办公室"),
    ("new", "record", "--title", "x", "--category", "policies", "--agency", "gov-ofice"),
    ("new", "record", "--title", "x", "--category", "policies", "--agency", "财政局"),
    ("new", "record", "--title", "x", "--category", "policies", "--slug", "../x"),
    ("new", "record", "--title", "x", "--category", "policies", "--slug", "notice-1"),
    ("new", "record", "--title", "x", "--category", "policies", "--slug", "notice-1"),
    ("new", "interpretation", "--title", "解读"),
    ("new", "interpretation", "--title", "解读", "--interprets", "000000001/2026-00009"),
    ("new", "interpretation", "--title", "解读", "--interprets", "青政发〔2026〕1号"),
    ("new", "interpretation", "--title", "解读", "--interprets", "000000001/2026-00003"),
    ("new", "page", "--title", "Open data", "--slug", "guide"),
    ("new", "report"),
    ("new", "report", "--year", "2007"),
    ("new", "report", "--year", "2027"),
    ("new", "report", "--year", "2025"),
    ("-", "no annual-report category"),
    ("new", "report", "--year", "2024"),
    ("-", "two categories of one title"),
    ("new", "record", "--title", "x", "--category", "政策文件"),
    ("-", "content/pages/ leads out of the site"),
    ("new", "page", "--title", "About"),
    ("-", "no records"),
    ("new", "interpretation", "--title", "解读", "--interprets", "000000001/2026-00001"),
    ("-", "no agencies"),
    ("new", "record", "--title", "x", "--category", "policies"),
)


def _change(root: Path, what: str) -> None:
    categories = root / "content/catalogues/categories.yaml"
    if what == "two categories of one title":
        with categories.open("a", encoding="utf-8") as file:
            file.write("- key: archive\n  title: 政策文件\n")
    elif what == "no annual-report category":
        text = categories.read_text(encoding="utf-8")
        categories.write_text(text[: text.index("- key: annual-reports")], encoding="utf-8")
    elif what == "content/pages/ leads out of the site":
        shutil.rmtree(root / "content/pages")
        (root.parent / "elsewhere").mkdir()
        (root / "content/pages").symlink_to(root.parent / "elsewhere")
    elif what == "no records":
        shutil.rmtree(root / "content/records")
    else:
        (root / "content/catalogues/agencies.yaml").write_text("[]\n", encoding="utf-8")


def transcript(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, language: str) -> str:
    """What the session prints, command by command, with each exit code."""
    root = make_site()
    monkeypatch.chdir(root)
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    runner = CliRunner()
    lines: list[str] = []
    for command in SESSION:
        if command[0] == "-":
            _change(root, command[1])
            lines.append(f"# {command[1]}")
            continue
        before = sorted(root.rglob("*"))
        result = runner.invoke(main, [*command, "--lang", language])
        lines.append("$ govsite " + " ".join(command))
        lines.append(result.output.rstrip("\n"))
        if result.exit_code != 0 and sorted(root.rglob("*")) != before:
            lines.append("[refused, but the site's files changed]")
        lines.append(f"[exit {result.exit_code}]")
    return "\n".join(lines).replace(os.sep, "/") + "\n"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_init_and_new_message_word_for_word(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, update_golden: bool, language: str
) -> None:
    printed = transcript(make_site, monkeypatch, "zh-CN" if language == "zh" else language)
    expected = EXPECTED / f"expected.{language}.txt"
    if update_golden:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(printed, encoding="utf-8")
    assert printed == expected.read_text(encoding="utf-8")


def test_the_session_shows_every_init_and_new_message(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `init.*`, `new.*` and `usage.*` message, as its English template reads with any values."""
    printed = transcript(make_site, monkeypatch, "en")
    missing = []
    for key, template in en.MESSAGES.items():
        if not key.startswith(("init.", "new.", "usage.")):
            continue
        parts = [re.escape(part) for part in re.split(r"\{[a-z_]+\}", template)]
        if not re.search(".*?".join(parts), printed):
            missing.append(key)
    assert missing == []


def test_each_refusal_exits_2_with_a_hint_and_writes_nothing(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = transcript(make_site, monkeypatch, "zh-CN")
    assert "[refused, but" not in printed
    for block in re.sub(r"(?m)^# .*\n", "", printed).split("$ govsite ")[1:]:
        if block.rstrip().endswith("[exit 2]"):
            assert "\nerror: " in block and "\n  hint: " in block, block
        else:
            assert block.rstrip().endswith("[exit 0]"), block
