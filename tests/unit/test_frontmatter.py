from __future__ import annotations

import pytest

from govsite.frontmatter import FrontMatterError, split_front_matter


def test_the_body_keeps_its_line_numbers() -> None:
    parts = split_front_matter("---\ntitle: 一\n\nagency: a\n---\n\n正文\n")
    assert parts.meta_text == "title: 一\n\nagency: a\n"
    assert parts.meta_start_line == 2
    assert parts.body == "\n正文\n"
    assert parts.body_start_line == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [("title: x\n", "must start with '---'"), ("---\ntitle: x\n", "never closed")],
)
def test_missing_fences(text: str, message: str) -> None:
    with pytest.raises(FrontMatterError, match=message):
        split_front_matter(text)
