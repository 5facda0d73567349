"""Link rules (GC1xx) over the rendered pages: internal links and #fragments resolve;
external links are listed (and, with `--external`, fetched by `external`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePosixPath
from urllib.parse import unquote

from govsite import messages
from govsite.check.context import Inspection
from govsite.check.html import PageFacts, resolve_href
from govsite.check.rules import finding
from govsite.errors import Diagnostic, SourceLocation
from govsite.frontmatter import split_front_matter
from govsite.messages import Text
from govsite.plan import NOT_FOUND_PATH

BUILD_DIR = PurePosixPath("build")
HEALTH_DIR = "_health/"


def page_location(inspection: Inspection, path: str, hint: str | None = None) -> SourceLocation:
    """The source document of a built page (at the line mentioning `hint`), else the built file."""
    source = inspection.source_of(path)
    if source is None:
        return SourceLocation(BUILD_DIR / path)
    if hint:
        parts = split_front_matter(inspection.text(source))
        for offset, line in enumerate(parts.body.split("\n")):
            if hint in line:
                return source.at(parts.body_start_line + offset, line.index(hint) + 1)
    return source


def unsafe_addresses(
    facts: Mapping[str, PageFacts], source_of: Callable[[str], SourceLocation | None]
) -> Iterator[Diagnostic]:
    """GS308 for every address of a page that fails the URL gate, located at its document.

    A build refuses these whatever made them (a link, a file name, a template), so no
    page of the site ever carries a `javascript:` or `data:` address.
    """
    for path, page in sorted(facts.items()):
        for url in page.unsafe:
            yield Diagnostic.of(
                "error",
                messages.text("GS308", page=path, url=url),
                source_of(path) or SourceLocation(BUILD_DIR / path),
                messages.text("GS308.hint"),
            )


def check_links(inspection: Inspection, facts: Mapping[str, PageFacts]) -> Iterator[Diagnostic]:
    yield from unsafe_addresses(facts, inspection.source_of)
    existing = inspection.static_paths | {o.path for o in inspection.outputs}
    for path, page in facts.items():
        # 404.html links from the site root, since hosts serve it at any path.
        if path == NOT_FOUND_PATH or _all_resolve(page, existing, facts):
            continue
        for href in (*page.links, *page.sources):
            resolved = resolve_href(path, href)
            if resolved is None:
                continue
            problem = _problem(unquote(href), resolved, existing, facts)
            if problem:
                hint = unquote(href).rsplit("/", 1)[-1] or None
                yield finding(
                    "GC101",
                    problem,
                    page_location(inspection, path, hint),
                    messages.text(f"{problem.key}.hint"),
                )


def _all_resolve(
    page: PageFacts, existing: frozenset[str] | set[str], facts: Mapping[str, PageFacts]
) -> bool:
    """Whether every internal link and source of `page` resolves (most pages: no link taken apart)."""
    return existing.issuperset(page.targets) and all(
        target not in facts or fragment in facts[target].ids for target, fragment in page.anchors
    )


def _problem(
    href: str,
    resolved: tuple[str, str],
    existing: frozenset[str] | set[str],
    facts: Mapping[str, PageFacts],
) -> Text | None:
    target, fragment = resolved
    if target.startswith("../") or target == "..":
        return messages.text("GC101.outside", href=href)
    if target not in existing:
        return messages.text("GC101.missing", href=href, target=target)
    if fragment and target in facts and fragment not in facts[target].ids:
        return messages.text("GC101.fragment", href=href, fragment=fragment, target=target)
    return None


def external_links(
    inspection: Inspection, facts: Mapping[str, PageFacts]
) -> dict[str, SourceLocation]:
    """Every http(s) link of the site, with where it is first written."""
    found: dict[str, SourceLocation] = {}
    for path, page in sorted(facts.items()):
        for href in page.outward:
            if href not in found:
                found[href] = page_location(inspection, path, href)
    return found
