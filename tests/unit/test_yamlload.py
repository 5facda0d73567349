from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

import pytest
import yaml

from govsite import yamlload
from govsite.errors import Report, SourceLocation
from govsite.yamlload import load_yaml

ORIGIN = SourceLocation(PurePosixPath("content/x.md"), 2)


def test_every_key_and_value_knows_its_line_in_the_file() -> None:
    doc = load_yaml("title: 标题\ntopics:\n  - a\n  - b\n", ORIGIN, Report())
    assert doc is not None
    assert doc.value == {"title": "标题", "topics": ["a", "b"]}
    assert str(doc.key_at(("topics",))) == "content/x.md:3:1"
    assert str(doc.value_at(("topics", 1))) == "content/x.md:5:5"
    assert str(doc.value_at(("topics", 7))) == "content/x.md:4:3"  # nearest known ancestor


def test_a_syntax_error_is_located_in_the_whole_file() -> None:
    report = Report()
    assert load_yaml("a: 1\nb: [x,\n", ORIGIN, report) is None
    (problem,) = report.diagnostics
    # At the '[' left open (the text's second line, the file's third), where the fix goes.
    assert (problem.code, str(problem.location)) == ("GS102", "content/x.md:3:4")


def test_duplicate_keys_are_an_error_not_a_silent_overwrite() -> None:
    report = Report()
    doc = load_yaml("title: 一\ntitle: 二\n", ORIGIN, report)
    assert doc is not None and doc.value == {"title": "一"}
    (problem,) = report.diagnostics
    assert (
        problem.format_text()
        == "content/x.md:3:1: error[GS103]: duplicate key 'title' (first written at line 2)\n"
        "  hint: keep one of the two lines and delete the other"
    )


def test_dates_are_dates_and_impossible_ones_stay_text_for_the_schema_to_explain() -> None:
    doc = load_yaml("a: 2024-03-05\nb: 2024-02-30\n", ORIGIN, Report())
    assert doc is not None and doc.value == {"a": date(2024, 3, 5), "b": "2024-02-30"}


def test_an_empty_document_is_none() -> None:
    doc = load_yaml("# only a comment\n", ORIGIN, Report())
    assert doc is not None and doc.value is None


def laughs(levels: int) -> str:
    """'Billion laughs': each level is nine aliases of the one before, 9**(levels + 1) values."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_aliases_that_expand_without_bound_are_refused_at_the_key_holding_them() -> None:
    report = Report()
    assert load_yaml(laughs(5), ORIGIN, report) is None  # 531,441 values from 6 lines
    (problem,) = report.diagnostics
    assert problem.format_text() == (
        "content/x.md:6:1: error[GS106]: aliases repeat values here into more than 10,000 values\n"
        "  hint: write the values out instead of nesting aliases (*name) of aliases"
    )


def test_an_alias_inside_its_own_value_is_refused() -> None:
    report = Report()
    assert load_yaml("a: 1\nkeywords: &k [x, *k]\n", ORIGIN, report) is None
    (problem,) = report.diagnostics
    assert (problem.code, str(problem.location)) == ("GS106", "content/x.md:3:1")
    assert problem.message == "this value holds an alias to itself, so it never ends"


def test_nesting_deeper_than_the_bound_is_refused_where_it_passes_the_bound() -> None:
    report = Report()
    # 999 levels: within libyaml's own limit of 1,000, but too deep to convert recursively.
    assert load_yaml("a: " + "[" * 999 + "]" * 999 + "\n", ORIGIN, report) is None
    (problem,) = report.diagnostics
    assert (problem.code, str(problem.location)) == ("GS106", "content/x.md:2:103")
    assert problem.message == "lists and mappings nested more than 100 levels deep"


def test_the_pure_python_loader_too_reports_deep_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without libyaml, PyYAML's composer recurses once per level and has no limit of its own.
    monkeypatch.setattr(yamlload, "Loader", yaml.SafeLoader)
    report = Report()
    assert load_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", ORIGIN, report) is None
    (problem,) = report.diagnostics
    assert (problem.code, str(problem.location)) == ("GS106", "content/x.md:2")


def test_aliases_within_the_bounds_read_as_copies() -> None:
    report = Report()
    doc = load_yaml(laughs(3) + "deep: " + "[" * 99 + "]" * 99 + "\n", ORIGIN, report)
    assert doc is not None and not report.diagnostics
    assert isinstance(doc.value, dict) and len(str(doc.value["l3"]).split("lol")) == 9**4 + 1


def test_escaped_control_characters_are_removed_from_values_with_a_warning() -> None:
    report = Report()
    doc = load_yaml('title: "通知\\v正文\\e[1m\\uFFFE"\n', ORIGIN, report)
    assert doc is not None and doc.value == {"title": "通知正文[1m"}
    assert [d.format_text().splitlines()[0] for d in report.diagnostics] == [
        "content/x.md:2:8: warning[GS107]: control character U+000B LINE TABULATION removed",
        "content/x.md:2:8: warning[GS107]: control character U+001B ESCAPE removed",
        "content/x.md:2:8: warning[GS107]: noncharacter U+FFFE removed",
    ]
