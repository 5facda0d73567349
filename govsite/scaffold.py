"""Scaffolding: a new site (`govsite init`) and new documents with every field (`govsite new`)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import yaml

from govsite import clock
from govsite.annualreport import SECTIONS, statistics_skeleton
from govsite.catalogue import Catalogues, load_catalogues
from govsite.config import Project
from govsite.discover import discover
from govsite.document import SLUG_PATTERN
from govsite.errors import Report, ScaffoldError, SourceLocation, printable, suggest
from govsite.frontmatter import FrontMatterError, split_front_matter
from govsite.messages import Text, text
from govsite.model import Agency
from govsite.yamlload import load_yaml

SKELETON = Path(__file__).resolve().parent / "skeleton"
DOCUMENT_KINDS = ("record", "interpretation", "page")
INTERPRETATIONS_CATEGORY = "interpretations"
_NOWHERE = SourceLocation(PurePosixPath("content"), 1)
SKELETON_YEAR = "2026"
"""The year the sample records are written for; `init` moves them to the current year."""
_DATE_LINE = re.compile(r"^(written|published): .*$", re.MULTILINE)
FIRST_REPORT_YEAR = 2008
"""The 条例 took effect on 1 May 2008: the first annual report covers 2008."""
_Found = TypeVar("_Found")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewDocument:
    kind: str
    title: str
    category: str | None = None
    agency: str | None = None
    interprets: tuple[str, ...] = ()
    slug: str | None = None


def create_site(directory: Path, today: date | None = None) -> list[Path]:
    """Copy the sample site into `directory`, which must not exist or be empty.

    The sample records are published `today` (their 索引号, folders and titles in its
    year), so the new site passes `govsite build --strict`, whose timeliness rules
    want a recent record on the home page.
    """
    if directory.exists() and not directory.is_dir():
        raise ScaffoldError(text("init.not-a-folder", folder=str(directory)), text("init.hint"))
    if directory.exists() and any(directory.iterdir()):
        raise ScaffoldError(text("init.not-empty", folder=str(directory)), text("init.hint"))
    today = today or clock.today()
    shutil.copytree(SKELETON, directory, dirs_exist_ok=True)
    for record in sorted((directory / "content" / "records").rglob("*.md")):
        _date_sample(directory, record, today)
    return sorted(p for p in directory.rglob("*") if p.is_file())


def _date_sample(site: Path, record: Path, today: date) -> None:
    """Move a sample record to `today`: its dates, and its year wherever it is written."""
    year = str(today.year)
    text = record.read_text(encoding="utf-8").replace(SKELETON_YEAR, year)
    text = _DATE_LINE.sub(lambda m: f"{m.group(1)}: {today.isoformat()}", text)
    relative = record.relative_to(site).as_posix().replace(f"/{SKELETON_YEAR}/", f"/{year}/")
    record.unlink()
    target = site / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if not any(record.parent.iterdir()):
        record.parent.rmdir()


def create_document(project: Project, request: NewDocument, today: date | None = None) -> Path:
    """Write the new document's file and return its path."""
    today = today or clock.today()
    if not request.title.strip():
        raise ScaffoldError(text("new.no-title"), text("new.no-title.hint"), "--title")
    if request.slug is not None:
        _check_slug(request.slug)
    if request.kind == "page":
        slug = request.slug or _slug_from(request.title) or f"page-{today:%Y%m%d}"
        path = project.content_dir / "pages" / f"{slug}.md"
        return _write_new(project, path, _page_text(request.title))
    report = Report()
    sources = discover(project.root, report)
    catalogues = load_catalogues(sources.catalogues, report)
    agency = _agency(catalogues, request.agency)
    category = _category(
        catalogues,
        request.category
        or (INTERPRETATIONS_CATEGORY if request.kind == "interpretation" else None),
    )
    front_matters = _front_matters([s.text for s in sources.documents])
    if request.kind == "interpretation" and not request.interprets:
        newest = _newest(_used_index_numbers(front_matters) - _interpretations(front_matters))
        raise ScaffoldError(text("new.no-interprets"), newest, "--interprets")
    used = _used_index_numbers(front_matters)
    # An interpretation explains a record that is not itself one: only those are suggested.
    _check_interprets(request.interprets, used - _interpretations(front_matters))
    serial = next_serial(project, used, agency.code, today)
    index_no = project.index_no_pattern.format(
        agency_code=agency.code, year=today.year, month=today.month, serial=serial
    )
    name = request.slug or f"{agency.key}-{today.year}-{serial:05d}"
    path = project.content_dir / "records" / category.split("/")[0] / str(today.year) / f"{name}.md"
    return _write_new(project, path, _record_text(request, index_no, agency.key, category, today))


def _agency(catalogues: Catalogues, wanted: str | None) -> Agency:
    """The agency `--agency` names by its key or its title (the first one if not given)."""
    agencies = catalogues.agencies
    if not agencies:
        raise ScaffoldError(text("new.no-agencies"), text("new.no-agencies.hint"), "--agency")
    if wanted is None:
        return next(iter(agencies.values()))
    titles = {a.title: a for a in agencies.values()}
    known = ", ".join(f"'{a.key}'（{a.title}）" for a in agencies.values())
    return _named(
        wanted,
        agencies,
        titles,
        text("new.unknown-agency", agency=printable(wanted)),
        text("new.agencies.hint", known=known),
        "--agency",
    )


def _category(catalogues: Catalogues, wanted: str | None) -> str:
    """The key path of the category `--category` names by its key path or its title."""
    nodes = catalogues.categories.by_path
    known = ", ".join(f"'{path}'（{node.title}）" for path, node in nodes.items())
    if wanted is None:
        raise ScaffoldError(
            text("new.no-category"), text("new.categories.hint", known=known), "--category"
        )
    by_title: dict[str, list[str]] = {}
    for path, node in nodes.items():
        by_title.setdefault(node.title, []).append(path)
    if wanted not in nodes and len(by_title.get(wanted, ())) > 1:
        several = ", ".join(f"'{path}'" for path in by_title[wanted])
        raise ScaffoldError(
            text("new.category-ambiguous", category=wanted),
            text("new.category-ambiguous.hint", known=several),
            "--category",
        )
    titles = {title: paths[0] for title, paths in by_title.items()}
    return _named(
        wanted,
        {path: path for path in nodes},
        titles,
        text("new.unknown-category", category=printable(wanted)),
        text("new.categories.hint", known=known),
        "--category",
    )


def _named(
    wanted: str,
    by_key: Mapping[str, _Found],
    by_title: Mapping[str, _Found],
    unknown: Text,
    choices: Text,
    option: str,
) -> _Found:
    """What `wanted` names as a key or a title; else a ScaffoldError with the nearest key."""
    if wanted in by_key:
        return by_key[wanted]
    if wanted in by_title:
        return by_title[wanted]
    near = suggest(wanted, [*by_key, *by_title])
    if near is None:
        raise ScaffoldError(unknown, choices, option)
    word = str(dict(near.params)["word"])
    # A title near the one written is named by its key, which is what the option takes.
    key = word if word in by_key else next(k for k, v in by_key.items() if v == by_title[word])
    raise ScaffoldError(unknown, text("new.near.hint", option=option, word=key), option)


def _newest(known: set[str]) -> Text:
    if not known:
        return text("new.interprets.none.hint")
    newest = ", ".join(sorted(known, reverse=True)[:3])
    return text("new.interprets.newest.hint", known=newest)


def _check_interprets(interprets: tuple[str, ...], known: set[str]) -> None:
    """Refuse to write a record that interprets one the site does not have."""
    for index_no in interprets:
        if index_no in known:
            continue
        hint = suggest(index_no, known) or _newest(known)
        raise ScaffoldError(
            text("new.unknown-interprets", index_no=printable(index_no)), hint, "--interprets"
        )


def next_serial(project: Project, used: set[str], agency_code: str, today: date) -> int:
    """One more than the highest serial this agency has used in this year (and month, if numbered so)."""
    serials = [0]
    for index_no in used:
        fields = project.index_no_pattern.parse(index_no)
        if not fields or fields.get("agency_code") != agency_code:
            continue
        if fields.get("year", str(today.year)) != str(today.year):
            continue
        if fields.get("month", f"{today.month:02d}") != f"{today.month:02d}":
            continue
        serials.append(int(fields["serial"]))
    return max(serials) + 1


def _used_index_numbers(front_matters: list[dict[str, Any]]) -> set[str]:
    return {m["index_no"] for m in front_matters if isinstance(m.get("index_no"), str)}


def _front_matters(texts: list[str]) -> list[dict[str, Any]]:
    """The documents' front matter, read leniently: a broken document elsewhere must not block `new`."""
    found: list[dict[str, Any]] = []
    for source_text in texts:
        try:
            parts = split_front_matter(source_text)
        except FrontMatterError:
            continue
        doc = load_yaml(parts.meta_text, _NOWHERE, Report())
        value = doc.value if doc else None
        if isinstance(value, dict):
            found.append(value)
    return found


def _interpretations(front_matters: list[dict[str, Any]]) -> set[str]:
    return {
        m["index_no"]
        for m in front_matters
        if m.get("interprets") and isinstance(m.get("index_no"), str)
    }


def _check_slug(slug: str) -> None:
    """A slug is one file name: never a path, so `new` writes only below content/."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise ScaffoldError(text("new.slug", slug=printable(slug)), text("new.slug.hint"), "--slug")


def _write_new(project: Project, path: Path, content: str) -> Path:
    # Slugs and catalogue keys cannot hold a '/', so this holds already; it stays true if
    # they ever change, or content/ holds a symlink out of the site.
    if not path.parent.resolve().is_relative_to(project.content_dir.resolve()):
        raise ScaffoldError(text("new.outside", path=str(path)), text("new.outside.hint"))
    if path.exists():
        raise ScaffoldError(text("new.exists", path=str(path)), text("new.exists.hint"), "--slug")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def _slug_from(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _page_text(title: str) -> str:
    return f"---\ntitle: {_quoted(title)}\n# slug: about\n# nav_order: 5\n---\n\n正文。\n"


def _record_text(
    request: NewDocument, index_no: str, agency: str, category: str, today: date
) -> str:
    interprets = "[" + ", ".join(_quoted(i) for i in request.interprets) + "]"
    lines = [
        "---",
        f"title: {_quoted(request.title)}",
        f"index_no: {index_no}",
        "# doc_no: 〇政发〔2026〕1号",
        f"agency: {agency}",
        f"genre: {'解读' if request.kind == 'interpretation' else '通知'}",
        f"written: {today.isoformat()}",
        f"published: {today.isoformat()}",
        "# effective: YYYY-MM-DD",
        "# expires: YYYY-MM-DD",
        "# updated: YYYY-MM-DD",
        f"category: {category}",
        "# topics: [topic-key]",
        "# keywords: [主题词]",
        "validity: effective",
        "# superseded_by: INDEX_NO",
        f"interprets: {interprets}" if request.interprets else "# interprets: [INDEX_NO]",
        "# attachments:",
        "#   - file: files/YYYY/name.pdf",
        "#     title: 附件1：名称",
        "# summary: 内容概述。",
        "---",
        "",
        "正文。",
        "",
    ]
    return "\n".join(lines)


def _quoted(text: str) -> str:
    """`text` as one double-quoted YAML scalar on one line, whatever it holds: a line break
    or `---` in an option must not end the front matter or start a key of its own."""
    emitted: str = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1 << 30)
    return emitted.rstrip("\n")


def create_report(
    project: Project, year: int | None, agency_key: str | None = None, today: date | None = None
) -> tuple[Path, Path]:
    """Write the annual report of `year` (政府信息公开工作年度报告): its record, with the six
    official headings, and its statistics file with every row of the official tables at 0."""
    today = today or clock.today()
    if year is None:
        raise ScaffoldError(text("new.no-year"), text("new.year.hint", year=today.year - 1))
    if not FIRST_REPORT_YEAR <= year <= today.year:
        hint = text("new.year.hint", year=today.year - 1)
        raise ScaffoldError(
            text("new.year", year=year, first=FIRST_REPORT_YEAR, last=today.year), hint, "--year"
        )
    report = Report()
    sources = discover(project.root, report)
    catalogues = load_catalogues(sources.catalogues, report)
    agency = _agency(catalogues, agency_key)
    category = project.config.annual_report.category
    if category not in catalogues.categories.by_path:
        raise ScaffoldError(
            text("new.report-category", category=category),
            text("new.report-category.hint", category=category),
        )
    serial = next_serial(
        project,
        _used_index_numbers(_front_matters([s.text for s in sources.documents])),
        agency.code,
        today,
    )
    index_no = project.index_no_pattern.format(
        agency_code=agency.code, year=today.year, month=today.month, serial=serial
    )
    folder = project.content_dir / "records" / category.split("/")[0] / str(today.year)
    name = f"{agency.key}-annual-report-{year}"
    statistics = _write_new(project, folder / f"{name}.yaml", statistics_skeleton(year))
    title = f"{agency.title}{year}年政府信息公开工作年度报告"
    return _write_new(
        project,
        folder / f"{name}.md",
        _report_text(title, index_no, agency.key, category, name, today),
    ), statistics


def _report_text(
    title: str, index_no: str, agency: str, category: str, name: str, today: date
) -> str:
    front = [
        "---",
        f"title: {_quoted(title)}",
        f"index_no: {index_no}",
        f"agency: {agency}",
        "genre: 报告",
        f"written: {today.isoformat()}",
        f"published: {today.isoformat()}",
        f"category: {category}",
        f"statistics: {name}.yaml  # 表二、表三、表四的数据；表二的规章和行政规范性文件件数由 govsite 按目录统计",
        "---",
        "",
    ]
    sections = [f"## {heading}\n\n正文。\n" for heading in SECTIONS]
    return "\n".join(front) + "\n".join(sections)
