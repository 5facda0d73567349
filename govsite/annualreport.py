"""Stage 3b: the annual report (政府信息公开工作年度报告) in the fixed format of
国办公开办函〔2021〕30号.

A report is a record whose front matter names a statistics file (`statistics:`, a YAML
file beside it). Its narrative is the record's Markdown, under the six official
headings; its tables come from data:

- 表二 (第二十条): 规章 and 行政规范性文件 issued, repealed and in force are *computed*
  from the site's records for the report year and the report's issuing bodies (which
  文种 or category counts as which is configured under `annual_report:`); the decision
  counts and the fee total are read from the statistics file;
- 表三 (applications) and 表四 (reviews and lawsuits) are read from the statistics file,
  and their arithmetic is checked: every wrong figure is an error at its line, naming
  the rule and the figure it should be.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePosixPath
from types import MappingProxyType

from markupsafe import Markup

from govsite.config import ReportKind
from govsite.discover import StaticFile
from govsite.errors import Report, SourceLocation, suggest
from govsite.messages import Text, text
from govsite.model import AnnualReport, Body, Record, ReportRow, Site
from govsite.yamlload import KeyPath, LocatedYaml, load_yaml

_Problem = tuple[KeyPath, Text, Text]
"""Where in a statistics file, what is wrong there, and how to fix it."""

SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
"""The report's sections, in the official order; tables 二, 三 and 四 end their sections."""

APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
APPEAL_GROUPS = ("review", "litigation_direct", "litigation_after_review")
APPEAL_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
DECISIONS = ("licensing", "punishment", "enforcement")


@dataclass(frozen=True, slots=True)
class _Row:
    """A row of 表三: its key path under `applications`, its official label, and the rows it sums."""

    key: tuple[str, ...]
    label: str
    depth: int
    parts: tuple[tuple[str, ...], ...] = ()


def _group(key: str, label: str, members: Sequence[tuple[str, str]]) -> list[_Row]:
    """A result with kinds: as in the official table, the kinds carry the figures, not the result."""
    rows = [_Row((), label, 1)]
    rows += [_Row((key, member), f"{n}.{text}", 2) for n, (member, text) in enumerate(members, 1)]
    return rows


_RESULTS: list[_Row] = [
    _Row(("disclosed",), "（一）予以公开", 1),
    _Row(("partly_disclosed",), "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1),
    *_group(
        "withheld",
        "（三）不予公开",
        [
            ("state_secret", "属于国家秘密"),
            ("prohibited", "其他法律行政法规禁止公开"),
            ("security", "危及“三安全一稳定”"),
            ("third_party", "保护第三方合法权益"),
            ("internal", "属于三类内部事务信息"),
            ("process", "属于四类过程性信息"),
            ("enforcement_files", "属于行政执法案卷"),
            ("inquiry", "属于行政查询事项"),
        ],
    ),
    *_group(
        "unavailable",
        "（四）无法提供",
        [
            ("not_held", "本机关不掌握相关政府信息"),
            ("needs_creation", "没有现成信息需要另行制作"),
            ("unclear", "补正后申请内容仍不明确"),
        ],
    ),
    *_group(
        "not_processed",
        "（五）不予处理",
        [
            ("petition", "信访举报投诉类申请"),
            ("repeated", "重复申请"),
            ("publication", "要求提供公开出版物"),
            ("excessive", "无正当理由大量反复申请"),
            ("confirmation", "要求行政机关确认或重新出具已获取信息"),
        ],
    ),
    *_group(
        "other",
        "（六）其他处理",
        [
            ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("other", "其他"),
        ],
    ),
]
_TABLE_3: tuple[_Row, ...] = (
    _Row(("new",), "一、本年新收政府信息公开申请数量", 0),
    _Row(("carried_over",), "二、上年结转政府信息公开申请数量", 0),
    _Row((), "三、本年度办理结果", 0),
    *_RESULTS,
    _Row(("total",), "（七）总计", 1, tuple(r.key for r in _RESULTS if r.key)),
    _Row(("carried_forward",), "四、结转下年度继续办理", 0),
)
_APPLICATION_KEYS = {r.key[0] for r in _TABLE_3 if r.key}
_GROUP_MEMBERS = {
    group: [r.key[1] for r in _TABLE_3 if len(r.key) == 2 and r.key[0] == group]
    for group in {r.key[0] for r in _TABLE_3 if len(r.key) == 2}
}
"""The kinds of each result that has kinds (withheld: state_secret, prohibited…)."""
_TOP_KEYS = ("year", "decisions", "fees", "applications", "appeals")


def attach_annual_reports(
    site: Site, files: Mapping[PurePosixPath, StaticFile], report: Report
) -> Site:
    """The site with each report record's tables read, computed and checked."""
    replaced: dict[str, Record] = {}
    for record in site.records:
        statistics = record.statistics
        if statistics is None:
            continue
        found = _read_statistics(record, statistics, files, report)
        _check_sections(record, report)
        if found is not None:
            replaced[record.index_no] = replace(
                record, annual_report=_annual_report(site, record, *found)
            )
    if not replaced:
        return site
    records = tuple(replaced.get(r.index_no, r) for r in site.records)
    by_number = MappingProxyType({r.index_no: r for r in records})
    return replace(site, records=records, records_by_index_no=by_number)


def _read_statistics(
    record: Record, statistics: str, files: Mapping[PurePosixPath, StaticFile], report: Report
) -> tuple[LocatedYaml, str] | None:
    content_path = record.source.path.relative_to("content")
    path = PurePosixPath(posixpath.normpath(content_path.parent / statistics))
    file = files.get(path)
    if file is None:
        message = text("GS601.no-file", file=str(path))
        report.say("error", message, record.source.at(1), text("GS601.no-file.hint"))
        return None
    location = SourceLocation(PurePosixPath("content") / path, 1)
    doc = load_yaml(file.source.read_text(encoding="utf-8-sig"), location, report)
    if doc is None or not _well_formed(doc, report):
        return None
    _check_arithmetic(doc, report)
    return doc, str(path)


def _well_formed(doc: LocatedYaml, report: Report) -> bool:
    """Every key known, every figure a whole number ≥ 0 (fees: a number ≥ 0), every row complete."""
    data = doc.value
    if not isinstance(data, dict):
        report.say("error", text("GS601.mapping"), doc.value_at(()), text("GS601.shape.hint"))
        return False
    problems = list(_shape_problems(data))
    for path, message, hint in problems:
        report.say("error", message, doc.value_at(path), hint)
    return not problems


def _shape_problems(data: dict[str, object]) -> Iterator[_Problem]:
    yield from _unknown_keys((), data, _TOP_KEYS)
    for key in _TOP_KEYS:
        if key not in data:
            yield (), text("GS601.missing", key=key), text("GS601.missing.hint", key=key)
    # A missing key is named once, above; these are about a value that is there.
    if "year" in data and not isinstance(data["year"], int):
        yield ("year",), text("GS601.year"), text("GS601.year.hint")
    fees = data.get("fees")
    if "fees" in data and (not isinstance(fees, int | float) or isinstance(fees, bool) or fees < 0):
        yield ("fees",), text("GS601.fees"), text("GS601.fees.hint")
    decisions = data.get("decisions")
    if isinstance(decisions, dict):
        yield from _unknown_keys(("decisions",), decisions, DECISIONS)
        for key in DECISIONS:
            yield from _figures(("decisions", key), decisions.get(key), 1)
    elif "decisions" in data:
        message = text("GS601.decisions", keys=", ".join(DECISIONS))
        yield ("decisions",), message, text("GS601.shape.hint")
    if "applications" in data:
        yield from _application_problems(data["applications"])
    appeals = data.get("appeals")
    if isinstance(appeals, dict):
        yield from _unknown_keys(("appeals",), appeals, APPEAL_GROUPS)
        for key in APPEAL_GROUPS:
            yield from _figures(("appeals", key), appeals.get(key), len(APPEAL_RESULTS))
    elif "appeals" in data:
        message = text("GS601.appeals", keys=", ".join(APPEAL_GROUPS))
        yield ("appeals",), message, text("GS601.shape.hint")


def _application_problems(applications: object) -> Iterator[_Problem]:
    if not isinstance(applications, dict):
        yield ("applications",), text("GS601.applications"), text("GS601.shape.hint")
        return
    yield from _unknown_keys(("applications",), applications, sorted(_APPLICATION_KEYS))
    for group, members in _GROUP_MEMBERS.items():
        if isinstance(found := applications.get(group), dict):
            yield from _unknown_keys(("applications", group), found, members)
    for row in _TABLE_3:
        if row.key:
            figures = _value_at(applications, row.key)
            yield from _figures(("applications", *row.key), figures, len(APPLICANTS))


def _value_at(mapping: object, key: tuple[str, ...]) -> object:
    """The value at `key` in nested mappings; None where a part is missing."""
    for part in key:
        mapping = mapping.get(part) if isinstance(mapping, dict) else None
    return mapping


def _unknown_keys(
    path: KeyPath, mapping: dict[str, object], known: Sequence[str]
) -> Iterator[_Problem]:
    for key in mapping:
        if key not in known:
            hint = suggest(key, known) or text("GS601.unknown-key.hint", known=", ".join(known))
            yield (*path, key), text("GS601.unknown-key", key=key), hint


def _figures(path: KeyPath, value: object, count: int) -> Iterator[_Problem]:
    name = ".".join(str(p) for p in path)
    if count == 1:
        if not _is_count(value):
            yield path, text("GS601.count", name=name), text("GS601.count.hint")
        return
    if not isinstance(value, list) or len(value) != count:
        columns = "、".join(APPLICANTS if count == len(APPLICANTS) else APPEAL_RESULTS)
        message = text("GS601.row", name=name, count=count)
        yield path, message, text("GS601.row.hint", columns=columns)
        return
    for index, figure in enumerate(value):
        if not _is_count(figure):
            message = text("GS601.figure", name=name, figure=repr(figure))
            yield (*path, index), message, text("GS601.count.hint")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_arithmetic(doc: LocatedYaml, report: Report) -> None:
    """Each wrong figure is reported at its own line with the rule and the expected value."""
    data = doc.value
    assert isinstance(data, dict)
    rows = data["applications"]

    def row(key: tuple[str, ...]) -> list[int]:
        figures = _value_at(rows, key)
        assert isinstance(figures, list)  # _well_formed saw every row
        return figures

    def expect(path: KeyPath, found: int, expected: int, rule: str) -> None:
        if found != expected:
            message = text("GS602", rule=rule, found=found, expected=expected)
            report.say("error", message, doc.value_at(path), text("GS602.hint"))

    # Each row's 总计 is checked against its own applicants; the sums across rows run over the
    # applicants' columns only, so one wrong figure is one error, at that figure.
    applicant_columns = range(len(APPLICANTS) - 1)
    for spec in _TABLE_3:
        if not spec.key:
            continue
        figures = row(spec.key)
        where = ("applications", *spec.key)
        expect(
            (*where, 6), figures[6], sum(figures[:6]), f"表三 {spec.label}: 总计 = 各类申请人之和"
        )
        for column in applicant_columns if spec.parts else ():
            expect(
                (*where, column),
                figures[column],
                sum(row(part)[column] for part in spec.parts),
                f"表三 {spec.label}（{APPLICANTS[column]}）: = （一）至（六）各项之和",
            )
    for column in applicant_columns:
        received = row(("new",))[column] + row(("carried_over",))[column]
        expect(
            ("applications", "carried_forward", column),
            row(("carried_forward",))[column],
            received - row(("total",))[column],
            f"表三（{APPLICANTS[column]}）: 本年新收 + 上年结转 = 办理结果总计 + 结转下年度",
        )
    for group in APPEAL_GROUPS:
        figures = data["appeals"][group]
        expect(
            ("appeals", group, 4),
            figures[4],
            sum(figures[:4]),
            f"表四 {group}: 总计 = 四项结果之和",
        )


def _check_sections(record: Record, report: Report) -> None:
    """The six official headings, as section headings (##), in order."""
    titles = [h.text.strip() for h in record.body.headings if h.level == 2]
    found = [t for t in titles if t in SECTIONS]
    if found != list(SECTIONS):
        missing = [s for s in SECTIONS if s not in titles]
        if missing:
            message = text("GS603.missing", missing="、".join(missing))
        else:
            message = text("GS603.order", sections=" → ".join(SECTIONS))
        report.say("error", message, record.source, text("GS603.hint"))


def _annual_report(site: Site, record: Record, doc: LocatedYaml, path: str) -> AnnualReport:
    data = doc.value
    assert isinstance(data, dict)
    year = int(data["year"])
    config = site.config.annual_report
    bodies = set(record.agencies)
    issued = [r for r in site.records if bodies & set(r.agencies) and r is not record]
    # A 规章 is never also counted as a 行政规范性文件, whatever its category says.
    regulations = [r for r in issued if _counts_as(r, config.regulations)]
    normative = [
        r
        for r in issued
        if _counts_as(r, config.normative) and not _counts_as(r, config.regulations)
    ]
    rows = tuple(
        ReportRow(spec.label, spec.depth, tuple(_figures_of(data["applications"], spec.key)))
        for spec in _TABLE_3
    )
    appeals = tuple(f for group in APPEAL_GROUPS for f in data["appeals"][group])
    return AnnualReport(
        year=year,
        regulations=_issued_counts(site, regulations, year),
        normative=_issued_counts(site, normative, year),
        decisions=tuple(int(data["decisions"][k]) for k in DECISIONS),
        fees=float(data["fees"]),
        applications=rows,
        appeals=appeals,
        statistics_file=path,
    )


def _figures_of(applications: object, key: tuple[str, ...]) -> list[int]:
    figures = _value_at(applications, key) if key else []
    return list(figures) if isinstance(figures, list) else []


def _counts_as(record: Record, kind: ReportKind) -> bool:
    return record.genre in kind.genres or any(
        record.category == c or record.category.startswith(c + "/") for c in kind.categories
    )


def _issued_counts(site: Site, records: Sequence[Record], year: int) -> tuple[int, int, int]:
    """本年制发件数, 本年废止件数, 现行有效件数 (in force on 31 December)."""
    year_end = date(year, 12, 31)
    issued = sum(1 for r in records if r.published.year == year)
    ended = [(r, ended_on(site, r)) for r in records]
    repealed = sum(1 for _, end in ended if end is not None and end.year == year)
    in_force = sum(
        1
        for r, end in ended
        if r.published <= year_end
        and (r.effective is None or r.effective <= year_end)
        and (end > year_end if end is not None else r.in_force)
    )
    return issued, repealed, in_force


def ended_on(site: Site, record: Record) -> date | None:
    """The day a record stops being in force: its `expires` date; else, once it is no longer
    in force, the day its successor took effect (or was published); None when nothing tells."""
    if record.expires is not None:
        return record.expires
    successor = site.records_by_index_no.get(record.superseded_by or "")
    if successor is None or record.in_force:
        return None
    return successor.effective or successor.published


def with_report_tables(body: Body, tables: Mapping[str, str]) -> Markup:
    """The body's HTML with each section's table at the end of that section.

    `tables` maps a section title of SECTIONS to the table's HTML; each is put before the
    heading of the section that follows (or at the end of the body)."""
    html = body.html
    sections = [h for h in body.headings if h.level == 2]
    for heading, following in zip(sections, [*sections[1:], None], strict=True):
        found = tables.get(heading.text.strip())
        if found is None:
            continue
        table = str(found)  # as text: str + Markup would escape the body
        marker = f'<h2 id="{following.anchor}">' if following is not None else None
        at = html.find(marker) if marker is not None else -1
        html = html + table if at < 0 else html[:at] + table + "\n" + html[at:]
    return Markup(html)


def statistics_skeleton(year: int) -> str:
    """A statistics file with every key of the official tables, each figure 0, commented in Chinese."""
    zeros = ", ".join(["0"] * len(APPLICANTS))
    lines = [
        f"# {year}年政府信息公开工作年度报告的统计数据（国办公开办函〔2021〕30号格式）",
        f"year: {year}",
        "decisions:  # 表二：本年处理决定数量",
        "  licensing: 0  # 行政许可",
        "  punishment: 0  # 行政处罚",
        "  enforcement: 0  # 行政强制",
        "fees: 0  # 行政事业性收费：本年收费金额（万元）",
        f"# 表三：每行七个数 [{', '.join(APPLICANTS)}]",
        "applications:",
    ]
    heading = ""
    for row in _TABLE_3:
        if not row.key:
            heading = row.label
            continue
        if len(row.key) == 2 and row is next(r for r in _TABLE_3 if r.key[:1] == row.key[:1]):
            lines.append(f"  {row.key[0]}:  # {heading}")
        indent = "    " if len(row.key) == 2 else "  "
        lines.append(f"{indent}{row.key[-1]}: [{zeros}]  # {row.label}")
    lines.append(f"# 表四：每行五个数 [{', '.join(APPEAL_RESULTS)}]")
    lines.append("appeals:")
    names = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
    for key, name in zip(APPEAL_GROUPS, names, strict=True):
        lines.append(f"  {key}: [0, 0, 0, 0, 0]  # {name}")
    return "\n".join(lines) + "\n"
