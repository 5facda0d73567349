"""Load and check `govsite.yaml`, the site's configuration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

from govsite import messages
from govsite.errors import BuildFailed, Report, SourceLocation
from govsite.indexno import DEFAULT_PATTERN, IndexNumberPattern, PatternError, compile_pattern
from govsite.messages import Text
from govsite.schema import read_object
from govsite.yamlload import LocatedYaml, load_yaml

CONFIG_FILE = "govsite.yaml"
CACHE_DIR = ".govsite-cache"
"""The build cache, at the site root (git-ignored): cache.py and uptodate.py."""

# First two digits of the administrative-division codes (GB/T 2260) a 网站标识码 starts with.
_PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicSecurityFiling:
    """公安机关备案: the filing number and the link to its record."""

    number: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyGovLogo:
    """党政机关标识: an image the site supplies (a path under content/) and the link it opens."""

    image: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """How citizens reach the host organisation."""

    phone: str | None = None
    email: str | None = None
    address: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """What every page of a Chinese government site must show in its footer."""

    site_id: str
    """网站标识码: 6-digit region code + 4-digit serial, or `bm` + 8 digits."""
    host: str
    """主办单位: the organisation that runs the site."""
    organizer: str | None = None
    """承办单位, when another body operates the site for the host."""
    icp: str | None = None
    """ICP备案号."""
    public_security: PublicSecurityFiling | None = None
    contact: Contact | None = None
    party_gov_logo: PartyGovLogo | None = None
    error_report_url: str | None = None
    """我为政府网站找错: the national report-an-error address for this site."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckConfig:
    """Thresholds of `govsite check` (the `check:` section); every rule is in docs/checks.md."""

    ignore: tuple[str, ...] = ()
    """Rule ids (GCnnn) silenced for the whole site."""
    home_max_age_days: int = 14
    """The home page's newest record may be at most this old (国办秘函〔2019〕19号: two weeks)."""
    update_window_days: int = 180
    """A category without its own `update_window_days` needs a new record this often."""
    veto_count: int = 5
    """This many stale (or empty) categories make a site-level error."""
    review_period_days: int = 1825
    """An `effective` record not updated for this long is due for review (规范性文件: five years)."""
    paragraph_max_chars: int = 500
    sentence_max_chars: int = 150
    interpretation_categories: tuple[str, ...] = ("policies",)
    """Category paths (and their children) whose records in force need an interpretation."""
    interpretation_grace_days: int = 7
    """How far an interpretation's publication may lie from its policy's (三同步)."""
    feedback_days: int = 30
    """A closed 意见征集 should name its 采纳情况反馈 record within this many days."""
    summary_categories: tuple[str, ...] = ("policies",)
    """Category paths (and their children) whose records need a 内容概述 (`summary`)."""


FieldType = Literal["text", "date", "enum", "list", "link", "record", "file"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """One field of a column kind: how it is labelled, typed and checked."""

    title: str
    """Its label in the record's metadata table, e.g. 征集截止日期."""
    type: FieldType = "text"
    """text; date (YYYY-MM-DD); enum (one of `values`); list (of texts); link (an http(s)
    address); record (the 索引号 of another record); file (a path under content/)."""
    required: bool = False
    values: tuple[str, ...] = ()
    """The choices of an enum."""
    requires: tuple[str, ...] = ()
    """Fields that must be written whenever this one is (a photo needs its alt text)."""
    requires_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For an enum: fields that one of its values needs (图解 needs a text alternative)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KindSpec:
    """A column kind (意见征集, 公示公告…): a record of it writes its fields under the kind's key."""

    title: str
    fields: Mapping[str, FieldSpec]
    period: tuple[str, ...] = ()
    """Two date fields, start and end: the record shows `period_labels` as of the build day."""
    period_labels: tuple[str, ...] = ()
    """Before, during and after the period, e.g. 未开始, 征集中, 已结束."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportKind:
    """Which records the annual report's 表二 counts as one kind of document."""

    genres: tuple[str, ...] = ()
    """文种 (`genre`) values of this kind."""
    categories: tuple[str, ...] = ()
    """Category paths (and their children) of this kind."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnualReportConfig:
    """`annual_report:`: how the 政府信息公开工作年度报告 counts documents, and when it is due."""

    regulations: ReportKind = field(default_factory=lambda: ReportKind(genres=("规章",)))
    """规章."""
    normative: ReportKind = field(
        default_factory=lambda: ReportKind(genres=("规范性文件", "行政规范性文件"))
    )
    """行政规范性文件."""
    category: str = "annual-reports"
    """The category the reports are filed under (`govsite check` looks there for the year's)."""
    due: str = "03-31"
    """Month and day the previous year's report is due: 03-31 for a government, 01-31 for a department (条例第四十九条)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentsConfig:
    """Files under content/ published as they are (the `attachments:` section)."""

    active_content: Literal["refuse", "warn"] | None = None
    """An SVG, HTML or XML file that can run script (activecontent.py): `refuse` stops the
    build with an error naming it, `warn` publishes it with a warning. Unset: refuse,
    unless `raw_html` is true (the site then takes responsibility for its HTML)."""

    def refuses(self, raw_html: bool) -> bool:
        return self.active_content == "refuse" or (self.active_content is None and not raw_html)


@dataclass(frozen=True, slots=True, kw_only=True)
class Signing:
    """Where the Ed25519 private key that signs the manifest comes from: never the site's folder."""

    key_file: str | None = None
    """A PEM file outside the site's folder (`~` is the user's home)."""
    key_env: str | None = None
    """The name of an environment variable holding the PEM text (a CI secret, say)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """The keys of govsite.yaml."""

    title: str
    identity: Identity
    base_url: str
    """Used only for absolute URLs (canonical links, feeds, sitemap); every page links relatively."""
    language: Literal["zh-CN", "en"] = "zh-CN"
    description: str | None = None
    theme: str = "default"
    page_size: int = 20
    """Rows per page of the disclosure-index listings."""
    latest_count: int = 10
    """Records shown as the newest on the home page and the index landing page."""
    index_no_pattern: str = DEFAULT_PATTERN
    raw_html: bool = False
    """Let raw HTML in Markdown through. Off by default: it is escaped."""
    attachments: AttachmentsConfig = field(default_factory=AttachmentsConfig)
    toc_min_headings: int = 3
    """Show a table of contents on documents with at least this many section headings."""
    suppress_warnings: tuple[str, ...] = ()
    check: CheckConfig = field(default_factory=CheckConfig)
    annual_report: AnnualReportConfig = field(default_factory=AnnualReportConfig)
    kinds: Mapping[str, KindSpec] = field(default_factory=dict)
    """The site's own column kinds, beside the built-in ones (kinds.py)."""
    health: bool = True
    """Write the content health report to `_health/` on every build."""
    subresource_integrity: bool = True
    """Give the theme's CSS and JS links `integrity` digests (browsers then refuse altered files;
    Chromium also refuses them on pages opened from disk, so turn it off for such a copy)."""
    signing: Signing | None = None
    """Sign the build's manifest of published files (docs/tamper-evidence.md)."""


@dataclass(frozen=True, slots=True)
class Project:
    """A site on disk: its root folder, its configuration and where its build goes."""

    root: Path
    config: SiteConfig
    index_no_pattern: IndexNumberPattern
    out_dir: Path
    config_location: SourceLocation = field(
        default_factory=lambda: SourceLocation(PurePosixPath(CONFIG_FILE))
    )

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def theme_dirs(self) -> tuple[Path, ...]:
        """Where themes are looked up: the site's own themes/ first."""
        return (self.root / "themes",)

    @property
    def templates_dir(self) -> Path:
        """A site's own template overrides, which win over every theme."""
        return self.root / "templates"

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR


def load_project(root: Path, out_dir: Path | None = None) -> Project:
    """Read `root/govsite.yaml`; BuildFailed lists every problem in it."""
    report = Report()
    location = SourceLocation(PurePosixPath(CONFIG_FILE), 1)
    path = root / CONFIG_FILE
    data = b""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        report.say(
            "error",
            messages.text("GS100", file=CONFIG_FILE, folder=str(root)),
            location.at(None),
            messages.text("GS100.hint"),
        )
        raise BuildFailed(report.diagnostics) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.say(
            "error",
            messages.text("GS101", byte=f"{data[exc.start]:02x}"),
            location.at(line, column),
            messages.text("GS101.hint"),
        )
        raise BuildFailed(report.diagnostics) from None
    doc = load_yaml(text, location, report)
    report.stop_if_errors()
    assert doc is not None
    config = read_object(doc, (), doc.value, SiteConfig, report)
    report.stop_if_errors()
    assert config is not None
    pattern = _check_config(doc, config, root, report)
    report.stop_if_errors()
    assert pattern is not None
    config = _normalized(config)
    return Project(root, config, pattern, out_dir or root / "build", location.at(None))


def _check_config(
    doc: LocatedYaml, config: SiteConfig, root: Path, report: Report
) -> IndexNumberPattern | None:
    """Checks beyond types; returns the compiled index-number pattern."""
    identity = config.identity
    site_id_problem = site_id_error(identity.site_id)
    if site_id_problem:
        where = doc.value_at(("identity", "site_id"))
        report.say("error", site_id_problem, where, messages.text("GS112.hint"))
    for path, url in _config_urls(config):
        if not _is_web_url(url):
            hint = messages.text("GS111.url.hint")
            report.say("error", messages.text("GS111.url", url=url), doc.value_at(path), hint)
    if config.page_size < 1 or config.latest_count < 1:
        key = "page_size" if config.page_size < 1 else "latest_count"
        message = messages.text("GS111.at-least-1", key=key)
        report.say("error", message, doc.value_at((key,)), messages.text("GS111.at-least-1.hint"))
    for key, kind in config.kinds.items():
        for problem in _kind_problems(key, kind):
            hint = messages.text("GS111.kind.hint")
            report.say("error", problem, doc.value_at(("kinds", key)), hint)
    if not _is_month_day(config.annual_report.due):
        message = messages.text("GS111.due", due=config.annual_report.due)
        where = doc.value_at(("annual_report", "due"))
        report.say("error", message, where, messages.text("GS111.due.hint"))
    logo = identity.party_gov_logo
    if logo and not (root / "content" / logo.image).is_file():
        report.say(
            "error",
            messages.text("GS306.logo", file=logo.image),
            doc.value_at(("identity", "party_gov_logo", "image")),
            messages.text("GS306.logo.hint"),
        )
    try:
        return compile_pattern(config.index_no_pattern)
    except PatternError as exc:
        hint = messages.text("GS111.pattern.hint")
        report.say("error", exc.text, doc.value_at(("index_no_pattern",)), hint)
        return None


def site_id_error(site_id: str) -> Text | None:
    """Why `site_id` is not a valid 网站标识码, or None."""
    if re.fullmatch(r"bm\d{8}", site_id):
        return None
    if not re.fullmatch(r"\d{10}", site_id):
        return messages.text("GS112.length", site_id=site_id)
    if site_id[:2] not in _PROVINCE_CODES:
        return messages.text("GS112.province", site_id=site_id)
    return None


def _config_urls(config: SiteConfig) -> list[tuple[tuple[str, ...], str]]:
    identity = config.identity
    urls: list[tuple[tuple[str, ...], str]] = [(("base_url",), config.base_url)]
    if identity.public_security:
        urls.append((("identity", "public_security", "url"), identity.public_security.url))
    if identity.party_gov_logo:
        urls.append((("identity", "party_gov_logo", "url"), identity.party_gov_logo.url))
    if identity.error_report_url:
        urls.append((("identity", "error_report_url"), identity.error_report_url))
    return urls


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _normalized(config: SiteConfig) -> SiteConfig:
    return replace(config, base_url=config.base_url.rstrip("/") + "/")


def _is_month_day(text: str) -> bool:
    try:
        date.fromisoformat(f"2000-{text}")  # a leap year: 02-29 is a day
    except ValueError:
        return False
    return len(text) == 5


def _kind_problems(key: str, kind: KindSpec) -> list[Text]:
    """What makes a site's own column kind unusable: names that point nowhere, an enum without values."""
    problems = []
    if kind.period:
        dates = [
            name for name in kind.period if name in kind.fields and kind.fields[name].type == "date"
        ]
        if len(kind.period) != 2 or len(dates) != 2:
            problems.append(messages.text("GS111.kind.period", kind=key))
        if len(kind.period_labels) != 3:
            problems.append(messages.text("GS111.kind.period-labels", kind=key))
    for name, spec in kind.fields.items():
        if spec.type == "enum" and not spec.values:
            problems.append(messages.text("GS111.kind.enum", kind=key, field=name))
        for needed in (
            *spec.requires,
            *(n for names in spec.requires_when.values() for n in names),
        ):
            if needed not in kind.fields:
                message = messages.text("GS111.kind.requires", kind=key, field=name, needed=needed)
                problems.append(message)
        for value in spec.requires_when:
            if value not in spec.values:
                message = messages.text("GS111.kind.when", kind=key, field=name, value=value)
                problems.append(message)
    return problems
