"""`govsite check`: the broken fixture reports each rule once, located; the demo checks clean;
every output format; exit codes, silencing and `--as-of`; the gate in `build`."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from govsite import pipeline
from govsite.check.health import ROWS_PER_RULE, findings_json, report_json
from govsite.check.rules import RULES
from govsite.cli import main
from govsite.config import load_project
from govsite.errors import Diagnostic, SourceLocation
from tests.conftest import REPO, MakeSite

BROKEN = REPO / "tests" / "sites" / "check-broken" / "site"
BROKEN_AS_OF = "2026-06-30"
DEMO_AS_OF = "2026-11-30"
EXTERNAL_RULES = {"GC102", "GC103"}  # need --external: tests/test_check_external.py

NOTICES = "content/records/notices/"
# Every finding the broken fixture must produce, and nothing else: (rule, path, line, column).
EXPECTED = {
    ("GC101", NOTICES + "accessibility.md", 22, 39),
    ("GC201", NOTICES + "published-before-written.md", 6, 1),
    ("GC202", "content/records/policies/repealed-without-reason.md", 8, 1),
    ("GC203", NOTICES + "loop-a.md", 9, 1),
    ("GC204", NOTICES + "replaced-but-effective.md", 8, 1),
    ("GC205", NOTICES + "wrong-agency-code.md", 3, 1),
    ("GC206", NOTICES + "wrong-year.md", 3, 1),
    ("GC207", "content/pages/orphan.md", 5, 1),
    ("GC208", "content/records/policies/repealed-without-reason.md", 7, 1),
    ("GC301", NOTICES + "accessibility.md", 14, 1),
    ("GC302", NOTICES + "accessibility.md", 18, 1),
    ("GC303", NOTICES + "accessibility.md", 16, 1),
    ("GC304", NOTICES + "accessibility.md", 20, 1),
    ("GC305", NOTICES + "accessibility.md", 22, 3),
    ("GC306", NOTICES + "accessibility.md", 24, 1),
    ("GC307", NOTICES + "accessibility.md", 28, 1),
    ("GC308", NOTICES + "accessibility.md", 30, 1),
    ("GC309", NOTICES + "accessibility.md", 32, 1),
    ("GC310", NOTICES + "accessibility.md", 34, 1),
    ("GC401", NOTICES + "replacement.md", 6, 1),
    ("GC402", "content/catalogues/categories.yaml", 7, 3),
    ("GC403", "content/catalogues/categories.yaml", None, None),
    ("GC404", "content/catalogues/categories.yaml", 11, 3),
    ("GC405", "content/catalogues/categories.yaml", None, None),
    ("GC406", NOTICES + "due-for-review.md", 6, 1),
    ("GC407", NOTICES + "expired-by-date.md", 7, 1),
    ("GC408", "content/catalogues/categories.yaml", None, None),
    ("GC409", NOTICES + "consultation-without-feedback.md", 9, 1),
    ("GC501", "content/records/policies/effective-without-interpretation.md", 3, 1),
    ("GC502", "content/records/interpretations/late-interpretation.md", 6, 1),
    ("GC601", "content/pages/orphan.md", None, None),
    ("GC602", NOTICES + "same-title-2.md", 2, 1),
    ("GC603", "content/pages/orphan.md", None, None),
    ("GC604", "content/pages/orphan.md", None, None),
    ("GC701", "govsite.yaml", None, None),
    ("GC702", "govsite.yaml", None, None),
    ("GC801", "content/files/diagram.svg", 2, None),
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def check_json(runner: CliRunner, site: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(main, ["check", "--site", str(site), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def located(report: dict[str, object]) -> set[tuple[object, ...]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {(f["rule"], f["path"], f["line"], f["column"]) for f in findings}


def copy_of_broken(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BROKEN, tmp_path / "site"))


def test_broken_fixture_reports_every_rule_once_at_its_place(runner: CliRunner) -> None:
    code, report = check_json(runner, BROKEN, "--as-of", BROKEN_AS_OF)
    assert code == 1
    assert located(report) == EXPECTED
    findings = report["findings"]
    assert isinstance(findings, list) and len(findings) == len(EXPECTED)  # once each


def test_the_fixture_breaks_every_rule_but_the_external_ones() -> None:
    assert {rule for rule, *_ in EXPECTED} == set(RULES) - EXTERNAL_RULES


def test_findings_carry_their_rules_severity(runner: CliRunner) -> None:
    _, report = check_json(runner, BROKEN, "--as-of", BROKEN_AS_OF)
    findings = report["findings"]
    assert isinstance(findings, list)
    assert {f["rule"]: f["severity"] for f in findings} == {
        rule: RULES[rule].severity for rule, *_ in EXPECTED
    }


def test_demo_site_checks_clean(runner: CliRunner) -> None:
    code, report = check_json(runner, REPO, "--as-of", DEMO_AS_OF, "--fail-on", "warning")
    assert report["findings"] == []
    assert code == 0


def test_demo_external_links_are_listed_not_fetched(runner: CliRunner) -> None:
    _, report = check_json(runner, REPO, "--as-of", DEMO_AS_OF)
    links = report["external_links"]
    assert isinstance(links, list)
    assert "https://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33990002000001" in links


def test_human_format_groups_by_file_with_a_summary(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["check", "--site", str(BROKEN), "--as-of", BROKEN_AS_OF, "--lang", "en"]
    )
    assert result.exit_code == 1
    blocks = result.stdout.strip().split("\n\n")
    assert blocks[-1] == "37 problems (18 errors, 19 warnings)."
    for block in blocks[:-1]:
        lines = [line for line in block.splitlines() if not line.startswith("  hint: ")]
        paths = {line.split(":", 1)[0] for line in lines}
        assert len(paths) == 1, block  # one file per group
    assert (
        f"{NOTICES}accessibility.md:14:1: error[GC301]: image '../../files/chart.png' "
        "has no text alternative"
    ) in result.stdout.splitlines()
    # The build's shape: `path:line:col: error[CODE]: message`, hints indented below.
    line_format = re.compile(r"^(\S+?(:\d+(:\d+)?)?: (error|warning)\[GC\d{3}\]: |  hint: ).+$")
    assert all(line_format.match(line) for block in blocks[:-1] for line in block.splitlines())


def test_human_format_of_a_chinese_site_is_chinese(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--site", str(BROKEN), "--as-of", BROKEN_AS_OF])
    assert result.stdout.strip().split("\n\n")[-1] == "共 37 个问题（18 个错误，19 个警告）。"


def test_github_format_annotates_files_and_lines(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "check",
            *("--site", str(BROKEN), "--as-of", BROKEN_AS_OF),
            *("--format", "github", "--lang", "en"),
        ],
    )
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(EXPECTED)
    assert (
        f"::error file={NOTICES}accessibility.md,line=14,col=1,title=GC301::"
        "image '../../files/chart.png' has no text alternative"
        "%0Ahint: say what the image shows between the brackets: ![what it shows](…)"
    ) in lines
    assert (
        "::warning file=content/pages/orphan.md,title=GC601::no link leads to "
        "'pages/orphan/index.html' from the home page or any listing%0Ahint: link to it from "
        "another page, or give it a 'nav_order' so that it is in the navigation; or delete it"
    ) in lines


def test_fail_on_decides_the_exit_code(runner: CliRunner, tmp_path: Path) -> None:
    site = copy_of_broken(tmp_path)
    errors = sorted(rule for rule, r in RULES.items() if r.severity == "error")
    config = site / "govsite.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "check:\n", f"check:\n  ignore: [{', '.join(errors)}]\n"
        ),
        encoding="utf-8",
    )
    code, report = check_json(runner, site, "--as-of", BROKEN_AS_OF)
    assert code == 0  # warnings only
    assert report["findings"] and {f["severity"] for f in report["findings"]} == {"warning"}  # type: ignore[union-attr]
    code, _ = check_json(runner, site, "--as-of", BROKEN_AS_OF, "--fail-on", "warning")
    assert code == 1


def test_front_matter_silences_a_rule_for_one_document(runner: CliRunner, tmp_path: Path) -> None:
    site = copy_of_broken(tmp_path)
    document = site / "content/records/notices/accessibility.md"
    text = document.read_text(encoding="utf-8")
    document.write_text(
        text.replace("summary:", "check: {ignore: [GC301, GC305]}\nsummary:", 1), encoding="utf-8"
    )
    _, report = check_json(runner, site, "--as-of", BROKEN_AS_OF)
    rules = {rule for rule, *_ in located(report)}
    assert rules == {rule for rule, *_ in EXPECTED} - {"GC301", "GC305"}


def test_date_rules_measure_against_as_of(runner: CliRunner) -> None:
    _, report = check_json(runner, BROKEN, "--as-of", "2026-06-05")
    rules = {rule for rule, *_ in located(report)}
    # Four days after the newest record: the home page and the notices are fresh.
    assert not {"GC401", "GC402", "GC403"} & rules
    assert {"GC404", "GC406"} <= rules


def test_a_site_that_does_not_build_reports_the_build_errors_and_every_other_finding(
    runner: CliRunner, tmp_path: Path
) -> None:
    site = copy_of_broken(tmp_path)
    (site / "content/records/notices/wrong-year.md").write_text(
        "---\ntitle: x\n---\n[missing](nowhere.md)\n", encoding="utf-8"
    )
    code, report = check_json(runner, site, "--as-of", BROKEN_AS_OF)
    assert code == 1
    # The document in error is left out; every other file is still checked.
    assert {rule for rule, *_ in located(report)} >= {"GS307", "GC301", "GC402"}


def test_build_writes_the_health_report(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # --no-cache: the site lives in the repository, which a test must not write into.
    result = runner.invoke(main, ["build", "--site", str(BROKEN), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    html = (out / "_health" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<svg role="img"' in html and "<caption>" in html
    assert " style=" not in html  # the Content-Security-Policy forbids inline styles
    text = (out / "_health" / "report.json").read_text(encoding="utf-8")
    report = json.loads(text)
    assert {"GC301", "GC604"} <= {f["rule"] for f in report["findings"]}
    # Written as json.dumps indents it (the findings are written out by hand, for speed).
    assert text == json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    # The report is part of the zh-CN site: its findings are worded in Chinese, whatever
    # the locale of the machine that built it.
    assert "<td>图片 &#39;../../files/chart.png&#39; 没有替代文字</td>" in html
    assert "图片 '../../files/chart.png' 没有替代文字" in {f["message"] for f in report["findings"]}
    assert {c["path"] for c in report["categories"]} == {
        "policies",
        "interpretations",
        "notices",
        "reports",
    }
    public = [p for p in out.rglob("*.html") if "_health" not in p.parts]
    assert not any("_health" in p.read_text(encoding="utf-8") for p in public)


def test_health_report_can_be_turned_off(runner: CliRunner, tmp_path: Path) -> None:
    site = copy_of_broken(tmp_path)
    config = site / "govsite.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "health: false\n", encoding="utf-8")
    result = runner.invoke(main, ["build", "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert not (site / "build" / "_health").exists()


def test_strict_build_fails_on_check_errors(runner: CliRunner, tmp_path: Path) -> None:
    site = copy_of_broken(tmp_path)
    result = runner.invoke(main, ["build", "--site", str(site), "--strict"])
    assert result.exit_code == 1
    assert "error[GC301]" in result.stderr
    assert not (site / "build").exists()


def test_documents_with_build_errors_do_not_hide_other_findings(
    runner: CliRunner, make_site: MakeSite
) -> None:
    """One broken link used to stop the check before any rule ran, in every file."""
    policy = "content/records/policies/2026/disclosure-work-points.md"
    root = make_site()
    text = (root / policy).read_text(encoding="utf-8")
    (root / policy).write_text(text + "\n见[办法](missing.md)。\n", encoding="utf-8")
    (root / "content/pages/bad.md").write_text("---\ntitle: 坏\nnav_ordr: 1\n---\n")
    (root / "content/pages/chart.md").write_text("---\ntitle: 图表\n---\n\n![](/files/x.png)\n")
    code, report = check_json(runner, root, "--as-of", "2026-03-10")
    assert code == 1
    rules = {(f["rule"], f["path"]) for f in report["findings"]}  # type: ignore[union-attr]
    assert ("GS307", policy) in rules
    assert ("GC101", policy) not in rules  # the broken link is named once
    findings = report["findings"]
    assert isinstance(findings, list)
    key = next(f for f in findings if f["rule"] == "GS201")
    assert (key["message"], key["hint"]) == ("未知的键 'nav_ordr'", "是不是要写 'nav_order'？")
    assert ("GS201", "content/pages/bad.md") in rules
    assert ("GC301", "content/pages/chart.md") in rules


def test_a_record_left_out_for_its_errors_breaks_no_other_page(
    runner: CliRunner, make_site: MakeSite
) -> None:
    policy = "content/records/policies/2026/disclosure-work-points.md"
    root = make_site()
    text = (root / policy).read_text(encoding="utf-8")
    (root / policy).write_text(text.replace("category: policies/municipal", "category: nope"))
    _, report = check_json(runner, root, "--as-of", "2026-03-10")
    rules = {(f["rule"], f["path"]) for f in report["findings"]}  # type: ignore[union-attr]
    assert ("GS302", policy) in rules
    assert not any(rule == "GS402" for rule, _ in rules)  # the interpretation still rendered


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_finding_word_for_word(runner: CliRunner, update_golden: bool, language: str) -> None:
    """The check's whole human output on the broken fixture, in each language
    (`--update-golden` rewrites tests/sites/check-broken/expected-check.*.txt)."""
    result = runner.invoke(
        main, ["check", "--site", str(BROKEN), "--as-of", BROKEN_AS_OF, "--lang", language]
    )
    expected = BROKEN.parent / f"expected-check.{language}.txt"
    if update_golden:
        expected.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("findings", [0, 2])
def test_the_health_report_json_is_json_dumps_indented(findings: int) -> None:
    worded = tuple(
        Diagnostic(
            "warning", "GC604", f'没有描述 "{n}"\n', SourceLocation(PurePosixPath("a.md"), n)
        )
        for n in range(findings)
    )
    result = SimpleNamespace(findings=worded, external_links={"https://例子.cn/": None})
    view = SimpleNamespace(
        as_of=date(2026, 1, 2),
        result=result,
        errors=0,
        warnings=findings,
        columns=(),
        series=(),
        months=(),
    )
    text = report_json(view, findings_json(worded, "zh"))  # type: ignore[arg-type]
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    assert len(json.loads(text)["findings"]) == findings


def test_the_health_page_lists_the_first_findings_of_each_rule_and_counts_them_all(
    make_site: MakeSite, tmp_path: Path
) -> None:
    placeholders = ROWS_PER_RULE + 2
    files = {
        f"content/records/policies/p-{n:03d}.md": (
            f"---\ntitle: 占位文件第{n}号\nindex_no: 000000001/2026-{n + 100:05d}\n"
            "agency: gov-office\nwritten: 2026-03-02\npublished: 2026-03-05\n"
            "category: policies/municipal\nsummary: 占位。\n---\n\n正文。\n"
        )
        for n in range(placeholders)
    }
    out = tmp_path / "out"
    pipeline.build(load_project(make_site(files), out))
    report = json.loads((out / "_health" / "report.json").read_text(encoding="utf-8"))
    assert sum(f["rule"] == "GC207" for f in report["findings"]) == placeholders
    html = (out / "_health" / "index.html").read_text(encoding="utf-8")
    assert html.count("<td>GC207</td>") == ROWS_PER_RULE
    assert f'<tr><th scope="row">GC207</th><td>0</td><td>{placeholders}</td></tr>' in html
    assert f"共 {len(report['findings'])} 个问题" in html and '<a href="report.json">' in html
