from __future__ import annotations

from pathlib import PurePosixPath

from govsite.controls import MAX_WARNINGS_PER_TEXT, describe, remove_controls
from govsite.errors import Report, SourceLocation

FILE = SourceLocation(PurePosixPath("content/x.md"))


def test_each_character_is_named_by_its_code_point() -> None:
    assert describe("\x0b") == "U+000B LINE TABULATION"
    assert describe("\x01") == "U+0001 (a control character)"
    assert describe("\U0010ffff") == "U+10FFFF (a noncharacter)"


def test_tab_and_line_feed_stay_and_everything_else_goes_with_its_place() -> None:
    report = Report()
    assert remove_controls("a\tb\n\x7fc\x9fd\ufdd0", FILE, report) == "a\tb\ncd"
    assert [str(d.location) for d in report.diagnostics] == [
        "content/x.md:2:1",
        "content/x.md:2:3",
        "content/x.md:2:5",
    ]


def test_a_file_full_of_them_gets_a_bounded_number_of_warnings() -> None:
    report = Report()
    text = "\x0b" * (MAX_WARNINGS_PER_TEXT + 5)
    assert remove_controls(text, FILE, report) == ""
    assert len(report.diagnostics) == MAX_WARNINGS_PER_TEXT + 1
    last = report.diagnostics[-1]
    assert (last.message, str(last.location)) == (
        "5 more control characters removed",
        f"content/x.md:1:{MAX_WARNINGS_PER_TEXT + 1}",
    )
