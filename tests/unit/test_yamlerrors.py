"""PyYAML's syntax errors named by what the editor wrote, at the place to fix."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from govsite.errors import Report, SourceLocation
from govsite.yamlload import load_yaml

ORIGIN = SourceLocation(PurePosixPath("content/x.md"), 2)


def _problem(source: str) -> tuple[str, str]:
    report = Report()
    assert load_yaml(source, ORIGIN, report) is None
    (problem,) = report.diagnostics
    assert problem.text is not None
    return problem.text.key, str(problem.location)


@pytest.mark.parametrize(
    ("source", "key", "place"),
    [
        # The list is left open on line 3 of the file; the parser notices on line 4.
        ("title: 通知\nkeywords: [a, b\ngenre: 通知\n", "GS102.unclosed-list", "content/x.md:3:11"),
        ("title: 通知\nkeywords: [a,\n", "GS102.unclosed-list", "content/x.md:3:11"),
        ('title: 通知\nkeywords: [a, "]",\n', "GS102.unclosed-list", "content/x.md:3:11"),
        ("check: {ignore: [GC307]\ntitle: 通知\n", "GS102.unclosed-mapping", "content/x.md:2:8"),
        ('title: "通知\ngenre: 通知\n', "GS102.unclosed-quote", "content/x.md:2:8"),
        (
            "title: 通知\ngenre:通知\nwritten: 2026-03-01\n",
            "GS102.no-space-after-colon",
            "content/x.md:3:6",
        ),
        # A ':' without a space inside an address is not the mistake: the missing ':' is.
        ("base_url: https://x.cn\n第二行\nkey: 1\n", "GS102.missing-colon", "content/x.md:3:1"),
        ("title: 通知: 二\n", "GS102.colon-in-value", "content/x.md:2:10"),
        ('doc_no: "示政发"〔2026〕1号\n', "GS102.indentation", "content/x.md:2:14"),
        ("topics:\n\t- a\n", "GS102.tab", "content/x.md:3:1"),
        ("summary: @各部门\n", "GS102.cannot-start", "content/x.md:2:10"),
        ("agency: *\n", "GS102.cannot-start", "content/x.md:2:9"),
        ("topics: *all\n", "GS102.undefined-alias", "content/x.md:2:9"),
        ('doc_no: "a\\qb"\n', "GS102.escape", "content/x.md:2:11"),
        ("summary: |2x\n  a\n", "GS102", "content/x.md:2:12"),
    ],
)
def test_each_syntax_error_is_named_where_it_is_fixed(source: str, key: str, place: str) -> None:
    assert _problem(source) == (key, place)
