"""Every rule of `govsite check`: its id, severity and one-line explanation.

docs/checks.md documents each rule (what, how to fix, how to silence) and a test keeps
that table and this one in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from govsite.errors import Diagnostic, Severity, SourceLocation
from govsite.messages import Text


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    summary: str


_RULES = (
    # Links
    Rule("GC101", "error", "an internal link or #fragment in the built site leads nowhere"),
    Rule("GC102", "error", "an external link answers 'not found' or another client error"),
    Rule("GC103", "warning", "an external link timed out, failed or answered a server error"),
    # Metadata
    Rule("GC201", "error", "`published` is earlier than `written`"),
    Rule("GC202", "warning", "a repealed or expired record names no successor and no note"),
    Rule("GC203", "error", "a chain of `superseded_by` loops back on itself"),
    Rule("GC204", "error", "a record still `effective` has been replaced by an effective one"),
    Rule("GC205", "error", "the index number's agency code is not the first agency's code"),
    Rule("GC206", "error", "the index number's year is not the year of `published`"),
    Rule("GC207", "warning", "a document still holds the placeholder text `govsite new` wrote"),
    Rule("GC208", "warning", "a record of `summary_categories` has no 内容概述 (`summary`)"),
    # Content accessibility (Markdown source)
    Rule("GC301", "error", "an image has no text alternative"),
    Rule("GC302", "error", "an image's text alternative is a file name"),
    Rule("GC303", "warning", "a heading skips a level"),
    Rule("GC304", "warning", "a second top-level heading in the body"),
    Rule("GC305", "warning", "link text that says nothing on its own"),
    Rule("GC306", "error", "a table without a header row"),
    Rule("GC307", "warning", "a very long paragraph"),
    Rule("GC308", "warning", "a very long sentence"),
    Rule("GC309", "warning", "text in capital letters"),
    Rule("GC310", "warning", "an instruction that relies on colour alone"),
    # Timeliness (国办秘函〔2019〕19号)
    Rule("GC401", "error", "the home page's newest record is too old"),
    Rule("GC402", "warning", "a category has no new record inside its update window"),
    Rule("GC403", "error", "too many categories are not updated (a site-level veto)"),
    Rule("GC404", "warning", "a category has no records at all"),
    Rule("GC405", "error", "too many categories are empty (a site-level veto)"),
    Rule("GC406", "warning", "a record in force is past its review period"),
    Rule("GC407", "warning", "a record expired by its `expires` date within the review period"),
    Rule("GC408", "warning", "last year's annual report is not published after its due date"),
    Rule("GC409", "warning", "a closed consultation names no 采纳情况反馈 after `feedback_days`"),
    # Interpretation (三同步)
    Rule("GC501", "error", "a policy in force has no interpretation"),
    Rule("GC502", "warning", "an interpretation was not published together with its policy"),
    # Output
    Rule("GC601", "warning", "a page is not reachable from the home page or a listing"),
    Rule("GC602", "warning", "two records of one category share a title"),
    Rule("GC603", "error", "two pages share a <title>"),
    Rule("GC604", "error", "a page has no meta description"),
    # Site identity (政府网站发展指引, 国办发〔2017〕47号)
    Rule("GC701", "error", "the site has no 我为政府网站找错 address (`error_report_url`)"),
    Rule("GC702", "error", "the site has no 党政机关标识 (`party_gov_logo`)"),
    # Safety
    Rule("GC801", "error", "an SVG, HTML or XML file under content/ can run script"),
)

RULES: Mapping[str, Rule] = {rule.id: rule for rule in _RULES}


def finding(
    rule_id: str, message: str | Text, location: SourceLocation, hint: Text | None = None
) -> Diagnostic:
    """A Diagnostic of `rule_id` at its registered severity; a catalogue message's key
    starts with the rule id (govsite/messages/), and `hint` says how to fix it."""
    rule = RULES[rule_id]
    return Diagnostic.of(rule.severity, message, location, hint, code=rule.id)


def without_ignored(
    findings: Iterable[Diagnostic],
    site_ignore: Iterable[str],
    document_ignore: Mapping[PurePosixPath, frozenset[str]],
) -> list[Diagnostic]:
    """Drop what the site's config or a document's `check: {ignore: […]}` silenced."""
    ignored = frozenset(site_ignore)
    if not ignored and not document_ignore:
        return list(findings)
    return [
        f
        for f in findings
        if f.code not in ignored and f.code not in document_ignore.get(f.location.path, ())
    ]
