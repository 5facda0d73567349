"""Content rules on small Markdown bodies: what they catch and what they leave alone."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from govsite.check.content import check_markdown
from govsite.config import CheckConfig
from govsite.errors import SourceLocation

WHERE = SourceLocation(PurePosixPath("content/pages/x.md"))


def found(body: str, first_line: int = 5) -> list[tuple[str, int | None, int | None]]:
    return [
        (d.code, d.location.line, d.location.column)
        for d in check_markdown(WHERE, body, first_line, CheckConfig())
    ]


@pytest.mark.parametrize(
    "body",
    [
        "### 第一章 总则\n\n#### 第一条\n",  # legal texts open with ###: no skip
        "共有 PDF 和 OFD 两种格式。\n",  # single acronyms are not shouting
        "![青川市区位图](map.png)\n",
        "请下载[《办法》全文](x.md)。\n",
        "| 项目 | 金额 |\n| --- | --- |\n| 甲 | 1 |\n",
        "红色预警信号表示特别严重。\n",  # a colour named as a fact, not an instruction
        "脚注[^1]。\n\n[^1]: 见附件。\n",
    ],
)
def test_good_content_passes(body: str) -> None:
    assert found(body) == []


def test_a_bare_url_as_link_text_is_reported_at_its_column() -> None:
    assert found("详见 <https://www.gov.cn/>。\n") == [("GC305", 5, 4)]


def test_english_vague_link_text_and_colour_instruction() -> None:
    body = "Read the rules [here](x.md).\n\nFill in the fields marked in red.\n"
    assert found(body) == [("GC305", 5, 16), ("GC310", 7, 1)]


def test_lines_count_soft_breaks_inside_a_paragraph() -> None:
    assert found("第一行\n第二行![](a.png)\n", first_line=10) == [("GC301", 11, 4)]
