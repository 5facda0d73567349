"""Split a Markdown document into its YAML front matter and its body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass

from govsite import messages
from govsite.messages import Text

_FENCE = "---"


@dataclass(frozen=True, slots=True)
class SplitDocument:
    """The two parts of a document; the start lines are 1-based lines of the whole file."""

    meta_text: str
    meta_start_line: int
    body: str
    body_start_line: int


class FrontMatterError(ValueError):
    """The document has no front matter or its closing fence is missing; `line` says where."""

    def __init__(self, message: Text, line: int) -> None:
        super().__init__(message.render())
        self.message = message
        self.hint = messages.text(f"{message.key}.hint")
        self.line = line


def split_front_matter(text: str) -> SplitDocument:
    """Split `---` front matter from the body without losing count of the lines in between."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        raise FrontMatterError(messages.text("GS104.no-front-matter"), 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (_FENCE, "..."):
            return SplitDocument(
                meta_text="\n".join(lines[1:index]) + "\n",
                meta_start_line=2,
                body="\n".join(lines[index + 1 :]),
                body_start_line=index + 2,
            )
    raise FrontMatterError(messages.text("GS104.unclosed"), 1)
