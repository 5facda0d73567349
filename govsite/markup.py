"""Markdown to safe HTML: CommonMark + GFM tables + footnotes, re-levelled headings with stable ids.

Raw HTML is escaped unless the site opts in, and markdown-it's link validation drops
`javascript:`, `vbscript:`, `file:` and non-image `data:` links. Links written to
other documents' `.md` files and to files under content/ are rewritten to relative
links of the built site by a resolver the caller supplies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from govsite.model import Body, Heading

# Ids the theme uses itself; a heading never takes them.
RESERVED_IDS = frozenset({"main", "top", "toc", "content", "footnotes"})
TOC_LEVELS = (2, 3)

LinkResolver = Callable[[str, int], str]
"""Given an href and its 1-based line in the file, returns the href to emit."""


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    raw_html: bool = False
    toc_min_headings: int = 3


class MarkdownRenderer:
    """One configured markdown-it parser, reused for every document of a build."""

    def __init__(self, options: MarkdownOptions) -> None:
        self.options = options
        self._md = (
            MarkdownIt("commonmark", {"html": options.raw_html, "highlight": _highlight})
            .enable(["table", "strikethrough"])
            .use(footnote_plugin)
        )
        self._md.core.ruler.push("govsite_headings", _relevel_and_anchor_headings)
        self._md.core.ruler.push("govsite_links", _resolve_links)
        self._md.core.ruler.push("govsite_tables", _mark_up_tables)

    def render(self, text: str, *, first_line: int, resolve_link: LinkResolver) -> Body:
        """Render a body whose first line is line `first_line` of its file."""
        env: dict[str, object] = {"first_line": first_line, "resolve_link": resolve_link}
        tokens = self._md.parse(text, env)
        html = self._md.renderer.render(tokens, self._md.options, env)
        headings = tuple(h for h in _collect_headings(tokens) if h.level in TOC_LEVELS)
        top_level = sum(1 for h in headings if h.level == TOC_LEVELS[0])
        return Body(
            html=html, headings=headings, show_toc=top_level >= self.options.toc_min_headings
        )


def _relevel_and_anchor_headings(state: StateCore) -> None:
    """Shift body headings so the first is h2 and none skips a level; give each a stable id.

    The page's h1 is the document title, and real legal texts often open with `###`.
    """
    opens = [t for t in state.tokens if t.type == "heading_open"]
    if not opens:
        return
    shift = min(int(t.tag[1]) for t in opens) - 2
    previous = 1
    used: set[str] = set(RESERVED_IDS)
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        level = max(2, min(int(token.tag[1]) - shift, previous + 1, 6))
        previous = level
        token.tag = state.tokens[index + 2].tag = f"h{level}"
        token.attrSet("id", _unique(slugify(_inline_text(state.tokens[index + 1])), used))


def _collect_headings(tokens: Sequence[Token]) -> list[Heading]:
    return [
        Heading(level=int(t.tag[1]), anchor=str(t.attrGet("id")), text=_inline_text(tokens[i + 1]))
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]


def slugify(text: str) -> str:
    """A readable id for a heading: keeps Chinese, letters and digits, so `第一章 总则` → `第一章-总则`."""
    kept = []
    for char in unicodedata.normalize("NFKC", text).strip().lower():
        category = unicodedata.category(char)
        if char.isspace() or char in "-_":
            kept.append("-")
        elif category[0] in "LN":
            kept.append(char)
    slug = re.sub(r"-{2,}", "-", "".join(kept)).strip("-")
    return slug or "section"


def _unique(slug: str, used: set[str]) -> str:
    candidate, number = slug, 1
    while candidate in used:
        number += 1
        candidate = f"{slug}-{number}"
    used.add(candidate)
    return candidate


def _inline_text(inline: Token) -> str:
    return "".join(
        child.content for child in inline.children or () if child.type in ("text", "code_inline")
    )


def _resolve_links(state: StateCore) -> None:
    """Pass every link and image source through the resolver, with its exact line."""
    resolve: LinkResolver = state.env["resolve_link"]
    first_line: int = state.env["first_line"]
    for block in state.tokens:
        if block.type != "inline" or not block.children or block.map is None:
            continue
        line = first_line + block.map[0]
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            attribute = (
                "href" if child.type == "link_open" else "src" if child.type == "image" else None
            )
            if attribute and (href := child.attrGet(attribute)) is not None:
                child.attrSet(attribute, resolve(str(href), line))


def _mark_up_tables(state: StateCore) -> None:
    """Header cells get `scope`; column alignment becomes a class, since the theme's
    Content-Security-Policy forbids inline `style` attributes; each table scrolls in its own region;
    numbers and dates in cells never break."""
    _keep_numbers_whole_in_tables(state)
    _wrap_tables_in_scroll_regions(state)
    for token in state.tokens:
        if token.type not in ("th_open", "td_open"):
            continue
        style = token.attrs.pop("style", None)
        if isinstance(style, str) and style.startswith("text-align:"):
            token.attrSet("class", "align-" + style.removeprefix("text-align:"))
        if token.type == "th_open":
            token.attrSet("scope", "col")


def _wrap_tables_in_scroll_regions(state: StateCore) -> None:
    """Put each table in a focusable, labelled region that scrolls sideways on its own.

    A table of many columns cannot fit a 320 px screen; without this the whole page would
    scroll sideways (WCAG 1.4.10). Keyboard users reach the region with Tab to scroll it, and
    screen readers hear its name: the section heading above the table, or, when that heading
    already names a table (region names must differ), its header row and first cell.
    """
    tokens: list[Token] = []
    heading_id: str | None = None
    naming_headings: set[str] = set()
    count = 0
    for index, token in enumerate(state.tokens):
        if token.type == "heading_open":
            heading_id = str(token.attrGet("id"))
        if token.type == "table_open":
            count += 1
            if heading_id is not None and heading_id not in naming_headings:
                naming_headings.add(heading_id)
                label_id = heading_id
            else:
                label_id = _label_table_by_its_cells(state.tokens, index, count)
            tokens.append(_html_block(_REGION_OPEN.format(label_id=label_id)))
        tokens.append(token)
        if token.type == "table_close":
            tokens.append(_html_block("</div>\n"))
    state.tokens = tokens


# A number or a date with its units: 2026年11月28日, 2026-11-28, 12.5%, 1,200万元, 9:30.
_NUMBER_RUN = re.compile(r"[0-9０-９][0-9０-９.,:/%\-年月日号时分秒万亿元‰]*")


def _keep_numbers_whole_in_tables(state: StateCore) -> None:
    """Wrap each number or date in a table cell in `<span class="nowrap">`.

    Cells may break anywhere so that a long Chinese phrase fits a narrow column; without this a
    narrow column split "2026年11月" into "202", "6年" and "11月", which reads as other numbers.
    """
    in_table = False
    for token in state.tokens:
        if token.type in ("table_open", "table_close"):
            in_table = token.type == "table_open"
        elif in_table and token.type == "inline" and token.children:
            token.children = [
                part for child in token.children for part in _split_number_runs(child)
            ]


def _split_number_runs(token: Token) -> list[Token]:
    if token.type != "text":
        return [token]
    parts: list[Token] = []
    position = 0
    for match in _NUMBER_RUN.finditer(token.content):
        if len(match.group()) < 2:
            continue
        parts.append(_text(token.content[position : match.start()]))
        parts += [_html_inline('<span class="nowrap">'), _text(match.group())]
        parts.append(_html_inline("</span>"))
        position = match.end()
    if not parts:
        return [token]
    parts.append(_text(token.content[position:]))
    return [part for part in parts if part.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _html_inline(html: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = html
    return token


_REGION_OPEN = (
    '<div class="scroll-region" role="region" tabindex="0" aria-labelledby="{label_id}">\n'
)


def _label_table_by_its_cells(tokens: Sequence[Token], table_open: int, count: int) -> str:
    """Ids for the header row and the first body cell, which together tell tables apart
    even when several under one heading share their columns (as in annual reports)."""
    row = next(t for t in tokens[table_open:] if t.type == "tr_open")
    row.attrSet("id", f"table-{count}-columns")
    label_ids = f"table-{count}-columns"
    for token in tokens[table_open:]:
        if token.type == "table_close":
            break
        if token.type == "td_open":
            token.attrSet("id", f"table-{count}-first")
            label_ids += f" table-{count}-first"
            break
    return label_ids


def _html_block(html: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = html
    token.block = True
    return token


def _highlight(code: str, language: str, _attrs: str) -> str:
    """Pygments token spans for a fenced block; markdown-it wraps them in <pre><code>."""
    if not language:
        return ""
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""  # markdown-it escapes the code as plain text
    return highlight(code, lexer, HtmlFormatter(nowrap=True))
