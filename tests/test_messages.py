"""Every editor-facing message, word for word, in English and Chinese.

Each folder of tests/fixtures/mistakes/ holds one mistake an editor makes: `site/` is laid
over a copy of the sample site `govsite init` writes (`deleted.txt` lists files it
removes from it), and `expected.en.txt` and
`expected.zh.txt` are what the build prints about it (`--update-golden` rewrites them).
"""

from __future__ import annotations

import os
import shutil
import string
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePosixPath

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from govsite import pipeline
from govsite.config import load_project
from govsite.engine.update import FirstWritten, Update
from govsite.errors import BuildFailed, Diagnostic, SourceLocation, summarize
from govsite.messages import LANGUAGES, Language, Text, choose_language, en, text, zh
from govsite.model import Site
from govsite.outputs import search
from govsite.pipeline import check_site
from govsite.result import BuildResult, Scheduled
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
    *("GC406.updated", "GC408.hint"),
    # A record left out of `govsite check` for its own errors: tested below.
    *(
        "GS304.unread",
        "GS304.unread.hint",
        "GS305.unread",
        "GS305.unread.hint",
    ),  # the check-broken site shows their other variant
    *("GC101.outside.hint", "GC101.missing.hint", "GC102.hint", "GC103.hint"),
    # Files a fixture folder cannot hold (names Windows refuses, links, a FIFO).
    *("GS105.case", "GS105.case.hint", "GS105.character", "GS105.character.hint"),
    *("GS105.reserved", "GS105.reserved.hint", "GS105.dangling", "GS105.dangling.hint"),
    *("GS105.outside", "GS105.outside.hint", "GS105.linked-folder", "GS105.linked-folder.hint"),
    *("GS105.special", "GS105.special.hint", "GS152", "GS152.hint"),
    *("GS501", "GS501.hint", "GS102.unreadable"),  # a failure of the disk, or of PyYAML
    # A signing key from the environment, which a fixture cannot set.
    *("GS113.not-pem", "GS113.not-ed25519", "GS113.key.hint"),
    *("GS113.encrypted", "GS113.encrypted.hint"),
}


def test_every_message_is_shown_by_a_fixture(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """…and every message the fixtures show is a catalogue message, with a hint."""
    shown: set[str] = set()
    untranslated: list[str] = []
    for case in CASES:
        for diagnostic in build_with(make_site, case, monkeypatch):
            for said in (diagnostic.text, diagnostic.hint_text):
                shown |= _keys(said) if said is not None else set()
            if diagnostic.text is None or diagnostic.hint_text is None:
                untranslated.append(diagnostic.format_text())  # or says no fix
    assert untranslated == []
    # The check's rules, on the fixture that breaks each (tests/test_check.py has its output).
    outcome = check_site(load_project(BROKEN), date(2026, 6, 30))
    assert not isinstance(outcome, BuildFailed)
    for finding in outcome.findings:
        for said in (finding.text, finding.hint_text):
            shown |= _keys(said) if said is not None else set()
    # `govsite init` and `new` (and their usage errors) speak before there is a build:
    # tests/test_scaffold_messages.py.
    # The build's summary line: test_the_build_summary_says_what_was_done below.
    # The preview's lines after an edit: test_the_previews_update_lines_say_how_in_both_languages.
    own = ("summary.", "init.", "new.", "usage.", "build.", "serve.")
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


def _link(target: str) -> Callable[[Path, Path], None]:
    """Make `path` a symbolic link to `target` (`{outside}` is a folder outside the site)."""

    def make(path: Path, outside: Path) -> None:
        path.symlink_to(Path(target.format(outside=outside, site=path.parents[2])))

    return make


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


def _file(path: Path, outside: Path) -> None:
    path.write_text("---\ntitle: 页面\n---\n正文\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "make", "english", "chinese"),
    [
        (
            "content/files/通知:2026.pdf",
            _file,
            "content/files/通知:2026.pdf: error[GS105]: the name '通知:2026.pdf' holds ':', which cannot be part of a web "
            "address or a file name on every system\n  hint: rename it using letters, digits, "
            "Chinese characters, spaces, '-', '_' and '.'",
            "content/files/通知:2026.pdf: error[GS105]: 名称 '通知:2026.pdf' 含有 ':'，它不能用在网址中，在有些系统上也不能用在"
            "文件名中\n  hint: 请改名，只用字母、数字、汉字、空格、'-'、'_' 和 '.'",
        ),
        (
            "content/files/aux.pdf",
            _file,
            "content/files/aux.pdf: error[GS105]: the name 'aux.pdf' is reserved on Windows or ends in a space or dot, "
            "so the site could not be copied there or archived\n  hint: rename it, without a "
            "space or dot at the end",
            "content/files/aux.pdf: error[GS105]: 名称 'aux.pdf' 是 Windows 的保留名，或以空格或点结尾，站点无法复制到 "
            "Windows 上或归档\n  hint: 请改名，名称末尾不要有空格或点",
        ),
        (
            "content/pages/Guide.md",
            _file,
            "content/pages/guide.md: error[GS105]: differs from 'content/pages/Guide.md' only in upper and lower case; "
            "the two are one file on Windows, macOS and many web hosts\n"
            "  hint: rename one of them",
            "content/pages/guide.md: error[GS105]: 与 'content/pages/Guide.md' 只有大小写不同；在 Windows、macOS 和许多"
            "网站主机上二者是同一个文件\n  hint: 请给其中一个改名",
        ),
        (
            "content/files/gone.pdf",
            _link("{outside}/no-such-file.pdf"),
            "content/files/gone.pdf: error[GS105]: a symbolic link to nothing\n"
            "  hint: remove the link or restore its target",
            "content/files/gone.pdf: error[GS105]: 这是一个指向不存在文件的符号链接\n  hint: 请删除此链接，或恢复它指向的文件",
        ),
        (
            "content/files/elsewhere.pdf",
            _link("{outside}/elsewhere.pdf"),
            "content/files/elsewhere.pdf: error[GS105]: a symbolic link to a file outside the site; govsite publishes only "
            "the site's own files\n  hint: copy the file into content/ instead of linking to it",
            "content/files/elsewhere.pdf: error[GS105]: 这是指向站点之外文件的符号链接；govsite 只发布站点自己的文件\n"
            "  hint: 请把文件复制到 content/ 中，不要用链接",
        ),
        (
            "content/files/pages",
            _link("{site}/content/pages"),
            "content/files/pages: error[GS105]: a symbolic link to a folder; govsite does not follow linked folders\n"
            "  hint: move or copy the folder into content/",
            "content/files/pages: error[GS105]: 这是指向文件夹的符号链接；govsite 不读取链接的文件夹\n"
            "  hint: 请把该文件夹移动或复制到 content/ 中",
        ),
        (
            "content/files/pipe.pdf",
            _fifo,
            "content/files/pipe.pdf: error[GS105]: not a regular file (a FIFO, socket or device)\n"
            "  hint: remove it from content/",
            "content/files/pipe.pdf: error[GS105]: 这不是普通文件（而是管道、套接字或设备）\n  hint: 请把它从 content/ 中删除",
        ),
        (
            "templates/page.html",
            _link("{outside}/elsewhere.pdf"),
            "templates/page.html: error[GS152]: a symbolic link to a file outside the site; themes and templates may "
            "only use the site's own files\n"
            "  hint: copy the file into the theme instead of linking to it",
            "templates/page.html: error[GS152]: 这是指向站点之外文件的符号链接；主题和模板只能使用站点自己的文件\n"
            "  hint: 请把文件复制到主题中，不要用链接",
        ),
    ],
    ids=["character", "reserved", "case", "dangling", "outside", "folder", "fifo", "theme"],
)
def test_files_that_cannot_be_published(
    make_site: MakeSite,
    tmp_path: Path,
    name: str,
    make: Callable[[Path, Path], None],
    english: str,
    chinese: str,
) -> None:
    root = make_site()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.pdf").write_bytes(b"%PDF-1.7\n")
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    make(root / name, outside)
    with pytest.raises(BuildFailed) as failed:
        pipeline.build(load_project(root))
    (problem,) = failed.value.diagnostics
    assert problem.format_text("en") == english
    assert problem.format_text("zh") == chinese


def test_a_search_index_the_disk_cannot_hold(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*arguments: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search, "_write_index", disk_full)
    (problem,) = pipeline.build(load_project(make_site())).diagnostics
    assert problem.format_text("en") == (
        "govsite.yaml: warning[GS501]: the search index was not built: [Errno 28] No space left "
        "on device\n  hint: the rest of the site is written and its search page says search is "
        "unavailable; remove the cause named (often a full disk) and build again"
    )
    assert problem.format_text("zh") == (
        "govsite.yaml: warning[GS501]: 未能生成搜索索引：[Errno 28] No space left on device\n"
        "  hint: 网站其余部分已生成，搜索页会提示搜索暂不可用；请排除上面所说的原因（常见的是磁盘已满）后"
        "重新生成"
    )


def test_yaml_that_pyyaml_cannot_read_without_saying_where() -> None:
    said = text("GS102.unreadable")
    assert (said.render("en"), said.render("zh")) == (
        "this YAML cannot be read",
        "无法读取这段 YAML",
    )


def _unencrypted(key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey) -> str:
    encoding, form = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    return key.private_bytes(encoding, form, serialization.NoEncryption()).decode()


def _encrypted(key: Ed25519PrivateKey) -> str:
    encoding, form = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    return key.private_bytes(encoding, form, serialization.BestAvailableEncryption(b"pw")).decode()


@pytest.mark.parametrize(
    ("key", "english", "chinese"),
    [
        (
            lambda: "not a key",
            "signing: '$GOVSITE_SIGNING_KEY' is not a PEM private key\n  hint: make an Ed25519 "
            "key with 'openssl genpkey -algorithm ed25519 -out FILE' (see docs/tamper-evidence.md)",
            "signing：'$GOVSITE_SIGNING_KEY' 不是 PEM 格式的私钥\n  hint: 请用 'openssl genpkey "
            "-algorithm ed25519 -out 文件名' 生成 Ed25519 私钥（见 docs/tamper-evidence.md）",
        ),
        (
            lambda: _unencrypted(ec.generate_private_key(ec.SECP256R1())),
            "signing: '$GOVSITE_SIGNING_KEY' is not an Ed25519 key\n  hint: make an Ed25519 "
            "key with 'openssl genpkey -algorithm ed25519 -out FILE' (see docs/tamper-evidence.md)",
            "signing：'$GOVSITE_SIGNING_KEY' 不是 Ed25519 密钥\n  hint: 请用 'openssl genpkey "
            "-algorithm ed25519 -out 文件名' 生成 Ed25519 私钥（见 docs/tamper-evidence.md）",
        ),
        (
            lambda: _encrypted(Ed25519PrivateKey.generate()),
            "signing: '$GOVSITE_SIGNING_KEY' is encrypted, and a build cannot ask for its "
            "password\n  hint: give the build an unencrypted copy, kept outside the site: "
            "'openssl pkey -in KEY -out FILE'",
            "signing：'$GOVSITE_SIGNING_KEY' 是加密的私钥，生成网站时无法输入密码\n  hint: "
            "请为生成网站提供一份未加密的副本，并放在站点之外：'openssl pkey -in 原私钥 -out 文件名'",
        ),
    ],
    ids=["not-a-key", "not-ed25519", "encrypted"],
)
def test_a_signing_key_that_cannot_sign(
    make_site: MakeSite,
    monkeypatch: pytest.MonkeyPatch,
    key: Callable[[], str],
    english: str,
    chinese: str,
) -> None:
    root = make_site()
    with (root / "govsite.yaml").open("a", encoding="utf-8") as config:
        config.write("signing:\n  key_env: GOVSITE_SIGNING_KEY\n")
    monkeypatch.setenv("GOVSITE_SIGNING_KEY", key())
    with pytest.raises(BuildFailed) as failed:
        pipeline.build(load_project(root))
    (problem,) = failed.value.diagnostics
    assert problem.format_text("en") == f"govsite.yaml: error[GS113]: {english}"
    assert problem.format_text("zh") == f"govsite.yaml: error[GS113]: {chinese}"


def test_the_build_summary_says_what_was_done_in_both_languages() -> None:
    done = BuildResult(
        site=None,
        records=2,
        documents=1,
        pages_written=22,
        files_copied=4,
        diagnostics=(),
        seconds=0.5,
        scheduled=(Scheduled("X/2027-00001", "2027-01-10", "a.md"),),
    )
    site = Site.__new__(Site)  # any model: the summary only asks whether there is one
    built = replace(done, site=site, scheduled=())
    reused = replace(built, pages_reused=20)
    said = {lang: [r.summary(lang) for r in (done, built, reused)] for lang in LANGUAGES}
    assert said["en"] == [
        "Up to date: 22 pages (2 records, 1 pages) and 4 files unchanged since the last build"
        " (checked in 0.50 s); 0 problems (0 errors, 0 warnings).\n"
        "  scheduled: X/2027-00001 (a.md) appears on 2027-01-10",
        "Built 22 pages (2 records, 1 pages) and copied 4 files in 0.50 s;"
        " 0 problems (0 errors, 0 warnings).",
        "Built 22 pages (2 records, 1 pages, 20 from the build cache) and copied 4 files"
        " in 0.50 s; 0 problems (0 errors, 0 warnings).",
    ]
    assert said["zh"] == [
        "已是最新：22 个页面（2 条文件、1 个页面）和 4 个文件自上次构建以来没有变化"
        "（检查用时 0.50 秒）；共 0 个问题（0 个错误，0 个警告）。\n"
        "  定时发布：X/2027-00001（a.md）将于 2027-01-10 发布",
        "已生成 22 个页面（2 条文件、1 个页面），复制 4 个文件，用时 0.50 秒；"
        "共 0 个问题（0 个错误，0 个警告）。",
        "已生成 22 个页面（2 条文件、1 个页面，其中 20 个取自构建缓存），复制 4 个文件，"
        "用时 0.50 秒；共 0 个问题（0 个错误，0 个警告）。",
    ]


def test_a_reference_to_a_record_left_out_for_its_own_errors_says_to_fix_that_record(
    make_site: MakeSite,
) -> None:
    policy = "content/records/policies/2026/disclosure-work-points.md"
    root = make_site()
    path = root / policy
    path.write_text(path.read_text("utf-8").replace("doc_no:", "文号:"), "utf-8")
    outcome = check_site(load_project(root), date(2026, 6, 30))
    assert not isinstance(outcome, BuildFailed)
    said = [f for f in outcome.findings if f.code == "GS305"]
    assert [(f.message_in("en"), f.hint_in("en")) for f in said] == [
        (
            "'interprets' names '000000001/2026-00001', a record left out of this check"
            " for errors of its own",
            "fix that record's errors first (listed with its file); this is checked again then",
        )
    ]
    assert [(f.message_in("zh"), f.hint_in("zh")) for f in said] == [
        (
            "'interprets' 中的索引号 '000000001/2026-00001' 所属的文件自身有错误，这次检查暂时跳过了它",
            "请先改正那份文件的错误（在它的文件名下列出），改正后会再核对这里",
        )
    ]
    assert any(f.code == "GS201" and str(f.location.path) == policy for f in outcome.findings)


def test_the_previews_update_lines_say_how_in_both_languages() -> None:
    first = FirstWritten(("records/a.html",), ("records/a.html",), 0.05)
    assert first.summary("en") == (
        "Written in 0.05 s: records/a.html (the rest of the update follows)"
    )
    assert first.summary("zh") == "已写入，用时 0.05 秒：records/a.html（其余部分随后更新）"
    update = Update(3, ("a.html", "b.html"), (), False, "plan kept", (), 0.25, 0.125)
    assert update.summary("en") == (
        "Updated in 0.25 s (0.12 s CPU): 3 pages rendered, 2 files written, 0 removed"
        " (edited documents reassembled, plan kept)"
    )
    assert update.summary("zh") == (
        "已更新，用时 0.25 秒（CPU 0.12 秒）：生成 3 个页面，写入 2 个文件，删除 0 个"
        "（只重新组装改动的文件，页面安排不变）"
    )
    said = {
        replace(update, whole_assemble=True, planned=planned).summary(language)
        for planned in ("plan kept", "listings planned again", "planned again")
        for language in LANGUAGES
    }
    for words in ["whole site assembled", "listings planned again", "planned again"]:
        assert any(words in line for line in said), words
    for words in ["重新组装整个站点", "重新安排涉及的列表", "重新安排全部页面"]:
        assert any(words in line for line in said), words
