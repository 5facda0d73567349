"""The annual report (政府信息公开工作年度报告): tables in the official format, computed
and checked, located errors for every wrong figure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from govsite import pipeline
from govsite.check.run import run_check
from govsite.config import load_project
from govsite.errors import BuildFailed, Report
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


def test_a_wrong_row_total_is_an_error_at_its_figure(make_site: MakeSite) -> None:
    statistics = _statistics(
        **{"new: [695, 139, 8, 6, 54, 7, 909]": "new: [695, 139, 8, 6, 54, 7, 910]"}
    )
    line = _line_of(statistics, "new: [")
    column = statistics.split("\n")[line - 1].index("910") + 1
    problems = _problems(_site(make_site, statistics))
    assert problems[0] == (
        f"{STATISTICS}:{line}:{column}: error[GS602]: 表三 一、本年新收政府信息公开申请数量: "
        "总计 = 各类申请人之和: this figure is 910, but should be 909\n"
        "  hint: correct the figure, or the figures it is the sum of"
    )
    # The wrong total also breaks 新收 + 结转 = 总计 + 结转下年度 in its column.
    assert len(problems) == 2 and "表三（总计）: 本年新收 + 上年结转" in problems[1]


def test_the_grand_total_and_the_balance_are_checked(make_site: MakeSite) -> None:
    # One more 予以公开 by a natural person, written consistently in its own row: the
    # （七）总计 no longer adds up, and neither does 新收 + 结转 = 总计 + 结转下年度.
    statistics = _statistics(
        **{"disclosed: [335, 72, 5, 4, 24, 3, 443]": "disclosed: [336, 72, 5, 4, 24, 3, 444]"}
    )
    problems = _problems(_site(make_site, statistics))
    assert any(
        f"{STATISTICS}:{_line_of(statistics, '  total: [')}:" in p
        and "（七）总计（自然人）: = （一）至（六）各项之和: this figure is 693, but should be 694"
        in p
        for p in problems
    ), problems
    assert len(problems) == 2  # 自然人 and 总计 columns of （七）; the balance still holds


def test_appeals_totals_are_checked(make_site: MakeSite) -> None:
    statistics = _statistics(**{"review: [15, 2, 2, 1, 20]": "review: [15, 2, 2, 1, 21]"})
    (problem,) = _problems(_site(make_site, statistics))
    assert problem.startswith(f"{STATISTICS}:{_line_of(statistics, 'review:')}:")
    assert "表四 review: 总计 = 四项结果之和: this figure is 21, but should be 20" in problem


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
    outcome = run_check(load_project(REPO), date.fromisoformat(as_of))
    assert not isinstance(outcome, BuildFailed)
    found = [f.message for f in outcome.findings if f.code == "GC408"]
    expected = (
        []
        if missing is None
        else [
            f"the {missing} annual report (政府信息公开工作年度报告) was due by 3月31日 and is not "
            f"published: write it with `govsite new report --year {missing}`"
        ]
    )
    assert found == expected
