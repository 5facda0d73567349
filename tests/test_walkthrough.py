"""A new editor's first afternoon at a city's disclosure office, in Chinese (issue 14).

The real `govsite` command (a subprocess, no `--lang`: the new site is zh-CN) in a fresh
folder: `init`, `new record` with a category by its Chinese title and by its key,
`new interpretation --interprets …`, two commands typed wrong, then the fields filled in
with the mistakes editors make (a full-width colon, 2026年11月28日, `文号:`,
`validity: 废止`, `keywords` split by '，', a copied record keeping its 索引号, an
attachment's name without its space, the placeholder `正文。` left in), `check` and
`build --strict`; then each mistake mended as the hints say, until `build --strict`
passes. Every problem printed on the way must say how to fix it (a `hint:` line, or a
message that asks for the fix with 请) and hold no English sentence. docs/walkthrough.md
shows the same afternoon.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO


@dataclass(frozen=True)
class Run:
    command: tuple[str, ...]
    code: int
    output: str


class Editor:
    """Types `govsite …` in the site's folder and keeps everything it printed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs: list[Run] = []

    @property
    def site(self) -> Path:
        return self.folder / "site"

    def govsite(self, *args: str, expect: int = 0) -> str:
        cwd = self.site if self.site.is_dir() else self.folder
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
        environment["PYTHONPATH"] = str(REPO)
        done = subprocess.run(
            [sys.executable, "-m", "govsite", *args],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )
        output = done.stdout + done.stderr
        self.runs.append(Run(args, done.returncode, output))
        assert done.returncode == expect, output
        return output

    def edit(self, relative: str, *changes: tuple[str, str]) -> None:
        path = self.site / relative
        text = path.read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text, (relative, old)
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")


# -- what every printed problem must be ------------------------------------------------------

DIAGNOSTIC = re.compile(
    r"^(?:\S[^\n]*?: (?:error|warning)\[[A-Z]{2}\d{3}\]|error): (?P<message>.*)$"
)
HINT = re.compile(r"^  hint: (?P<hint>.*)$")
# What may be written in ASCII inside a Chinese message: code and values, not prose.
NOT_PROSE = [
    r"`[^`]*`",  # code spans
    r"'[^']*'",  # keys, values and file names as written
    r"\"[^\"]*\"",
    r"https?://\S+",
    r"\bgovsite(?: (?:init|new|record|interpretation|page|report|check|build|serve))*",
    r"--[a-z][a-z-]*(?: [A-Z_]+)?",  # options
    r"\b(?:GS|GC)\d{3}\b",  # codes
    r"[\w.-]*[/.][\w./…-]*",  # paths, file names, dotted keys
]
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]+(?: +[A-Za-z]+){2,}")  # a list of values has commas


def english_in(said: str) -> str | None:
    """A run of three or more English words outside code, values, paths and codes, if any."""
    for pattern in NOT_PROSE:
        said = re.sub(pattern, " ", said)
    found = ENGLISH_SENTENCE.search(said)
    return found.group() if found else None


def problems_without_a_fix(output: str) -> list[str]:
    """Each problem printed without a way to fix it, or with English prose in it, and any
    other line (what `init` and `new` say they did) with English prose in it."""
    lines = output.splitlines()
    found = []
    for number, line in enumerate(lines):
        diagnostic = DIAGNOSTIC.match(line)
        if diagnostic is None:
            if not HINT.match(line) and english_in(line):
                found.append(f"English '{english_in(line)}': {line}")
            continue
        message = diagnostic.group("message")
        hinted = HINT.match(lines[number + 1]) if number + 1 < len(lines) else None
        hint = hinted.group("hint") if hinted else ""
        if not hint and "请" not in message:
            found.append(f"no fix: {line}")
        for said in (message, hint):
            if english_in(said):
                found.append(f"English '{english_in(said)}': {line}")
    return found


@pytest.mark.parametrize(
    ("printed", "problem"),
    [
        (
            "content/a.md:6:1: error[GC401]: the newest record on the home page was published "
            "29 days ago (at most 14 allowed)\n  hint: 请发布新的文件",
            "English 'the newest record on the home page was published'",
        ),
        (
            "content/a.md:6:1: error[GC401]: 首页最新的文件是 29 天前发布的\n"
            "  hint: publish a new record (govsite new record)",
            "English 'publish a new record'",
        ),
        ("content/a.md:6:1: warning[GC404]: 栏目“工作报告”（reports）还没有任何文件", "no fix"),
        ("error: 没有栏目 'nope'\n  hint: pass --category with a key path", "English"),
        ("error: 文件需要指定栏目", "no fix"),
        ("Build it with: govsite build --site site", "English 'Build it with'"),
        ("Created a site with 8 files in site.", "English 'Created a site with"),
    ],
)
def test_the_walkthrough_would_see_a_message_without_its_fix(printed: str, problem: str) -> None:
    found = problems_without_a_fix(printed)
    assert found and found[0].startswith(problem), found


def test_code_values_and_paths_are_not_english_prose() -> None:
    fine = (
        "content/records/a.md:4:1: error[GS201]: 未知的键 '文号'\n"
        "  hint: “文号”的键是 'doc_no'：请写 'doc_no: …'\n"
        "error: 没有 2007 年的年度报告\n"
        "  hint: 请用 `govsite new report --year 2025` 生成年度报告，或在 govsite.yaml 的 "
        "annual_report.category 中写另一个栏目；govsite new interpretation --title … "
        "--interprets 000000001/2026-00001；GC404 列出的栏目；https://zfwzgl.www.gov.cn/x?a=b\n"
    )
    assert problems_without_a_fix(fine) == []


# -- the afternoon ------------------------------------------------------------------------------

POLICIES = "content/records/policies"


def _index_no(path: Path) -> str:
    found = re.search(r"^index_no: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert found
    return found.group(1)


def _written(output: str) -> str:
    found = re.search(r"^已写入 (\S+)$", output, re.MULTILINE)
    assert found, output
    return found.group(1)


def test_a_new_editor_in_chinese_meets_only_messages_that_say_the_fix(tmp_path: Path) -> None:
    editor = Editor(tmp_path)
    assert "已在 site 中创建站点" in editor.govsite("init", "site")

    # New documents: a category by its title, then by its key; an interpretation of the first.
    renovation = _written(
        editor.govsite(
            "new", "record", "--title", "关于加强老旧小区改造的通知", "--category", "市政府文件"
        )
    )
    heating = _written(
        editor.govsite(
            "new",
            "record",
            "--title",
            "关于做好冬季供暖工作的通知",
            "--category",
            "policies/municipal",
        )
    )
    editor.govsite("new", "record", "--title", "x", "--category", "规范性文件", expect=2)
    index_no = _index_no(editor.site / renovation)
    editor.govsite(
        "new", "interpretation", "--title", "解读", "--interprets", index_no + "9", expect=2
    )
    explained = _written(
        editor.govsite(
            "new", "interpretation", "--title", "《关于加强老旧小区改造的通知》解读",
            "--interprets", index_no,
        )
    )  # fmt: skip

    # The fields, filled in as a new editor would.
    (editor.site / "content/files/2026").mkdir(parents=True)
    (editor.site / "content/files/2026/附件1 老旧小区改造任务清单.pdf").write_bytes(b"%PDF-1.4\n")
    editor.edit(
        renovation,
        ("# doc_no: 〇政发〔2026〕1号", "文号: 示政发〔2026〕3号"),
        ("\nwritten: ", "\nwritten: 2026年11月28日\n# was: "),
        ("validity: effective", "validity: 废止"),
        (
            "# attachments:\n#   - file: files/YYYY/name.pdf\n#     title: 附件1：名称",
            "attachments:\n  - file: files/2026/附件1老旧小区改造任务清单.pdf\n"
            "    title: 附件1：老旧小区改造任务清单",
        ),
    )
    editor.edit(
        heating,
        ("# summary: 内容概述。", "summary：部署今冬全市供暖工作。"),
        ("# keywords: [主题词]", "keywords: [供暖，民生]"),
        ("\n正文。\n", "\n各区人民政府，市政府各部门：\n\n现就做好今冬供暖工作通知如下。\n"),
    )
    copied = heating.replace(".md", " - 副本.md")  # as Windows names a copy: it sorts first
    text = (editor.site / heating).read_text(encoding="utf-8")
    (editor.site / copied).write_text(text.replace("冬季供暖", "冬季燃气安全"), encoding="utf-8")

    # First run: what cannot be read at all.
    first = editor.govsite("check", expect=1)
    # (The wording of each is tests/test_messages.py's; here: each is met, with its fix.)
    assert re.search(r"error\[GS201\]: .*'文号'\n  hint: .*'doc_no", first), first
    assert re.search(r"error\[GS204\]: .*2026年11月28日.*\n  hint: .*2026-11-28", first), first
    assert re.search(r"error\[GS203\]: .*'废止'.*\n  hint: .*'repealed'", first), first
    assert re.search(r"error\[GS102\]: .*'：'.*\n  hint: .*'summary: '", first), first
    editor.govsite("build", "--strict", expect=1)

    # Mended as the hints say; the next run finds what lies behind.
    editor.edit(
        renovation,
        ("文号:", "doc_no:"),
        ("written: 2026年11月28日\n# was: ", "written: 2026-11-28\n# was: "),
        ("validity: 废止", "validity: repealed"),
    )
    for path in (heating, copied):
        editor.edit(path, ("summary：", "summary: "))
    second = editor.govsite("check", expect=1)
    free = re.search(r"^(.*):3:11: error\[GS206\].*\n  hint: .*'(\d{9}/\d{4}-\d{5})'", second, re.M)
    near = re.search(r"error\[GS306\].*\n  hint: .*'(files/[^']+)'", second)
    assert free and near, second
    assert free[1] == copied  # the copy is told, not the record already published
    assert "warning[GS207]" in second and "warning[GC207]" in second
    assert "warning[GC202]" in second and "error[GC501]" in second

    # Mended as the hints say, to the letter (the free 索引号, the attachment's real name).
    editor.edit(copied, (f"index_no: {_index_no(editor.site / heating)}", f"index_no: {free[2]}"))
    editor.edit(
        renovation,
        ("files/2026/附件1老旧小区改造任务清单.pdf", near[1]),
        ("# summary: 内容概述。", "summary: 部署老旧小区改造工作。"),
        ("# superseded_by: INDEX_NO", "validity_note: 已由新的改造办法代替。"),
        ("\n正文。\n", "\n各区人民政府：\n\n现就老旧小区改造工作通知如下。\n"),
    )
    for path in (heating, copied):
        editor.edit(path, ("[供暖，民生]", "[供暖, 民生]"))
    editor.edit(explained, ("\n正文。\n", "\n一、出台背景\n\n为加快老旧小区改造。\n"))
    for path in (heating, copied):
        editor.govsite(
            "new",
            "interpretation",
            "--title",
            "解读",
            "--interprets",
            _index_no(editor.site / path),
        )
    editor.govsite("build", "--strict")
    assert editor.runs[-1].output.startswith("已生成 ")

    unfixable = [p for run in editor.runs for p in problems_without_a_fix(run.output)]
    assert unfixable == []
    shown = {code for run in editor.runs for code in re.findall(r"\[(G[SC]\d{3})\]", run.output)}
    assert {"GS102", "GS201", "GS203", "GS204", "GS206", "GS207", "GS306", "GC207"} <= shown
    told = sum(
        1 for run in editor.runs for line in run.output.splitlines() if DIAGNOSTIC.match(line)
    )
    assert told >= 20  # the walk-through met the mistakes it was meant to meet
