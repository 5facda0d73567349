"""Active content in files under content/: SVG, HTML and XML that would run script on the site.

A file under content/ is published as it is, on the site's own origin, so an SVG with
`onload` or an HTML attachment with `<script>` runs with the site's authority (its
cookies, its pages), whatever `raw_html` says about Markdown. This module reads such
files with lxml, as a browser would read them (never with regular expressions over
markup), and names everything in them that can run script or navigate on its own:

- an element `script`, `foreignObject` (SVG's way into HTML), `iframe`, `frame`,
  `frameset`, `object`, `embed`, `applet`, `handler` (SVG Tiny), or a `<meta>` refresh;
- an event-handler attribute (`on…`);
- an attribute value that is a `javascript:`, `vbscript:` or `data:` address (other than
  a raster image), also as one item of a `;`-separated animation list;
- an `xml-stylesheet` processing instruction naming XSLT (it can write any HTML);
- XML entity declarations (browsers expand them; this reading does not).

A file that does not parse is reported too: what cannot be read cannot be vouched for.
The build refuses or warns (`attachments: {active_content: …}`, govsite.yaml; GS160) and
the check reports each finding as GC701.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree
from lxml import html as lxml_html

from govsite.config import Project
from govsite.errors import Report, SourceLocation
from govsite.messages import Text, text

HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml"})
XML_SUFFIXES = frozenset({".svg", ".svgz", ".xhtml", ".xht", ".xml", ".xsl", ".xslt"})
"""Read as XML (browsers render these types as XML documents, with XHTML and SVG script)."""
ACTIVE_ELEMENTS = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "handler",
    }
)
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
SAFE_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
_CANNOT_CHECK = frozenset({"GS160.unreadable", "GS160.not-xml", "GS160.entities"})
MAX_BYTES = 50_000_000
"""A compressed SVG is read up to this size once unpacked (a zip bomb stops there)."""


@dataclass(frozen=True, slots=True)
class ActiveContent:
    """One thing in a file that can run script; `line` is 1-based, or None for the whole file."""

    line: int | None
    what: Text
    """What runs script (`GS160.element` …), or why the file cannot be checked (`GS160.unreadable` …)."""


def report_active_attachments(
    project: Project, copies: Iterable[tuple[str, Path]], report: Report
) -> None:
    """An error (or a warning, as govsite.yaml says) for each file under content/ among
    `copies` (published path, source) that can run script."""
    config = project.config
    refuse = config.attachments.refuses(config.raw_html)
    for location, message in active_attachments(project, copies):
        hint = text(f"{message.key}.hint")  # GS160.hint, or GS160.unchecked.hint
        report.say("error" if refuse else "warning", message, location, hint)


def active_attachments(
    project: Project, copies: Iterable[tuple[str, Path]]
) -> Iterator[tuple[SourceLocation, Text]]:
    """Where and what each thing is in a file under content/ among `copies` that can run script."""
    content = project.content_dir.resolve()
    for published, source in sorted(copies):
        if not may_be_active(source) or not source.resolve().is_relative_to(content):
            continue  # theme assets are the theme's own
        where = SourceLocation(PurePosixPath("content", published))
        for found in find_active_content(source):
            yield where.at(found.line), _message(published, found.what)


def _message(published: str, what: Text) -> Text:
    if what.key in _CANNOT_CHECK:
        return text("GS160.unchecked", file=published, why=what)
    return text("GS160", file=published, what=what)


def may_be_active(path: PurePosixPath | Path) -> bool:
    """Whether a file of this name is read as HTML or XML by browsers (and so is checked)."""
    suffix = path.suffix.lower()
    return suffix in HTML_SUFFIXES or suffix in XML_SUFFIXES


def find_active_content(path: Path) -> list[ActiveContent]:
    """Everything in the file at `path` that can run script, in document order."""
    try:
        data = path.read_bytes()
        if path.suffix.lower() == ".svgz":
            data = _gunzip(data)
    except (OSError, EOFError, zlib.error) as exc:
        return [ActiveContent(None, text("GS160.unreadable", reason=str(exc)))]
    if path.suffix.lower() in HTML_SUFFIXES:
        document = _parse_html(data)
        return [] if document is None else list(_active_in(document))
    parsed = _parse_xml(data)
    if isinstance(parsed, str):
        return [ActiveContent(None, text("GS160.not-xml", reason=parsed))]
    return list(_active_in(parsed))


def _gunzip(data: bytes) -> bytes:
    unpacker = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    unpacked = unpacker.decompress(data, MAX_BYTES)
    if unpacker.unconsumed_tail:
        raise OSError(f"more than {MAX_BYTES} bytes unpacked")
    return unpacked


def _parse_html(data: bytes) -> etree._Element | None:
    if not data.strip():
        return None
    return lxml_html.document_fromstring(data)  # lenient, as browsers are


def _parse_xml(data: bytes) -> etree._Element | str:
    # No entities expanded, no DTD or network fetched: the file is only looked at.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return str(exc.msg) if exc.msg else "a syntax error"


def _active_in(root: etree._Element) -> Iterator[ActiveContent]:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        # Browsers expand them (and so could find a <script> in one); this reading does not.
        yield ActiveContent(None, text("GS160.entities"))
    for node in _with_siblings(root):
        if isinstance(node, etree._ProcessingInstruction):
            if node.target == "xml-stylesheet" and "xsl" in (node.text or "").lower():
                yield ActiveContent(_line(node), text("GS160.xslt"))
            continue
        if not isinstance(node.tag, str):
            continue  # comments, entities
        yield from _active_element(node)


def _with_siblings(root: etree._Element) -> Iterator[etree._Element]:
    """Every node of the document: processing instructions before the root, then the tree."""
    before = []
    sibling = root.getprevious()
    while sibling is not None:
        before.append(sibling)
        sibling = sibling.getprevious()
    yield from reversed(before)
    yield from root.iter()


def _line(node: etree._Element) -> int | None:
    line = node.sourceline
    return line if isinstance(line, int) else None


def _local(name: str) -> str:
    """A tag or attribute name without its namespace (`{…}script` → `script`)."""
    return name.rsplit("}", 1)[-1]


def _active_element(element: etree._Element) -> Iterator[ActiveContent]:
    tag = _local(str(element.tag))
    name = tag.lower()
    if name in ACTIVE_ELEMENTS:
        yield ActiveContent(_line(element), text("GS160.element", tag=tag))
    if name == "meta" and str(element.get("http-equiv", "")).strip().lower() == "refresh":
        yield ActiveContent(_line(element), text("GS160.refresh"))
    for attribute, value in element.attrib.items():
        local = _local(str(attribute))
        if local.lower().startswith("on"):
            said = text("GS160.handler", attribute=local, element=name)
            yield ActiveContent(_line(element), said)
        elif _is_active_address(str(value)):
            shown = "".join(c if c >= " " else f"\\x{ord(c):02x}" for c in str(value).strip()[:40])
            said = text("GS160.address", address=shown, attribute=local, element=name)
            yield ActiveContent(_line(element), said)


def _is_active_address(value: str) -> bool:
    """Whether `value`, or an item of it as an animation's `values` list, is a script address."""
    for item in value.split(";"):
        # Browsers drop whitespace and control characters inside a scheme: `java\tscript:`.
        compact = "".join(c for c in item if c > " ").lower()
        if compact.startswith(ACTIVE_SCHEMES) and not compact.startswith(SAFE_DATA):
            return True
    return False
