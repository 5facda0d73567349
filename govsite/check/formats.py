"""How `govsite check` prints its findings: for people, for machines and for CI annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import groupby

from govsite.errors import Diagnostic, summarize
from govsite.messages import Language

FORMATS = ("human", "json", "github")


def format_findings(
    findings: Sequence[Diagnostic],
    external_links: Sequence[str],
    style: str,
    language: Language = "en",
) -> str:
    if style == "json":
        return _json(findings, external_links, language)
    if style == "github":
        return _github(findings, language)
    return _human(findings, language)


def _human(findings: Sequence[Diagnostic], language: Language) -> str:
    """Each finding as the build prints it (errors.Diagnostic.format_text), a blank line
    between files, then a summary."""
    blocks = []
    for _, group in groupby(findings, key=lambda f: str(f.location.path)):
        blocks.append("\n".join(f.format_text(language) for f in group))
    blocks.append(summarize(findings, language))
    return "\n\n".join(blocks)


def _json(findings: Sequence[Diagnostic], external_links: Sequence[str], language: Language) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    document = {
        "findings": [finding_json(f, language) for f in findings],
        "summary": {"errors": errors, "warnings": len(findings) - errors},
        "external_links": list(external_links),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _github(findings: Sequence[Diagnostic], language: Language) -> str:
    """Workflow commands GitHub Actions turns into annotations on the changed files."""
    lines = []
    for f in findings:
        location = f.location
        properties = [f"file={_escape_property(str(location.path))}"]
        if location.line is not None:
            properties.append(f"line={location.line}")
        if location.column is not None:
            properties.append(f"col={location.column}")
        properties.append(f"title={f.code}")
        message = f.message_in(language)
        hint = f.hint_in(language)
        if hint:
            message += f"\nhint: {hint}"
        lines.append(f"::{f.severity} {','.join(properties)}::{_escape_data(message)}")
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def finding_json(finding: Diagnostic, language: Language = "en") -> dict[str, object]:
    location = finding.location
    return {
        "path": str(location.path),
        "line": location.line,
        "column": location.column,
        "severity": finding.severity,
        "rule": finding.code,
        "message": finding.message_in(language),
        "hint": finding.hint_in(language),
    }
