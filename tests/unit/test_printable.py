"""What govsite prints is one line per field, and shows every character it holds."""

import pytest

from govsite.errors import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("content/a\nb.md", "content/a\\nb.md"),
        ("::error file=x", "::error file=x"),
        ("\x1b[31m红", "\\x1b[31m红"),
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
        ("\u202eabc", "\\u202eabc"),  # a bidi override would show the name reversed
        ("零\u200b宽", "零\\u200b宽"),  # a zero-width space hides in a name
        ("\ufeff标题", "\\ufeff标题"),
        ("\U000e0041", "\\U000e0041"),  # an invisible tag character
        ("全角　空格 与 半角", "全角　空格 与 半角"),  # spaces stay as typed
        ("青政发〔2026〕3号", "青政发〔2026〕3号"),
    ],
)
def test_controls_and_invisible_characters_are_escaped(raw: str, shown: str) -> None:
    assert printable(raw) == shown
