"""Content accessibility rules (GC3xx), read from each document's Markdown source tokens.

The build re-levels headings and rewrites links, which would hide an editor's mistakes,
so these rules parse the source again with a plain parser and use its line maps.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from govsite import messages
from govsite.check.context import Inspection
from govsite.check.rules import finding
from govsite.config import CheckConfig
from govsite.errors import Diagnostic, SourceLocation
from govsite.memo import Memo, key_of
from govsite.parallel import ExecutorFactory, InProcessExecutor, as_is, map_in_chunks

# Link texts that say nothing without the text around them (WCAG 2.4.4).
VAGUE_LINK_TEXTS = frozenset(
    {"点击这里", "点击此处", "点击", "这里", "此处", "更多", "详情", "查看", "链接", "下载"}
    | {"here", "click here", "more", "read more", "link", "this", "details", "download"}
)
_IMAGE_FILE = re.compile(r"\S+\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?|ico)", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)\s")
# Three or more words in capitals in a row; single acronyms (PDF, API) are fine.
_ALL_CAPS = re.compile(r"\b[A-Z]{2,}(?:[ \t,]+[A-Z]{2,}){2,}\b")
_COLOUR = "红|绿|蓝|黄|橙|紫|灰"
_COLOUR_ONLY = re.compile(
    rf"(?:(?:{_COLOUR})色(?:的)?(?:字|字体|文字|部分|内容|按钮|标注|标记|区域|项目?)|标[为成]?(?:{_COLOUR})色)"
    r"|\b(?:in|marked|shown in|highlighted in) (?:red|green|blue|yellow|orange|purple)\b",
    re.IGNORECASE,
)


def content_findings(
    inspection: Inspection,
    memo: Memo | None = None,
    run_on: ExecutorFactory = InProcessExecutor,
    known: Mapping[str, tuple[Diagnostic, ...]] | None = None,
) -> dict[str, tuple[Diagnostic, ...]]:
    """The content rules' findings in every document, by source path, records first; the
    rules run on the executor `run_on` makes.

    `known` holds the findings of documents whose text is as an earlier check found them
    (the engine knows which an edit left alone); with a `memo`, documents whose text is
    as an earlier build checked it are not checked again either.
    """
    site = inspection.site
    known = known or {}
    locations = [r.source for r in site.records] + [p.source for p in site.pages]
    found = {str(location.path): known.get(str(location.path)) for location in locations}
    unknown = [location for location in locations if found[str(location.path)] is None]
    paths = [str(location.path) for location in unknown]
    bodies = [inspection.markdown_of(location) for location in unknown]
    options = dataclasses.astuple(inspection.options)
    keys = [key_of(path, *body, options) for path, body in zip(paths, bodies, strict=True)]
    for path, key in zip(paths, keys, strict=True):
        found[path] = _kept(memo, key)
    to_check = [number for number, path in enumerate(paths) if found[path] is None]
    checked = map_in_chunks(run_on, as_is, (unknown, bodies, inspection.options), _check, to_check)
    for number, findings in zip(to_check, checked, strict=True):
        found[paths[number]] = tuple(findings)
        if memo is not None and memo.keep:
            memo.put(keys[number], [d.to_json() for d in findings])
    return {path: findings or () for path, findings in found.items()}


def _check(
    shared: tuple[Sequence[SourceLocation], Sequence[tuple[str, int]], CheckConfig], number: int
) -> list[Diagnostic]:
    locations, bodies, options = shared
    body, first_line = bodies[number]
    return list(check_markdown(locations[number], body, first_line, options))


def _kept(memo: Memo | None, key: str) -> tuple[Diagnostic, ...] | None:
    try:
        found = memo.get(key) if memo is not None else None
        return None if found is None else tuple(Diagnostic.from_json(d) for d in found)
    except (TypeError, ValueError):
        return None  # not what this version keeps: check the document again


def check_markdown(
    location: SourceLocation, body: str, first_line: int, options: CheckConfig
) -> Iterator[Diagnostic]:
    """The content rules over one Markdown body whose first line is `first_line` of its file."""
    document = _Document(location, body.split("\n"), first_line)
    yield from document.check(_PARSER.parse(body), options)


# The build's Markdown dialect, without govsite's own rules (which re-level and rewrite).
_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)


class _Document:
    """One document's body: its lines, to place findings on exact lines and columns."""

    def __init__(self, location: SourceLocation, lines: list[str], first_line: int) -> None:
        self.location = location
        self.lines = lines
        self.first_line = first_line

    def check(self, tokens: Sequence[Token], options: CheckConfig) -> Iterator[Diagnostic]:
        yield from self._headings(tokens)
        yield from self._tables(tokens)
        for index, token in enumerate(tokens):
            if token.type == "inline" and token.map is not None:
                yield from self._inline(token)
            if token.type == "paragraph_open" and token.map is not None:
                yield from self._paragraph(tokens[index + 1], token.map[0], options)

    def _at(self, body_line: int, needle: str | None = None) -> SourceLocation:
        """Body line (0-based) → file location; the column of `needle` when it is on the line."""
        text = self.lines[body_line] if body_line < len(self.lines) else ""
        column = text.find(needle) + 1 if needle and needle in text else 1
        return self.location.at(self.first_line + body_line, column)

    def _headings(self, tokens: Sequence[Token]) -> Iterator[Diagnostic]:
        previous: int | None = None
        seen_top = False
        for token in tokens:
            if token.type != "heading_open" or token.map is None:
                continue
            level = int(token.tag[1])
            where = self._at(token.map[0], token.markup if token.markup.startswith("#") else None)
            if previous is not None and level > previous + 1:
                yield finding(
                    "GC303",
                    messages.text("GC303", level=level, previous=previous),
                    where,
                    messages.text("GC303.hint", level=previous + 1, marks="#" * (previous + 1)),
                )
            if level == 1 and seen_top:
                yield finding(
                    "GC304",
                    messages.text("GC304"),
                    where,
                )
            seen_top = seen_top or level == 1
            previous = level

    def _tables(self, tokens: Sequence[Token]) -> Iterator[Diagnostic]:
        head: Token | None = None
        header_text = ""
        for token in tokens:
            if token.type == "thead_open":
                head, header_text = token, ""
            elif token.type == "inline" and head is not None:
                header_text += token.content.strip()
            elif token.type == "thead_close" and head is not None:
                if not header_text and head.map is not None:
                    yield finding(
                        "GC306",
                        messages.text("GC306"),
                        self._at(head.map[0]),
                    )
                head = None

    def _inline(self, block: Token) -> Iterator[Diagnostic]:
        assert block.map is not None
        line = block.map[0]
        children = block.children or []
        for index, child in enumerate(children):
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "image":
                yield from self._image(child, line)
            elif child.type == "link_open":
                yield from self._link(child, children[index + 1 :], line)

    def _image(self, image: Token, line: int) -> Iterator[Diagnostic]:
        alt = image.content.strip()
        src = str(image.attrGet("src") or "")
        where = self._at(line, f"![{image.content}]")
        if not alt:
            yield finding(
                "GC301", messages.text("GC301", src=src), where, messages.text("GC301.hint")
            )
        elif _IMAGE_FILE.fullmatch(alt) or alt == src.rsplit("/", 1)[-1]:
            yield finding(
                "GC302",
                messages.text("GC302", src=src, alt=alt),
                where,
            )

    def _link(self, link: Token, rest: Sequence[Token], line: int) -> Iterator[Diagnostic]:
        text = ""
        for token in rest:
            if token.type == "link_close":
                break
            if token.type in ("text", "code_inline"):
                text += token.content
        text = text.strip()
        href = str(link.attrGet("href") or "")
        if text.lower() in VAGUE_LINK_TEXTS or _URL.fullmatch(text) or text == href:
            needle = f"[{text}]" if link.markup != "autolink" else f"<{text}"
            yield finding(
                "GC305",
                messages.text("GC305", text=text),
                self._at(line, needle),
            )

    def _paragraph(
        self, inline: Token, body_line: int, options: CheckConfig
    ) -> Iterator[Diagnostic]:
        text = _plain_text(inline)
        where = self._at(body_line)
        length = len(re.sub(r"\s", "", text))
        if length > options.paragraph_max_chars:
            yield finding(
                "GC307",
                messages.text("GC307", length=length, limit=options.paragraph_max_chars),
                where,
            )
        longest = max((len(s.strip()) for s in _SENTENCE_END.split(text)), default=0)
        if longest > options.sentence_max_chars:
            yield finding(
                "GC308",
                messages.text("GC308", length=longest, limit=options.sentence_max_chars),
                where,
            )
        if caps := _ALL_CAPS.search(text):
            said = messages.text("GC309", words=caps.group())
            yield finding("GC309", said, where, messages.text("GC309.hint"))
        if colour := _COLOUR_ONLY.search(text):
            yield finding(
                "GC310",
                messages.text("GC310", words=colour.group()),
                where,
            )


def _plain_text(inline: Token) -> str:
    """The text a reader sees (code spans left out: they are not prose)."""
    parts = []
    for child in inline.children or ():
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)
