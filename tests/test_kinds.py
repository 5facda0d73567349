"""Column kinds: typed fields checked where they are written, shown on the page, in
listings and in open data, with a period status as of the build's day."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from govsite import pipeline
from govsite.config import load_project
from govsite.errors import BuildFailed, Report
from govsite.pipeline import check_site
from tests.conftest import MakeSite

RECORD = "content/records/policies/2026/consultation.md"


def _record(block: str) -> str:
    return (
        "---\n"
        "title: 关于《示例市养老服务条例（征求意见稿）》公开征求意见的公告\n"
        "index_no: 000000001/2026-00009\n"
        "agency: gov-office\n"
        "written: 2026-04-01\n"
        "published: 2026-04-01\n"
        "category: policies/municipal\n"
        f"{block}"
        "---\n\n正文。\n"
    )


CONSULTATION = (
    "consultation:\n"
    "  opens: 2026-04-01\n"
    "  closes: 2026-04-30\n"
    "  email: yjzj@example.gov.cn\n"
    "  form: https://www.example.gov.cn/yjzj\n"
)


def _problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        pipeline.compile_site(load_project(root), Report(), as_of=date(2026, 4, 15))
    return [d.format_text() for d in failed.value.diagnostics]


@pytest.mark.parametrize(
    ("as_of", "status"),
    [(date(2026, 4, 1), "征集中"), (date(2026, 4, 30), "征集中"), (date(2026, 5, 1), "已结束")],
)
def test_a_consultation_shows_its_status_on_the_build_day(
    make_site: MakeSite, tmp_path: Path, as_of: date, status: str
) -> None:
    root = make_site({RECORD: _record(CONSULTATION)})
    out = tmp_path / "out"
    pipeline.build(load_project(root, out), as_of=as_of)
    page = etree.HTML((out / "records/policies/2026/consultation/index.html").read_bytes())
    rows = {
        "".join(item.xpath("dt//text()")).strip(): "".join(item.xpath("dd//text()")).strip()
        for item in page.xpath("//section[@class='record-meta']//div[@class]")
    }
    assert rows["栏目类型"] == f"意见征集 {status}"
    assert rows["征集截止日期"] == "2026年04月30日"
    assert page.xpath("//dd/a[.='https://www.example.gov.cn/yjzj']/@href") == [
        "https://www.example.gov.cn/yjzj"
    ]
    listing = (out / "catalogue/policies/municipal/index.html").read_text(encoding="utf-8")
    assert f'<span class="kind-status">{status}</span>' in listing
    data = json.loads((out / "data/catalogue.json").read_text(encoding="utf-8"))
    (found,) = [r for r in data["records"] if r["index_no"] == "000000001/2026-00009"]
    assert found["kind"] == {
        "key": "consultation",
        "title": "意见征集",
        "status": status,
        "fields": {
            "opens": "2026-04-01",
            "closes": "2026-04-30",
            "email": "yjzj@example.gov.cn",
            "form": "https://www.example.gov.cn/yjzj",
        },
    }
    schema = json.loads((out / "data/schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    found["kind"]["fields"]["closes"] = "soon"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "consultation:\n  opens: 2026-04-01\n  closs: 2026-04-30\n",
            [
                f"{RECORD}:8:1: error[GS202]: a 意见征集 needs 'closes' (征集截止日期)\n"
                "  hint: add a line 'closes: …'",
                f"{RECORD}:10:3: error[GS201]: unknown field 'closs' of a 意见征集 (consultation)\n"
                "  hint: did you mean 'closes'?",
            ],
        ),
        (
            "proposal:\n  source: 人大建议\n  number: 第1号\n  handler: 市教育局\n",
            [
                f"{RECORD}:9:11: error[GS203]: 'proposal.source': '人大建议' is not one of: "
                "人大代表建议, 政协委员提案\n"
                "  hint: did you mean '人大代表建议'?"
            ],
        ),
        (
            "leader:\n  name: 张三\n  post: 市长\n  photo: files/zhang.jpg\n",
            [
                f"{RECORD}:11:10: error[GS202]: 'photo: files/zhang.jpg' needs 'photo_alt' (照片说明) too\n"
                "  hint: add a line 'photo_alt: …'"
            ],
        ),
        (
            "publicity:\n  starts: 2026-04-01\n",
            [
                f"{RECORD}:8:1: error[GS202]: a 公示公告 needs 'ends' (公示结束日期)\n"
                "  hint: add a line 'ends: …'"
            ],
        ),
        (
            "explainer:\n  format: 视频\n",
            [
                f"{RECORD}:9:11: error[GS202]: 'format: 视频' needs 'captions' (视频字幕) too\n"
                "  hint: add a line 'captions: …'"
            ],
        ),
        (
            "consultation:\n  opens: 2026-04-01\n  closes: 2026-04-30\n  form: javascript:alert(1)\n",
            [
                f"{RECORD}:11:9: error[GS203]: 'consultation.form': 'javascript:alert(1)' is not an "
                "http(s) address\n  hint: write the whole address, beginning with https://"
            ],
        ),
        (
            "consultation:\n  opens: 2026-04-01\n  closes: 2026-04-30\npublicity:\n  starts: 2026-04-01\n  ends: 2026-04-30\n",
            [
                f"{RECORD}:11:1: error[GS210]: a record is of one column kind, but this one has consultation and publicity\n"
                "  hint: keep the block of the kind this record is, and delete the other"
            ],
        ),
    ],
    ids=[
        "misspelt-and-missing",
        "enum",
        "photo-alt",
        "publicity-period",
        "captions",
        "link",
        "two-kinds",
    ],
)
def test_kind_fields_are_checked_where_they_are_written(
    make_site: MakeSite, block: str, expected: list[str]
) -> None:
    assert _problems(make_site({RECORD: _record(block)})) == expected


def test_kind_references_must_exist(make_site: MakeSite) -> None:
    block = (
        "consultation:\n  opens: 2026-04-01\n  closes: 2026-04-30\n  feedback: 000000001/2026-09999\n"
        "  address: 示例市人民大道1号\n"
    )
    problems = _problems(make_site({RECORD: _record(block)}))
    assert (
        len(problems) == 1
        and "error[GS304]" in problems[0]
        and "000000001/2026-09999" in problems[0]
    )


def test_a_site_defines_its_own_kind(make_site: MakeSite, tmp_path: Path) -> None:
    kinds = (
        "kinds:\n"
        "  procurement_intention:\n"
        "    title: 采购意向\n"
        "    fields:\n"
        "      budget: {title: 预算金额（万元）, required: true}\n"
        "      month: {title: 预计采购时间, type: enum, values: [一季度, 二季度, 三季度, 四季度]}\n"
    )
    root = make_site(
        {RECORD: _record("procurement_intention:\n  budget: '120'\n  month: 二季度\n")}
    )
    config = root / "govsite.yaml"
    config.write_text(config.read_text(encoding="utf-8") + kinds, encoding="utf-8")
    out = tmp_path / "out"
    pipeline.build(load_project(root, out), as_of=date(2026, 4, 15))
    page = (out / "records/policies/2026/consultation/index.html").read_text(encoding="utf-8")
    assert "<dt>预计采购时间</dt><dd>二季度</dd>" in page
    broken = (root / RECORD).read_text(encoding="utf-8").replace("month: 二季度", "mont: 二季度")
    (root / RECORD).write_text(broken, encoding="utf-8")
    assert "hint: did you mean 'month'?" in _problems(root)[0]


def test_a_site_kind_that_names_no_field_is_a_config_error(make_site: MakeSite) -> None:
    root = make_site()
    config = root / "govsite.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "kinds:\n  hearing:\n    title: 听证\n    fields:\n      day: {title: 日期, type: date}\n"
        "    period: [day, end]\n    period_labels: [未开始, 进行中, 已结束]\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildFailed) as failed:
        load_project(root)
    (problem,) = [d.format_text() for d in failed.value.diagnostics]
    assert "error[GS111]: column kind 'hearing': 'period' names its start and end" in problem


@pytest.mark.parametrize(
    ("as_of", "flagged"), [(date(2026, 5, 30), False), (date(2026, 5, 31), True)]
)
def test_a_closed_consultation_without_feedback_is_flagged(
    make_site: MakeSite, as_of: date, flagged: bool
) -> None:
    outcome = check_site(load_project(make_site({RECORD: _record(CONSULTATION)})), as_of)
    assert not isinstance(outcome, BuildFailed)
    found = [f.format_text() for f in outcome.findings if f.code == "GC409"]
    assert found == (
        [
            f"{RECORD}:8:1: warning[GC409]: the consultation closed on 2026-04-30 and has no "
            "采纳情况反馈 30 days later\n  hint: publish the feedback as a record and write its "
            "index number in 'feedback' under 'consultation'"
        ]
        if flagged
        else []
    )
