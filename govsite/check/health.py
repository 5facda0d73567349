"""The content health report: `_health/index.html` and `_health/report.json`, for the
people who run the site (noindexed and linked from no public page)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from json.encoder import encode_basestring

import jinja2

from govsite.check.formats import finding_json
from govsite.check.inspect import CheckResult
from govsite.check.timeliness import ColumnStatus, column_statuses
from govsite.errors import Diagnostic
from govsite.messages import Language
from govsite.model import Site
from govsite.plan import Link, PlannedPage
from govsite.reads import PageReads, noting_reads
from govsite.render import OutputFile, make_environment
from govsite.theme import Theme
from govsite.urls import absolute_url

HEALTH_URL = "_health/"
HEALTH_PAGE = HEALTH_URL + "index.html"
MONTHS_SHOWN = 12
ROWS_PER_RULE = 100
"""The findings of one rule the report's page lists (report.json has them all): a site
with a rule broken in every record made a page of tens of thousands of rows, too long
to read or to open on a phone, and a few tenths of a second of every build after an edit."""
# Chart geometry (SVG user units); colours are presentation attributes, which the
# Content-Security-Policy allows where it forbids `style`.
CHART_HEIGHT = 160
BAR_WIDTH = 40
BAR_GAP = 12
PALETTE = (
    "#1f5fa8",
    "#b8432f",
    "#2e7d4f",
    "#8a5a00",
    "#6b3fa0",
    "#00737a",
    "#a0306b",
    "#4d5b6a",
    "#c26d00",
    "#5b8c00",
    "#3b3f9e",
    "#d06a9c",
)


@dataclass(frozen=True, slots=True)
class Segment:
    series: int
    y: int
    height: int
    count: int


@dataclass(frozen=True, slots=True)
class MonthColumn:
    month: str
    """`YYYY-MM`."""
    counts: tuple[int, ...]
    """Records published that month, per top-level category."""
    x: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class RuleCount:
    code: str
    errors: int
    warnings: int


@dataclass(frozen=True, slots=True)
class HealthView:
    """What health.html shows."""

    as_of: date
    result: CheckResult
    columns: tuple[ColumnStatus, ...]
    series: tuple[str, ...]
    """Titles of the top-level categories, in catalogue order."""
    months: tuple[MonthColumn, ...]
    rules: tuple[RuleCount, ...] = ()
    """How many findings each rule has, by code."""
    listed: tuple[Diagnostic, ...] = ()
    """The findings the page lists: the first ROWS_PER_RULE of each rule, in place order."""
    palette: tuple[str, ...] = PALETTE
    chart_height: int = CHART_HEIGHT
    bar_width: int = BAR_WIDTH

    @property
    def chart_width(self) -> int:
        return len(self.months) * (BAR_WIDTH + BAR_GAP) + BAR_GAP

    @property
    def rows_per_rule(self) -> int:
        return ROWS_PER_RULE

    @property
    def errors(self) -> int:
        return self.result.count("error")

    @property
    def warnings(self) -> int:
        return self.result.count("warning")


@dataclass(frozen=True, slots=True)
class Shown:
    """Everything the health report shows but the theme: two builds of one theme with
    equal `Shown` write the same report (the engine's update keeps it then)."""

    as_of: date
    findings: tuple[Diagnostic, ...]
    external_links: tuple[str, ...]
    columns: tuple[ColumnStatus, ...]
    series: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    """Records published in each of the last months, per top-level category."""
    findings_json: str | None = field(default=None, compare=False)
    """`findings` as report.json lists them, once a report is rendered: the next report
    with the same findings takes them from here (wording and writing out 13,000 findings
    took a tenth of a second of every build after an edit that moved a record)."""


def shown(site: Site, result: CheckResult) -> Shown:
    as_of = result.inspection.as_of
    roots = site.categories.roots
    counts: Counter[tuple[str, int]] = Counter()
    index_of_root = {node.key: i for i, node in enumerate(roots)}
    for record in site.records:
        root_key = record.category.split("/", 1)[0]
        counts[(record.published.strftime("%Y-%m"), index_of_root.get(root_key, 0))] += 1
    months = _last_months(as_of, MONTHS_SHOWN)
    return Shown(
        as_of=as_of,
        findings=result.findings,
        external_links=tuple(sorted(result.external_links)),
        columns=tuple(column_statuses(result.inspection)),
        series=tuple(node.title for node in roots),
        counts=tuple(tuple(counts[(m, i)] for i in range(len(roots))) for m in months),
    )


@dataclass(frozen=True, slots=True)
class RenderedHealth:
    files: tuple[OutputFile, ...]
    reads: PageReads | None
    """What the page's template read of the site beyond `Shown` (reads.py); None: anything."""
    shown: Shown
    """What it shows, with the findings as report.json lists them."""


def render_health(
    site: Site, theme: Theme, result: CheckResult, what: Shown, kept: Shown | None = None
) -> RenderedHealth:
    """The report page (if the theme has a health.html) and its JSON twin, showing `what`;
    the findings of report.json are `kept`'s if it showed the same."""
    if kept is not None and kept.findings_json is not None and kept.findings == what.findings:
        listed = kept.findings_json  # worded in the site's language, which an update keeps
    else:
        listed = findings_json(what.findings, _language(site))
    what = replace(what, findings_json=listed)
    view = health_view(site, result, what)
    json_file = OutputFile(HEALTH_URL + "report.json", report_json(view, listed).encode("utf-8"))
    environment = make_environment(site, theme)
    try:
        template = environment.get_template("health.html")
    except jinja2.TemplateNotFound:
        return RenderedHealth((json_file,), PageReads((), ()), what)
    labels = theme.labels
    page = PlannedPage(
        url=HEALTH_URL,
        template="health.html",
        title=labels["health_title"],
        breadcrumbs=(Link(labels["home"], ""),),
        description=labels["health_description"],
    )
    canonical = absolute_url(site.config.base_url, HEALTH_URL)
    with noting_reads() as reads:
        html = template.render(page=page, canonical=canonical, health=view)
    return RenderedHealth(
        (OutputFile(page.output_path, html.encode("utf-8")), json_file),
        PageReads.of(reads) if reads.cacheable else None,
        what,
    )


def health_view(site: Site, result: CheckResult, what: Shown) -> HealthView:
    months = _last_months(what.as_of, MONTHS_SHOWN)
    tallest = max((sum(c) for c in what.counts), default=0) or 1
    rules, listed = _by_rule(result.findings)
    language = _language(site)
    return HealthView(
        as_of=what.as_of,
        result=result,
        columns=what.columns,
        series=what.series,
        months=tuple(
            _month_column(month, month_counts, i, tallest)
            for i, (month, month_counts) in enumerate(zip(months, what.counts, strict=True))
        ),
        rules=rules,
        listed=tuple(_worded(finding, language) for finding in listed),
    )


def _by_rule(
    findings: tuple[Diagnostic, ...],
) -> tuple[tuple[RuleCount, ...], tuple[Diagnostic, ...]]:
    """Each rule's errors and warnings, and the findings listed: the first ROWS_PER_RULE of each rule."""
    counts: Counter[tuple[str, str]] = Counter()
    listed = []
    for finding in findings:
        counts[(finding.code, finding.severity)] += 1
        if counts[(finding.code, "error")] + counts[(finding.code, "warning")] <= ROWS_PER_RULE:
            listed.append(finding)
    codes = sorted({code for code, _ in counts})
    rules = tuple(RuleCount(c, counts[(c, "error")], counts[(c, "warning")]) for c in codes)
    return rules, tuple(listed)


def _language(site: Site) -> Language:
    """The language the report words its findings in: the site's (not the locale's: the
    report is part of the site, the same wherever it is built)."""
    return "zh" if site.config.language.startswith("zh") else "en"


def _worded(finding: Diagnostic, language: Language) -> Diagnostic:
    return Diagnostic(
        finding.severity,
        finding.code,
        finding.message_in(language),
        finding.location,
        finding.hint_in(language),
    )


def _last_months(as_of: date, count: int) -> list[str]:
    months = []
    year, month = as_of.year, as_of.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def _month_column(month: str, counts: tuple[int, ...], index: int, tallest: int) -> MonthColumn:
    """A stacked bar: one segment per category with records that month, bottom up."""
    segments = []
    top = CHART_HEIGHT
    for series, count in enumerate(counts):
        if count:
            height = max(1, round(count * CHART_HEIGHT / tallest))
            top -= height
            segments.append(Segment(series, top, height, count))
    return MonthColumn(month, counts, BAR_GAP + index * (BAR_WIDTH + BAR_GAP), tuple(segments))


def report_json(view: HealthView, findings: str) -> str:
    """report.json, with `findings` as `findings_json` writes them."""
    result = view.result
    document = {
        "as_of": view.as_of.isoformat(),
        "summary": {"errors": view.errors, "warnings": view.warnings},
        "findings": _FINDINGS_HERE,
        "categories": [
            {
                "path": c.node.path,
                "title": c.node.title,
                "records": c.count,
                "newest": c.newest.isoformat() if c.newest else None,
                "update_window_days": c.window_days,
                "stale": c.is_stale(view.as_of),
            }
            for c in view.columns
        ],
        "published_per_month": {
            "categories": list(view.series),
            "months": {m.month: list(m.counts) for m in view.months},
        },
        "external_links": sorted(result.external_links),
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return text.replace(
        encode_basestring(_FINDINGS_HERE), f"[\n{findings}\n  ]" if findings else "[]", 1
    )


_FINDINGS_HERE = "\x00findings\x00"
"""Where the findings go in the report's JSON: json.dumps indents in Python, not in C
(13,000 findings took a tenth of a second), so each finding is written out as it would
indent it, in the same bytes."""


def findings_json(findings: tuple[Diagnostic, ...], language: Language) -> str:
    """`findings`, worded in `language`, as json.dumps(indent=2) writes them two levels
    deep in report.json, with the keys `govsite check --format json` gives them
    (formats.finding_json)."""
    return ",\n".join(_finding_json(finding, language) for finding in findings)


def _finding_json(finding: Diagnostic, language: Language) -> str:
    fields = ",\n".join(
        f"      {encode_basestring(key)}: {_scalar(value)}"
        for key, value in finding_json(finding, language).items()
    )
    return f"    {{\n{fields}\n    }}"


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    return "null" if value is None else str(value)
