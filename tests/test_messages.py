"""Every editor-facing message, word for word, in English and Chinese.

Each folder of tests/fixtures/mistakes/ holds one mistake an editor makes: `site/` is laid
over a copy of the sample site `govsite init` writes (`deleted.txt` lists files it
removes from it), and `expected.en.txt` and
`expected.zh.txt` are what the build prints about it (`--update-golden` rewrites them).
"""

from __future__ import annotations

import shutil
import string
from datetime import date
from pathlib import Path, PurePosixPath

import pytest

from govsite import pipeline
from govsite.config import load_project
from govsite.errors import BuildFailed, Diagnostic, SourceLocation, summarize
from govsite.messages import LANGUAGES, Language, Text, choose_language, en, text, zh
from govsite.pipeline import check_site
from govsite.scaffold import NewDocument, create_document
from govsite.serve import PreviewState
from tests.conftest import REPO, MakeSite

MISTAKES = REPO / "tests" / "fixtures" / "mistakes"
BROKEN = REPO / "tests" / "sites" / "check-broken" / "site"
CASES = sorted(p.name for p in MISTAKES.iterdir() if p.is_dir())


def build_with(
    make_site: MakeSite, case: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Diagnostic, ...]:
    """The diagnostics of building the sample site with the case's files laid over it
    (from its parent folder, so a message that names the site's folder names `case`)."""
    root = make_site(name=case)
    monkeypatch.chdir(root.parent)
    if (MISTAKES / case / "site").is_dir():
        shutil.copytree(MISTAKES / case / "site", root, dirs_exist_ok=True)
    deleted = MISTAKES / case / "deleted.txt"
    for path in deleted.read_text(encoding="utf-8").split() if deleted.is_file() else ():
        (root / path).unlink()
    try:
        return pipeline.build(load_project(Path(case))).diagnostics
    except BuildFailed as failed:
        return failed.diagnostics


def printed(diagnostics: tuple[Diagnostic, ...], language: Language) -> str:
    lines = [d.format_text(language) for d in diagnostics]
    return "\n".join([*lines, summarize(diagnostics, language)]) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_is_named_with_its_fix_in_both_languages(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, update_golden: bool, case: str
) -> None:
    diagnostics = build_with(make_site, case, monkeypatch)
    for language in LANGUAGES:
        expected = MISTAKES / case / f"expected.{language}.txt"
        if update_golden:
            expected.write_text(printed(diagnostics, language), encoding="utf-8")
        assert printed(diagnostics, language) == expected.read_text(encoding="utf-8")


# Message keys the fixtures cannot show (they are not about a file), tested below instead.
TESTED_BELOW = {
    *("summary.nothing-written", "preview.title", "preview.lead"),
    *("GC502.before", "GC101.outside", "GC101.missing"),
    *("GC102", "GC103.failed", "GC103.server"),  # tests/test_check_external.py
    *("GC406.updated", "GC408.hint"),  # the check-broken site shows their other variant
    *("GC101.outside.hint", "GC101.missing.hint", "GC102.hint", "GC103.hint"),
}


def test_every_message_is_shown_by_a_fixture(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: set[str] = set()
    for case in CASES:
        for diagnostic in build_with(make_site, case, monkeypatch):
            for said in (diagnostic.text, diagnostic.hint_text):
                shown |= _keys(said) if said is not None else set()
    # The check's rules, on the fixture that breaks each (tests/test_check.py has its output).
    outcome = check_site(load_project(BROKEN), date(2026, 6, 30))
    assert not isinstance(outcome, BuildFailed)
    for finding in outcome.findings:
        for said in (finding.text, finding.hint_text):
            shown |= _keys(said) if said is not None else set()
    # `govsite init` and `new` (and their usage errors) speak before there is a build:
    # tests/test_scaffold_messages.py.
    own = ("summary.", "init.", "new.", "usage.")
    keys = {key for key in en.MESSAGES if not key.startswith(own)} - TESTED_BELOW
    assert sorted(keys - shown) == []


def _keys(said: Text) -> set[str]:
    """The message's key and those of the messages among its parameters."""
    nested = (_keys(value) for _, value in said.params if isinstance(value, Text))
    return {said.key}.union(*nested)


def test_both_catalogues_have_the_same_messages_and_parameters() -> None:
    assert sorted(en.MESSAGES) == sorted(zh.MESSAGES)
    for key, english in en.MESSAGES.items():
        assert _fields(english) == _fields(zh.MESSAGES[key]), key


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


HERE = SourceLocation(PurePosixPath("content/x.md"), 2, 1)
AN_ERROR = Diagnostic.of("error", text("GS201", key="gnere"), HERE, text("GS204.hint"))
A_WARNING = Diagnostic.of("warning", text("GS207", field="k", index=0, value="a，b"), HERE)


@pytest.mark.parametrize(
    ("errors", "warnings", "english", "chinese"),
    [
        (1, 0, "1 problem (1 error, 0 warnings).", "共 1 个问题（1 个错误，0 个警告）。"),
        (0, 1, "1 problem (0 errors, 1 warning).", "共 1 个问题（0 个错误，1 个警告）。"),
        (1, 1, "2 problems (1 error, 1 warning).", "共 2 个问题（1 个错误，1 个警告）。"),
        (3, 2, "5 problems (3 errors, 2 warnings).", "共 5 个问题（3 个错误，2 个警告）。"),
        (0, 0, "0 problems (0 errors, 0 warnings).", "共 0 个问题（0 个错误，0 个警告）。"),
    ],
)
def test_summaries(errors: int, warnings: int, english: str, chinese: str) -> None:
    found = (AN_ERROR,) * errors + (A_WARNING,) * warnings
    assert summarize(found, "en") == english
    assert summarize(found, "zh") == chinese


def test_a_failed_build_says_nothing_was_written() -> None:
    failed = BuildFailed([AN_ERROR])
    assert failed.format_text("en").splitlines() == [
        "content/x.md:2:1: error[GS201]: unknown key 'gnere'",
        "  hint: write dates as YYYY-MM-DD",
        "1 problem (1 error, 0 warnings). Nothing was written.",
    ]
    assert failed.format_text("zh").splitlines() == [
        "content/x.md:2:1: error[GS201]: 未知的键 'gnere'",
        "  hint: 日期请写作 YYYY-MM-DD",
        "共 1 个问题（1 个错误，0 个警告）。未写入任何文件。",
    ]


@pytest.mark.parametrize(
    ("language", "start"),
    [
        (
            "en",
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The site did '
            "not build</title></head><body><main><h1>The site did not build</h1><p>Fix these and "
            "save; this page reloads after the next build.</p><pre>content/x.md:2:1: "
            "error[GS201]: unknown key &#x27;gnere&#x27;\n  hint: write dates as YYYY-MM-DD</pre>"
            "<p>1 problem (1 error, 0 warnings).</p>",
        ),
        (
            "zh-CN",
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>网站未能生成'
            "</title></head><body><main><h1>网站未能生成</h1><p>请改正以下问题并保存；下次生成后本页会自动刷新。"
            "</p><pre>content/x.md:2:1: error[GS201]: 未知的键 &#x27;gnere&#x27;\n  hint: "
            "日期请写作 YYYY-MM-DD</pre><p>共 1 个问题（1 个错误，0 个警告）。</p>",
        ),
    ],
)
def test_the_preview_error_page_speaks_the_chosen_language(language: str, start: str) -> None:
    state = PreviewState(language=language)
    state.failure = BuildFailed([AN_ERROR])
    page = state.error_page()
    assert page is not None
    assert page.decode() == start + "</main></body></html>"


@pytest.mark.parametrize(
    ("explicit", "environment", "site", "chosen"),
    [
        (None, {}, "zh-CN", "zh"),
        (None, {}, "en", "en"),
        (None, {"LANG": "en_US.UTF-8"}, "zh-CN", "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "en", "zh"),
        (None, {"LANG": "C.UTF-8"}, "zh-CN", "zh"),
        (None, {"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "zh-CN", "zh"),  # LC_ALL decides
        (None, {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "zh-CN", "en"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "zh-CN", "en"),
        ("zh-CN", {"LANG": "en_US.UTF-8"}, "en", "zh"),
        (None, {}, None, "zh"),  # no site yet (govsite.yaml unreadable): Chinese
    ],
)
def test_the_language_is_lang_then_the_locale_then_the_site(
    monkeypatch: pytest.MonkeyPatch,
    explicit: str | None,
    environment: dict[str, str],
    site: str | None,
    chosen: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert choose_language(explicit, site) == chosen


def test_an_interpretation_published_before_its_policy() -> None:
    said = text("GC502.before", days=9, target="000000001/2026-00001", limit=7)
    assert said.render("en") == (
        "published 9 days before the policy '000000001/2026-00001' it interprets "
        "(at most 7 allowed)"
    )
    assert said.render("zh") == "比所解读的政策 '000000001/2026-00001' 早 9 天发布（最多 7 天）"


@pytest.mark.parametrize(
    ("said", "english", "chinese"),
    [
        (
            text("GC101.outside", href="../../../x.html"),
            "link '../../../x.html' leads outside the site",
            "链接 '../../../x.html' 指向网站之外",
        ),
        (
            text("GC101.missing", href="../files/x.png", target="files/x.png"),
            "link '../files/x.png' leads to 'files/x.png', which the build does not write",
            "链接 '../files/x.png' 指向 'files/x.png'，但网站中没有这个文件",
        ),
    ],
)
def test_links_that_lead_nowhere(said: Text, english: str, chinese: str) -> None:
    assert (said.render("en"), said.render("zh")) == (english, chinese)


@pytest.mark.parametrize(
    ("key", "english", "chinese"),
    [
        (
            "GC101.outside.hint",
            "link to another document by its .md file, relative to this file (e.g. "
            "../2026/notice.md), inside content/",
            "链接本站其他文件时，请写它的 .md 文件相对于本文件的路径（例如 ../2026/notice.md），"
            "且不能超出 content/",
        ),
        (
            "GC101.missing.hint",
            "correct the link: a document is linked by its .md file and an attachment by its "
            "path under content/files/, both relative to this file",
            "请改正链接：链接其他文件写它的 .md 文件路径，链接附件写 content/files/ 下的路径，"
            "都相对于本文件",
        ),
        (
            "GC102.hint",
            "the page is gone: find its new address and correct the link, or remove the link",
            "对方页面已不存在：请找到新的地址并改正链接，或删去该链接",
        ),
        (
            "GC103.hint",
            "the other site may be down for a while: run govsite check --external again later; "
            "if it stays so, correct or remove the link",
            "对方网站可能暂时无法访问：请稍后再运行 govsite check --external；如果一直如此，"
            "请改正或删去该链接",
        ),
    ],
)
def test_how_to_mend_a_link(key: str, english: str, chinese: str) -> None:
    assert (text(key).render("en"), text(key).render("zh")) == (english, chinese)


def test_a_message_is_kept_with_its_parameters_through_the_build_cache() -> None:
    again = Diagnostic.from_json(AN_ERROR.to_json())
    assert again == AN_ERROR
    assert again.format_text("zh") == AN_ERROR.format_text("zh")


DEMO_CITY = ("002583021", "青政发", "青川")


def test_no_hint_or_new_site_carries_the_demo_citys_codes(make_site: MakeSite) -> None:
    """A new site's files, the documents `govsite new` writes and every message are the
    site's own, not copies of the demo city's (its agency code, its 文号 prefix)."""
    root = make_site()
    project = load_project(root)
    request = NewDocument(kind="record", title="关于测试的通知", category="policies/municipal")
    written = create_document(project, request, today=date(2026, 3, 10))
    texts = [p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file()]
    texts += [written.read_text(encoding="utf-8"), *en.MESSAGES.values(), *zh.MESSAGES.values()]
    texts.append(project.index_no_pattern.example())
    assert [t for t in texts if any(code in t for code in DEMO_CITY)] == []


@pytest.mark.parametrize(
    ("said", "english", "chinese"),
    [
        (
            text("GC406.updated", days=1900, period=1825),
            "still 'effective' but last updated 1900 days ago (review period 1825 days)",
            "有效性仍为 'effective'，但上次更新已是 1900 天前（复核周期 1825 天）",
        ),
        (
            text("GC408.hint", year=2025),
            "write it with `govsite new report --year 2025`, fill it in and publish it",
            "请用 `govsite new report --year 2025` 生成年度报告，填写后发布",
        ),
    ],
)
def test_timeliness_variants_the_broken_site_does_not_show(
    said: Text, english: str, chinese: str
) -> None:
    assert (said.render("en"), said.render("zh")) == (english, chinese)
