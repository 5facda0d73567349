"""Inspection.field_location: a key's line, found once per file and kept between builds."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path, PurePosixPath
from typing import cast

from govsite.check.context import Inspection
from govsite.errors import SourceLocation
from govsite.model import Site

TEXT = """---
title : 标题: 带冒号
 index_no: indented, not a key at the start of a line
title_en: 不是 title
validity: 有效
validity: 重复的键，第一处为准
superseded_by:
---
正文 title: 不在前言里
"""


def _by_pattern(text: str, *names: str) -> int:
    """The rule as it was: each name's pattern over the front matter's lines."""
    front_matter = text.split("\n---", 1)[0].split("\n")
    for name in names:
        for number, line in enumerate(front_matter, start=1):
            if re.match(rf"^{re.escape(name)}\s*:", line):
                return number
    return 1


def test_a_key_is_found_where_the_line_pattern_found_it(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "x.md").write_text(TEXT, encoding="utf-8")
    site = cast(Site, None)  # field_location reads no part of the site
    inspection = Inspection(tmp_path, site, (), (), frozenset(), date(2026, 1, 1))
    where = SourceLocation(PurePosixPath("content/x.md"))
    asked = [("title",), ("index_no",), ("title_en",), ("validity",), ("superseded_by",)]
    asked += [("missing",), ("missing", "validity"), ("正文 title",)]
    for names in asked:
        assert inspection.field_location(where, *names).line == _by_pattern(TEXT, *names), names
    # Kept: a second inspection given the lines reads no file.
    kept = Inspection(
        tmp_path / "gone",
        site,
        (),
        (),
        frozenset(),
        date(2026, 1, 1),
        key_lines=inspection.key_lines,
    )
    assert kept.field_location(where, "validity").line == 5
