"""How `govsite check` prints its findings: for people, for machines and for CI annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import groupby

from govsite.errors import Diagnostic, printable, summarize

FORMATS = ("human", "json", "github")


def format_findings(
    findings: Sequence[Diagnostic], external_links: Sequence[str], style: str
) -> str:
    if style == "json":
        return _json(findings, external_links)
    if style == "github":
        return _github(findings)
    return _human(findings)


def _human(findings: Sequence[Diagnostic]) -> str:
    """`path:line:col: severity rule-id message`, a blank line between files, then a summary."""
    blocks = []
    for _, group in groupby(findings, key=lambda f: str(f.location.path)):
        blocks.append("\n".join(_human_line(f) for f in group))
    blocks.append(summarize(findings))
    return "\n\n".join(blocks)


def _human_line(finding: Diagnostic) -> str:
    where, message = printable(str(finding.location)), printable(finding.message)
    return f"{where}: {finding.severity} {finding.code} {message}"


def _json(findings: Sequence[Diagnostic], external_links: Sequence[str]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    document = {
        "findings": [finding_json(f) for f in findings],
        "summary": {"errors": errors, "warnings": len(findings) - errors},
        "external_links": list(external_links),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _github(findings: Sequence[Diagnostic]) -> str:
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
        lines.append(f"::{f.severity} {','.join(properties)}::{_escape_data(f.message)}")
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def finding_json(finding: Diagnostic) -> dict[str, object]:
    location = finding.location
    return {
        "path": str(location.path),
        "line": location.line,
        "column": location.column,
        "severity": finding.severity,
        "rule": finding.code,
        "message": finding.message,
    }
