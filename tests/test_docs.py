"""The editor documentation stays true: its examples parse and every diagnostic code is listed."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from govsite.catalogue import AgencyEntry, TreeEntry
from govsite.config import SiteConfig
from govsite.document import PageMeta, RecordMeta
from govsite.errors import Report, SourceLocation
from govsite.frontmatter import split_front_matter
from govsite.schema import read_object
from govsite.yamlload import load_yaml
from tests.conftest import REPO

DOC = REPO / "docs" / "content-format.md"


def examples(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def read(text: str, schema: type, *, many: bool = False) -> None:
    report = Report()
    doc = load_yaml(text, SourceLocation(PurePosixPath("docs/content-format.md"), 1), report)
    assert doc is not None
    values = doc.value if many else [doc.value]
    assert isinstance(values, list)
    for i, value in enumerate(values):
        assert read_object(doc, (i,) if many else (), value, schema, report) is not None
    assert report.diagnostics == ()


def test_yaml_examples_are_valid() -> None:
    config, categories, agencies, topics, statistics, consultation, kinds = examples("yaml")
    read(config, SiteConfig)
    read(categories, TreeEntry, many=True)
    read(agencies, AgencyEntry, many=True)
    read(topics, TreeEntry, many=True)
    for text in (statistics, consultation):
        assert load_yaml(text, SourceLocation(PurePosixPath("docs"), 1), Report()) is not None
    base = (
        "title: t\nbase_url: https://example.gov.cn/\nidentity: {site_id: '3301000001', host: h}\n"
    )
    read(base + kinds, SiteConfig)


def test_document_examples_are_valid() -> None:
    record, page = examples("markdown")
    read(split_front_matter(record).meta_text, RecordMeta)
    read(split_front_matter(page).meta_text, PageMeta)


def test_every_diagnostic_code_is_documented() -> None:
    used = {
        code
        for path in (REPO / "govsite").rglob("*.py")
        # A code is written alone ("GS201") or as a message key ("GS102.fullwidth-colon").
        for code in re.findall(r'"(GS\d{3})[".]', path.read_text(encoding="utf-8"))
    }
    documented = set(re.findall(r"^\| (GS\d{3}) \|", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    assert used == documented


def test_every_record_field_is_documented() -> None:
    table = DOC.read_text(encoding="utf-8")
    missing = [f for f in RecordMeta.__dataclass_fields__ if f"| `{f}` |" not in table]
    assert missing == []


CHECKS_DOC = REPO / "docs" / "checks.md"


def test_every_check_rule_is_documented_with_its_severity() -> None:
    from govsite.check.rules import RULES

    rows = re.findall(
        r"^\| (GC\d{3}) \| (error|warning) \|", CHECKS_DOC.read_text(encoding="utf-8"), re.MULTILINE
    )
    assert dict(rows) == {rule.id: rule.severity for rule in RULES.values()}
    used = {
        code
        for path in (REPO / "govsite").rglob("*.py")
        for code in re.findall(r'"(GC\d{3})"', path.read_text(encoding="utf-8"))
    }
    assert used == set(RULES)


def test_no_file_carries_merge_conflict_markers() -> None:
    # Markdown renders a left-over conflict as text and nothing else would catch it.
    marker = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
    texts = [*REPO.glob("*.md"), *REPO.glob("docs/**/*.md"), *REPO.glob("govsite/**/*.py")]
    texts += [*REPO.glob("themes/**/*.html"), *REPO.glob("content/**/*.md")]
    marked = [str(p.relative_to(REPO)) for p in texts if marker.search(p.read_text("utf-8"))]
    assert marked == []
