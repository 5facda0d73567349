from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Literal

from govsite.errors import Report, SourceLocation
from govsite.schema import read_object
from govsite.yamlload import load_yaml


@dataclass(frozen=True, kw_only=True)
class Inner:
    file: str


@dataclass(frozen=True, kw_only=True)
class Sample:
    title: str
    when: date
    tags: tuple[str, ...] = ()
    state: Literal["on", "off"] = "on"
    count: int | None = None
    items: tuple[Inner, ...] = ()


def read(text: str) -> tuple[Sample | None, list[str]]:
    report = Report()
    doc = load_yaml(text, SourceLocation(PurePosixPath("f.yaml"), 1), report)
    assert doc is not None
    result = read_object(doc, (), doc.value, Sample, report)
    return result, [d.format_text() for d in report.diagnostics]


def test_a_valid_mapping_becomes_the_dataclass() -> None:
    result, problems = read("title: 标题\nwhen: 2024-01-02\ntags: one\nitems:\n  - file: a.pdf\n")
    assert problems == []
    assert result == Sample(
        title="标题", when=date(2024, 1, 2), tags=("one",), items=(Inner(file="a.pdf"),)
    )


def test_every_problem_is_reported_at_its_place() -> None:
    result, problems = read("titel: x\nwhen: soon\nstate: of\ncount: many\nitems:\n  - {}\n")
    assert result is None
    assert problems == [
        "f.yaml:1:1: error[GS201]: unknown key 'titel'\n  hint: did you mean 'title'?",
        "f.yaml:1:1: error[GS202]: missing required field 'title'\n  hint: add a line 'title: …'",
        "f.yaml:2:7: error[GS204]: 'when': 'soon' is not a valid date\n"
        "  hint: write dates as YYYY-MM-DD",
        "f.yaml:3:8: error[GS203]: 'state': 'of' is not one of: on, off\n  hint: did you mean 'off'?",
        "f.yaml:4:8: error[GS203]: 'count': expected a whole number, got 'many'\n"
        "  hint: write a whole number, such as 1",
        "f.yaml:6:5: error[GS202]: missing required field 'file'\n  hint: add a line 'file: …'",
    ]


def test_a_number_where_text_is_expected_suggests_quotes() -> None:
    # YAML reads 001234567 as an octal number: an agency code must be quoted.
    _, problems = read("title: 001234567\nwhen: 2024-01-02\n")
    assert problems == [
        "f.yaml:1:8: error[GS203]: 'title': expected text, got the number 342391\n"
        '  hint: write it in quotes: "001234567"'
    ]
