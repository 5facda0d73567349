"""The command line's wiring: exit codes, messages, scaffolding."""

from __future__ import annotations

from datetime import date
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from govsite import clock
from govsite.cli import main
from govsite.config import load_project
from govsite.errors import Report, SourceLocation
from govsite.frontmatter import split_front_matter
from govsite.scaffold import NewDocument, ScaffoldError, create_document
from govsite.yamlload import load_yaml
from tests.conftest import MakeSite


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_build_succeeds_with_a_summary_line(runner: CliRunner, make_site: MakeSite) -> None:
    root = make_site()
    result = runner.invoke(main, ["build", "--site", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Built ")
    assert "(2 records, 1 pages)" in result.stdout
    # A zh-CN site says it in Chinese unless asked otherwise.
    again = runner.invoke(main, ["build", "--site", str(root), "--no-cache"], env={"LANG": "C"})
    assert again.stdout.startswith("已生成 ")
    assert "（2 条文件、1 个页面）" in again.stdout and "共 0 个问题" in again.stdout
    assert (root / "build" / "index.html").is_file()


def test_build_into_another_folder(runner: CliRunner, make_site: MakeSite, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["build", "--site", str(make_site()), "--out", str(tmp_path / "public")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "public" / "index.html").is_file()


def test_content_errors_exit_1_with_located_messages(
    runner: CliRunner, make_site: MakeSite
) -> None:
    root = make_site({"content/pages/bad.md": "---\ntitle: 坏\nnav_ordr: 1\n---\n"})
    result = runner.invoke(main, ["build", "--site", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        "content/pages/bad.md:3:1: error[GS201]: 未知的键 'nav_ordr'\n"
        "  hint: 是不是要写 'nav_order'？\n"
        "共 1 个问题（1 个错误，0 个警告）。未写入任何文件。\n"
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--lang", "en"], {}), ([], {"LANG": "en_US.UTF-8"}), ([], {"LC_ALL": "en_GB.UTF-8"})],
    ids=["--lang", "LANG", "LC_ALL"],
)
def test_messages_are_english_with_lang_en_or_an_english_locale(
    runner: CliRunner, make_site: MakeSite, args: list[str], env: dict[str, str]
) -> None:
    root = make_site({"content/pages/bad.md": "---\ntitle: 坏\nnav_ordr: 1\n---\n"})
    result = runner.invoke(main, ["build", "--site", str(root), *args], env=env)
    assert result.stderr == (
        "content/pages/bad.md:3:1: error[GS201]: unknown key 'nav_ordr'\n"
        "  hint: did you mean 'nav_order'?\n"
        "1 problem (1 error, 0 warnings). Nothing was written.\n"
    )


def test_lang_wins_over_the_locale(runner: CliRunner, make_site: MakeSite) -> None:
    root = make_site({"content/pages/bad.md": "---\ntitle: 坏\nnav_ordr: 1\n---\n"})
    result = runner.invoke(
        main, ["build", "--site", str(root), "--lang", "zh-CN"], env={"LANG": "en_US.UTF-8"}
    )
    assert "未知的键 'nav_ordr'" in result.stderr


def test_usage_errors_exit_2(runner: CliRunner, make_site: MakeSite) -> None:
    root = make_site()
    assert runner.invoke(main, ["build", "--nope"]).exit_code == 2
    unsafe = runner.invoke(main, ["build", "--site", str(root), "--out", str(root / "content")])
    assert unsafe.exit_code == 2
    assert "would overwrite" in unsafe.stderr


def test_build_never_replaces_a_folder_it_did_not_write(
    runner: CliRunner, make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site()
    other = tmp_path / "documents"
    other.mkdir()
    (other / "budget.xlsx").write_bytes(b"the only copy")
    result = runner.invoke(main, ["build", "--site", str(root), "--out", str(other)])
    assert result.exit_code == 2
    assert f"the build folder '{other}' already holds files govsite did not write" in result.stderr
    assert (other / "budget.xlsx").read_bytes() == b"the only copy"
    assert sorted(p.name for p in other.iterdir()) == ["budget.xlsx"]


def test_build_never_writes_into_the_site_repository_or_its_cache(
    runner: CliRunner, make_site: MakeSite
) -> None:
    root = make_site()
    (root / ".git" / "refs").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    for out, why in ((".git", "'.git'"), (".govsite-cache", "would overwrite")):
        result = runner.invoke(main, ["build", "--site", str(root), "--out", str(root / out)])
        assert result.exit_code == 2, result.output
        assert why in result.stderr
    assert (root / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    # Its own earlier build, marked as such, is replaced as before.
    for _ in range(2):
        built = runner.invoke(main, ["build", "--site", str(root), "--no-cache"])
        assert built.exit_code == 0, built.output


def test_help_explains_each_command(runner: CliRunner) -> None:
    for command in ([], ["build"], ["init"], ["new"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.stdout


@pytest.mark.parametrize(
    ("kind", "says", "options", "not_options"),
    [
        ("record", "Write a disclosure record", ["--category"], ["--interprets"]),
        ("interpretation", "Write a policy interpretation", ["--interprets"], []),
        ("page", "Write a plain page", ["--slug"], ["--category", "--interprets", "--agency"]),
    ],
)
def test_new_help_describes_that_kind_only(
    runner: CliRunner, kind: str, says: str, options: list[str], not_options: list[str]
) -> None:
    result = runner.invoke(main, ["new", kind, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: main new {kind} [OPTIONS]\n\n  {says}")
    assert all(option in result.stdout for option in options)
    assert not any(option in result.stdout for option in not_options)


def test_init_makes_a_site_that_builds(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "new-site"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    built = runner.invoke(main, ["build", "--site", str(target)])
    assert built.exit_code == 0, built.output
    assert runner.invoke(main, ["init", str(target)]).exit_code == 2  # not empty any more


def test_new_record_takes_the_next_free_index_number_and_builds(
    runner: CliRunner, make_site: MakeSite
) -> None:
    root = make_site()
    result = runner.invoke(
        main,
        [
            "new",
            "record",
            "--site",
            str(root),
            "--title",
            "关于测试的通知",
            "--category",
            "policies/municipal",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.splitlines()[0].removeprefix("Wrote "))
    text = written.read_text(encoding="utf-8")
    year = clock.today().year  # the day `new` dates a record by
    expected = f"000000001/{year}-{3 if year == 2026 else 1:05d}"
    assert f"index_no: {expected}" in text
    assert runner.invoke(main, ["build", "--site", str(root)]).exit_code == 0


def test_new_interpretation_and_page(make_site: MakeSite) -> None:
    project = load_project(make_site())
    today = date(2026, 5, 1)
    interpretation = create_document(
        project,
        NewDocument(kind="interpretation", title="解读", interprets=("000000001/2026-00001",)),
        today,
    )
    assert "index_no: 000000001/2026-00003" in interpretation.read_text(encoding="utf-8")
    assert 'interprets: ["000000001/2026-00001"]' in interpretation.read_text(encoding="utf-8")
    page = create_document(project, NewDocument(kind="page", title="About us"), today)
    assert page == project.content_dir / "pages" / "about-us.md"


@pytest.mark.parametrize("slug", ["../../../escaped", "{absolute}", "pages/escaped", ".hidden"])
def test_new_refuses_a_slug_that_is_not_one_file_name(
    runner: CliRunner, make_site: MakeSite, slug: str
) -> None:
    root = make_site()
    slug = slug.format(absolute=root.parent / "escaped")
    before = sorted(p.relative_to(root.parent) for p in root.parent.rglob("*"))
    for kind in (["page"], ["record", "--category", "policies"]):
        result = runner.invoke(
            main,
            ["new", *kind, "--site", str(root), "--title", "x", "--slug", slug, "--lang", "en"],
        )
        assert result.exit_code == 2, result.output
        assert f"error: '{slug}' is not a slug\n  hint: use letters" in result.stderr
    assert sorted(p.relative_to(root.parent) for p in root.parent.rglob("*")) == before


def test_new_writes_options_as_values_that_cannot_add_keys(make_site: MakeSite) -> None:
    project = load_project(make_site())
    title = '解读"\nvalidity: repealed\n---\n'
    interprets = "000000001/2026-00001]\nsuperseded_by: x\n---"
    # An index number no record has is refused before anything is written (tests/test_dates.py),
    # and named with its line breaks spelt out.
    with pytest.raises(ScaffoldError, match=r"'000000001/2026-00001\]\\nsuperseded_by: x\\n---'"):
        create_document(
            project, NewDocument(kind="interpretation", title=title, interprets=(interprets,))
        )
    interprets = "000000001/2026-00001"
    path = create_document(
        project,
        NewDocument(kind="interpretation", title=title, interprets=(interprets,)),
        date(2026, 5, 1),
    )
    parts = split_front_matter(path.read_text(encoding="utf-8"))
    report = Report()
    doc = load_yaml(parts.meta_text, SourceLocation(PurePosixPath("x.md"), 2), report)
    assert doc is not None and isinstance(doc.value, dict) and not report.diagnostics
    assert (doc.value["title"], doc.value["interprets"]) == (title, [interprets])
    assert doc.value["validity"] == "effective" and "superseded_by" not in doc.value
    assert parts.body == "\n正文。\n"


def test_new_explains_what_is_missing(make_site: MakeSite) -> None:
    project = load_project(make_site())
    with pytest.raises(ScaffoldError, match="a record needs a category") as raised:
        create_document(project, NewDocument(kind="record", title="x"))
    assert raised.value.hint is not None
    assert "'policies/municipal'（市政府文件）" in raised.value.hint.render()
    with pytest.raises(ScaffoldError, match="unknown agency 'nope'"):
        create_document(
            project, NewDocument(kind="record", title="x", agency="nope", category="policies")
        )


def test_printed_findings_keep_to_their_own_lines(runner: CliRunner, make_site: MakeSite) -> None:
    # A CI service reads a line starting `::error` as a command; a value or a file name must
    # not be able to start one (nor a terminal escape, nor a line separator).
    forged = "::error file=content/pages/guide.md,line=1::forged"
    root = make_site(
        {
            "content/pages/bad.md": f'---\ntitle: 坏\n"x\\n{forged}\\u2028y": 1\n---\n',
            f"content/pages/evil\r\n{forged}\x1b[2J.md": "---\ntitle: 坏\nnav_ordr: 1\n---\n",
        }
    )
    for command in ("build", "check"):
        result = runner.invoke(main, [command, "--site", str(root), "--lang", "en"])
        assert result.exit_code == 1, result.output
        assert not [line for line in result.output.splitlines() if line.startswith("::")]
        assert f"unknown key 'x\\n{forged}\\u2028y'" in result.output
        assert f"content/pages/evil\\r\\n{forged}\\x1b[2J.md: error" in result.output


@pytest.mark.parametrize("command", ["build", "check"])
def test_yaml_that_would_expand_without_bound_is_a_located_error(
    runner: CliRunner, make_site: MakeSite, command: str
) -> None:
    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)
    )  # 387,420,489 values, were they all read
    deep = "[" * 900 + "]" * 900
    root = make_site(
        {
            "content/pages/laughs.md": f"---\ntitle: 笑\n{laughs}---\n",
            "content/pages/deep.md": f"---\ntitle: 深\nx: {deep}\n---\n",
        }
    )
    result = runner.invoke(main, [command, "--site", str(root)])
    assert result.exit_code == 1, result.output
    assert "content/pages/laughs.md:7:1: error" in result.output
    assert "content/pages/deep.md:3:103: error" in result.output
    assert result.output.count("GS106") == 2


def test_control_characters_are_removed_with_a_warning_at_each(
    runner: CliRunner, make_site: MakeSite
) -> None:
    # Pasted into the title and the body as they are (an escape in YAML: test_yamlload.py).
    page = "---\ntitle: 指南\x0b一\nnav_order: 1\n---\n\n第一\x0b段\x0c。\n\n\x1b[1m第二\x08段\ufffe\x85。\n"
    root = make_site({"content/pages/guide.md": page})
    result = runner.invoke(main, ["build", "--site", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "GS107" in line]
    assert warnings == [
        f"content/pages/guide.md:{place}: warning[GS107]: {name} removed"
        for place, name in [
            ("2:10", "control character U+000B LINE TABULATION"),
            ("6:3", "control character U+000B LINE TABULATION"),
            ("6:5", "control character U+000C FORM FEED"),
            ("8:1", "control character U+001B ESCAPE"),
            ("8:7", "control character U+0008 BACKSPACE"),
            ("8:9", "noncharacter U+FFFE"),
            ("8:10", "control character U+0085 NEXT LINE"),
        ]
    ]
    html = (root / "build/pages/guide/index.html").read_text(encoding="utf-8")
    assert "指南一" in html and "<p>第一段。</p>" in html and "<p>[1m第二段。</p>" in html


def test_serve_on_a_port_in_use_says_so_at_once_and_builds_nothing(
    runner: CliRunner, make_site: MakeSite
) -> None:
    import socket

    root = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--site", str(root), "--port", str(port)])
        said = runner.invoke(
            main, ["serve", "--site", str(root), "--port", str(port), "--lang", "en"]
        )
    assert result.exit_code == 2, result.output
    assert f"无法在 127.0.0.1:{port} 上提供预览" in result.output  # the sample site is zh-CN
    assert f"--port {port + 1}" in result.output and "--port 0" in result.output
    assert said.exit_code == 2 and f"cannot serve the preview at 127.0.0.1:{port}" in said.output
    assert "Traceback" not in result.output + said.output
    assert not (root / "build").exists()  # said before the site's first build
