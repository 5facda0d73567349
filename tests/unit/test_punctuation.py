"""Full-width punctuation is named where YAML syntax belongs, and left alone in text."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from govsite.errors import SourceLocation
from govsite.punctuation import find_fullwidth_syntax, list_items

ORIGIN = SourceLocation(PurePosixPath("content/x.md"), 2)


def found(yaml_text: str) -> list[str]:
    return [
        f"{d.location.line}:{d.location.column} {d.text.key}"
        for d in find_fullwidth_syntax(yaml_text, ORIGIN)
        if d.text
    ]


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("title：标题\n", ["2:6 GS102.fullwidth-colon"]),
        ("title: a\n文号：示政发\n", ["3:3 GS102.fullwidth-colon"]),
        ("attachments:\n  - file：a.pdf\n", ["3:9 GS102.fullwidth-colon"]),
        ("attachments:\n  - file: a.pdf\n    title：附件\n", ["4:10 GS102.fullwidth-colon"]),
        ("topics:\n\u3000- general\n", ["3:1 GS102.fullwidth-space"]),
        ("genre:\u3000通知\n", ["2:7 GS102.fullwidth-space"]),
        ("keywords: 【政务公开，工作要点】\n", ["2:11 GS102.fullwidth-bracket"]),
        ("topics: 【general/disclosure】\n", ["2:9 GS102.fullwidth-bracket"]),
    ],
)
def test_mistyped_syntax_is_found_where_it_was_typed(yaml_text: str, expected: list[str]) -> None:
    assert found(yaml_text) == expected


@pytest.mark.parametrize(
    "yaml_text",
    [
        "title: 附件：重点任务分工表\n",  # a full-width colon in a value is text
        "summary: |\n  第一条：总则\n  第二条：范围\ntitle: x\n",  # a block scalar is text
        "summary: 从政务服务\n  第一条：总则\n",  # so is a plain scalar's next line
        "keywords:\n- 综合：政务\n",  # a list item of text
        "title: 【公示】关于某事的通知\n",  # brackets in a title
        "title: 【甲、乙】\n",  # even around the whole title
        "keywords: [老旧小区，城市更新]\n",  # valid YAML: schema.py warns (GS207)
        "# 标题：说明\ntitle: x\n",  # a comment
    ],
)
def test_text_is_left_alone(yaml_text: str) -> None:
    assert found(yaml_text) == []


def test_list_items() -> None:
    assert list_items("老旧小区，城市更新、 旧改 ,x") == "老旧小区, 城市更新, 旧改, x"
