"""The annual report (政府信息公开工作年度报告): tables in the official format, computed
and checked, located errors for every wrong figure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from govsite import pipeline
from govsite.cli import main
from govsite.config import load_project
from govsite.errors import BuildFailed, Report
from govsite.pipeline import check_site
from govsite.scaffold import create_report
from tests.conftest import REPO, MakeSite

DEMO_STATISTICS = REPO / "content/records/annual-reports/2026/gov-annual-report-2025.yaml"
AS_OF = date(2027, 2, 1)
REPORT = "content/records/reports/2027/report.md"
STATISTICS = "content/records/reports/2027/report.yaml"
SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


def _report_text(sections: tuple[str, ...] = SECTIONS) -> str:
    body = "\n\n".join(f"## {title}\n\n本节内容。" for title in sections)
    return (
        "---\n"
        "title: 示例市人民政府办公室2026年政府信息公开工作年度报告\n"
        "index_no: 000000001/2027-00001\n"
        "agency: gov-office\n"
        "genre: 报告\n"
        "written: 2027-01-20\n"
        "published: 2027-01-25\n"
        "category: reports\n"
        "statistics: report.yaml\n"
        "---\n\n" + body + "\n"
    )


def _statistics(**replacements: str) -> str:
    text = DEMO_STATISTICS.read_text(encoding="utf-8").replace("year: 2025", "year: 2026")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _site(make_site: MakeSite, statistics: str, report: str | None = None) -> Path:
    root = make_site({REPORT: report or _report_text(), STATISTICS: statistics})
    categories = root / "content/catalogues/categories.yaml"
    categories.write_text(
        categories.read_text(encoding="utf-8") + "- key: reports\n  title: 年度报告\n",
        encoding="utf-8",
    )
    config = root / "govsite.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "annual_report:\n  normative:\n    categories: [policies]\n",
        encoding="utf-8",
    )
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        pipeline.compile_site(load_project(root), Report(), as_of=AS_OF)
    return [d.format_text() for d in failed.value.diagnostics]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


# Each arithmetic rule broken once, by one figure: (the edit, the line holding the figure,
# the text at that figure, the rule's words, the figure found, the figure expected).
BROKEN_RULES = [
    (
        {"new: [695, 139, 8, 6, 54, 7, 909]": "new: [695, 139, 8, 6, 54, 7, 910]"},
        "new: [",
        "910",
        "表三 一、本年新收政府信息公开申请数量: 总计 = 各类申请人之和",
        910,
        909,
    ),
    (
        # One more 予以公开 by a natural person, its own row consistent: （七）总计 no longer adds up.
        {"disclosed: [335, 72, 5, 4, 24, 3, 443]": "disclosed: [336, 72, 5, 4, 24, 3, 444]"},
        "  total: [",
        "693",
        "表三 （七）总计（自然人）: = （一）至（六）各项之和",
        693,
        694,
    ),
    (
        {"carried_forward: [16, 2, 0, 0, 3, 0, 21]": "carried_forward: [16, 3, 0, 0, 3, 0, 22]"},
        "carried_forward: [",
        "3",
        "表三（商业企业）: 本年新收 + 上年结转 = 办理结果总计 + 结转下年度",
        3,
        2,
    ),
    (
        {"review: [15, 2, 2, 1, 20]": "review: [15, 2, 2, 1, 21]"},
        "review:",
        "21",
        "表四 review: 总计 = 四项结果之和",
        21,
        20,
    ),
]


@pytest.mark.parametrize(
    ("edit", "line_text", "figure", "rule", "found", "expected"),
    BROKEN_RULES,
    ids=["row-total", "grand-total", "balance", "appeals-total"],
)
def test_each_rule_broken_once_is_one_error_at_the_wrong_figure(
    make_site: MakeSite,
    edit: dict[str, str],
    line_text: str,
    figure: str,
    rule: str,
    found: int,
    expected: int,
) -> None:
    statistics = _statistics(**edit)
    line = _line_of(statistics, line_text)
    text = statistics.split("\n")[line - 1]
    column = text.index(figure, text.index("[")) + 1
    assert _problems(_site(make_site, statistics)) == [
        f"{STATISTICS}:{line}:{column}: error[GS602]: {rule}: this figure is {found}, "
        f"but should be {expected}\n  hint: correct the figure, or the figures it is the sum of"
    ]


def test_misspelt_keys_and_malformed_rows_are_located(make_site: MakeSite) -> None:
    statistics = _statistics(
        **{
            "  carried_over:": "  carried_ovr:",
            "third_party: [19, 9, 0, 0, 2, 0, 30]": "third_party: [19, 9, 0]",
        }
    )
    problems = _problems(_site(make_site, statistics))
    assert any(
        "error[GS601]: unknown key 'carried_ovr'\n  hint: did you mean 'carried_over'?" in p
        for p in problems
    ), problems
    assert any(
        "'applications.withheld.third_party' is a row of 7 figures" in p for p in problems
    ), problems


def test_the_six_sections_are_required_in_order(make_site: MakeSite) -> None:
    report = _report_text((*SECTIONS[:2], SECTIONS[3], SECTIONS[2], *SECTIONS[4:5]))
    (problem,) = _problems(_site(make_site, _statistics(), report))
    assert problem.startswith(f"{REPORT}: error[GS603]: ")
    assert "lacks 六、其他需要报告的事项" in problem


def test_a_missing_statistics_file_is_located(make_site: MakeSite) -> None:
    root = _site(make_site, _statistics())
    (root / STATISTICS).unlink()
    (problem,) = _problems(root)
    assert problem.startswith(f"{REPORT}:1: error[GS601]: the statistics file '{STATISTICS}'")


def test_the_report_page_shows_the_tables_in_their_sections(make_site: MakeSite) -> None:
    root = _site(make_site, _statistics())
    pipeline.build(load_project(root), as_of=AS_OF)
    page_dir = root / "build/records/reports/2027/report"
    page = etree.HTML((page_dir / "index.html").read_bytes())
    body = page.xpath("//div[contains(@class, 'record-body')]")[0]
    order = [
        e.text.strip() for e in body.iter() if e.tag == "h2" or (e.tag == "caption" and e.text)
    ]
    assert order == [
        SECTIONS[0],
        SECTIONS[1],
        "表二 主动公开政府信息情况（2026年）",
        SECTIONS[2],
        "表三 收到和处理政府信息公开申请情况（2026年）",
        SECTIONS[3],
        "表四 政府信息公开行政复议、行政诉讼情况（2026年）",
        SECTIONS[4],
        SECTIONS[5],
    ]
    # 表二 is computed: the skeleton's one policy of 2026 is a 行政规范性文件 in force.
    normative = page.xpath(
        "//table[caption[@id='report-table-2']]//tr[th='行政规范性文件']/td/text()"
    )
    assert normative == ["1", "0", "1"]
    # Each figure of 表三 names its row and its (grouped) column.
    cell = page.xpath("//table[caption[@id='report-table-3']]//td[@headers]")[1]
    assert cell.get("headers") == "t3-r1 t3-legal t3-c1" and cell.text == "139"
    csv = (page_dir / "table-3.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")
    assert "一、本年新收政府信息公开申请数量,695,139,8,6,54,7,909\r\n" in csv.decode("utf-8-sig")


def test_new_report_writes_a_report_that_builds(make_site: MakeSite) -> None:
    root = _site(make_site, _statistics())
    (root / REPORT).unlink()
    (root / STATISTICS).unlink()
    config = root / "govsite.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "annual_report:\n", "annual_report:\n  category: reports\n"
        ),
        encoding="utf-8",
    )
    project = load_project(root)
    record, statistics = create_report(project, 2026, today=date(2027, 1, 20))
    assert (
        statistics.read_text(encoding="utf-8").count("[0, 0, 0, 0, 0, 0, 0]") == 25
    )  # every row of 表三 with figures
    compiled = pipeline.compile_site(project, Report(), as_of=AS_OF)
    (report,) = [r for r in compiled.site.records if r.annual_report is not None]
    assert report.source.path.as_posix() == record.relative_to(root).as_posix()
    assert report.index_no == "000000001/2027-00001"
    assert report.annual_report is not None and report.annual_report.year == 2026


@pytest.mark.parametrize(
    ("as_of", "missing"), [("2026-03-31", None), ("2027-03-31", None), ("2027-04-01", 2026)]
)
def test_check_warns_when_last_years_report_is_overdue(as_of: str, missing: int | None) -> None:
    outcome = check_site(load_project(REPO), date.fromisoformat(as_of))
    assert not isinstance(outcome, BuildFailed)
    found = [(f.message, f.hint) for f in outcome.findings if f.code == "GC408"]
    expected = (
        []
        if missing is None
        else [
            (
                f"the {missing} annual report (政府信息公开工作年度报告) was due by "
                f"{missing + 1}-03-31 and is not published",
                f"write it with `govsite new report --year {missing}`, fill it in and publish it",
            )
        ]
    )
    assert found == expected


def test_new_report_on_the_command_line(make_site: MakeSite) -> None:
    root = _site(make_site, _statistics())
    config = root / "govsite.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "annual_report:\n", "annual_report:\n  category: reports\n"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["new", "report", "--year", "2026", "--site", str(root), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    written = [line.removeprefix("Wrote ") for line in result.stdout.splitlines()[:2]]
    assert [Path(p).name for p in written] == [
        "gov-office-annual-report-2026.md",
        "gov-office-annual-report-2026.yaml",
    ]
    assert CliRunner().invoke(main, ["new", "report", "--site", str(root)]).exit_code == 2


def _policy(number: int, published: str, extra: str = "", genre: str = "通知") -> str:
    return (
        f"---\ntitle: 示例政策{number}\nindex_no: 000000001/{published[:4]}-0010{number}\n"
        f"agency: gov-office\ngenre: {genre}\nwritten: {published}\npublished: {published}\n"
        f"category: policies/municipal\n{extra}---\n\n正文{number}。\n"
    )


def test_table_two_counts_what_was_issued_repealed_and_in_force_by_hand(
    make_site: MakeSite,
) -> None:
    # The 2026 report counts, among the office's records (the skeleton's 2026 policy too):
    root = _site(make_site, _statistics())
    policies = "content/records/policies"
    files = {
        # issued in 2026, in force at its end
        f"{policies}/2026/p1.md": _policy(1, "2026-02-01"),
        # issued in 2025, valid until 30 June 2026: repealed in 2026
        f"{policies}/2025/p2.md": _policy(2, "2025-05-01", "expires: 2026-06-30\n"),
        # issued in 2024, replaced by p1: repealed in 2026 when p1 was published
        f"{policies}/2024/p3.md": _policy(
            3, "2024-01-01", "validity: repealed\nsuperseded_by: 000000001/2026-00101\n"
        ),
        # issued in 2027: neither issued in 2026 nor in force at its end
        f"{policies}/2027/p4.md": _policy(4, "2027-01-10"),
        # a 规章 (by its 文种) in the same category counts as a 规章 only
        f"{policies}/2026/p5.md": _policy(5, "2026-07-01", genre="规章"),
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    compiled = pipeline.compile_site(load_project(root), Report(), as_of=AS_OF)
    (found,) = [r.annual_report for r in compiled.site.records if r.annual_report is not None]
    assert found is not None
    # 行政规范性文件: issued p1 and the skeleton's; repealed p2 and p3; in force p1 and the skeleton's.
    assert found.normative == (2, 2, 2)
    assert found.regulations == (1, 0, 1)
