"""Scaffolding: a new site (`govsite init`) and new documents with every field (`govsite new`)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from govsite.catalogue import load_catalogues
from govsite.config import Project
from govsite.discover import discover
from govsite.document import SLUG_PATTERN
from govsite.errors import Report, SourceLocation
from govsite.frontmatter import FrontMatterError, split_front_matter
from govsite.yamlload import load_yaml

SKELETON = Path(__file__).resolve().parent / "skeleton"
DOCUMENT_KINDS = ("record", "interpretation", "page")
INTERPRETATIONS_CATEGORY = "interpretations"
_NOWHERE = SourceLocation(PurePosixPath("content"), 1)


class ScaffoldError(ValueError):
    """The request cannot be met; the message says what to pass instead."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option
        """The command-line option at fault, when one is."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewDocument:
    kind: str
    title: str
    category: str | None = None
    agency: str | None = None
    interprets: tuple[str, ...] = ()
    slug: str | None = None


def create_site(directory: Path) -> list[Path]:
    """Copy the sample site into `directory`, which must not exist or be empty."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"'{directory}' is not empty; choose a new folder")
    shutil.copytree(SKELETON, directory, dirs_exist_ok=True)
    return sorted(p for p in directory.rglob("*") if p.is_file())


def create_document(project: Project, request: NewDocument, today: date | None = None) -> Path:
    """Write the new document's file and return its path."""
    today = today or date.today()
    if request.slug is not None:
        _check_slug(request.slug)
    if request.kind == "page":
        slug = request.slug or _slug_from(request.title) or f"page-{today:%Y%m%d}"
        path = project.content_dir / "pages" / f"{slug}.md"
        return _write_new(project, path, _page_text(request.title))
    report = Report()
    sources = discover(project.root, report)
    catalogues = load_catalogues(sources.catalogues, report)
    agency_key = request.agency or next(iter(catalogues.agencies), "")
    if agency_key not in catalogues.agencies:
        known = (
            ", ".join(catalogues.agencies)
            or "none: add agencies to content/catalogues/agencies.yaml"
        )
        raise ScaffoldError(f"unknown agency '{agency_key}' (known: {known})")
    category = request.category or (
        INTERPRETATIONS_CATEGORY if request.kind == "interpretation" else None
    )
    if category is None or category not in catalogues.categories.by_path:
        known = ", ".join(catalogues.categories.by_path)
        raise ScaffoldError(f"pass --category with one of: {known}")
    if request.kind == "interpretation" and not request.interprets:
        raise ScaffoldError(
            "an interpretation needs --interprets INDEX_NO of the record it explains"
        )
    agency = catalogues.agencies[agency_key]
    used = _index_numbers([s.text for s in sources.documents])
    serial = next_serial(project, used, agency.code, today)
    index_no = project.index_no_pattern.format(
        agency_code=agency.code, year=today.year, month=today.month, serial=serial
    )
    name = request.slug or f"{agency.key}-{today.year}-{serial:05d}"
    path = project.content_dir / "records" / category.split("/")[0] / str(today.year) / f"{name}.md"
    return _write_new(project, path, _record_text(request, index_no, agency.key, category, today))


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


def _index_numbers(texts: list[str]) -> set[str]:
    """Index numbers already taken, read leniently: a broken document elsewhere must not block `new`."""
    found: set[str] = set()
    for text in texts:
        try:
            parts = split_front_matter(text)
        except FrontMatterError:
            continue
        doc = load_yaml(parts.meta_text, _NOWHERE, Report())
        value = doc.value if doc else None
        if isinstance(value, dict) and isinstance(value.get("index_no"), str):
            found.add(value["index_no"])
    return found


def _check_slug(slug: str) -> None:
    """A slug is one file name: never a path, so `new` writes only below content/."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise ScaffoldError(
            f"{_quoted(slug)} is not a slug: use letters, digits, '.', '_' and '-', starting "
            "with a letter or digit (no '/', no '..'), e.g. --slug open-data-guide",
            "--slug",
        )


def _write_new(project: Project, path: Path, text: str) -> Path:
    # Slugs and catalogue keys cannot hold a '/', so this holds already; it stays true if
    # they ever change, or content/ holds a symlink out of the site.
    if not path.parent.resolve().is_relative_to(project.content_dir.resolve()):
        raise ScaffoldError(f"'{path}' would be outside {project.content_dir}", "--slug")
    if path.exists():
        raise ScaffoldError(f"'{path}' already exists; pass another --slug")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
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
        "# doc_no: 青政发〔2026〕1号",
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
