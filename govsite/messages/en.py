"""English messages, keyed by diagnostic code (and variant); `{name}` marks a parameter.

Every key here needs one in zh.py (a test compares the two), and a test with its exact text.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "summary.nnn": "{problems} problems ({errors} errors, {warnings} warnings).",
    "summary.1n1": "{problems} problem ({errors} errors, {warnings} warning).",
    "summary.11n": "{problems} problem ({errors} error, {warnings} warnings).",
    "summary.nn1": "{problems} problems ({errors} errors, {warnings} warning).",
    "summary.n1n": "{problems} problems ({errors} error, {warnings} warnings).",
    "summary.n11": "{problems} problems ({errors} error, {warnings} warning).",
    "summary.111": "{problems} problem ({errors} error, {warnings} warning).",
    "summary.1nn": "{problems} problem ({errors} errors, {warnings} warnings).",
    "summary.nothing-written": " Nothing was written.",
    # Hints shared by several codes.
    "hint.did-you-mean": "did you mean '{word}'?",
    # GS1xx: files that cannot be read.
    "GS101": "not UTF-8 text (byte 0x{byte} cannot be decoded)",
    "GS101.hint": "save the file as UTF-8 (files saved as GBK/GB18030 by older editors are the usual cause)",
    "GS102": "invalid YAML: {detail}",
    "GS102.fullwidth-colon": "line {line}, column {column} is a full-width colon '：' after the key '{key}'; write a half-width ':'",
    "GS102.fullwidth-colon.hint": "write '{key}: ' (a half-width colon and a space)",
    "GS102.fullwidth-space": "line {line}, column {column} is a full-width space (U+3000) where YAML expects a half-width space",
    "GS102.fullwidth-space.hint": "replace it with half-width spaces",
    "GS102.fullwidth-bracket": "line {line}, column {column} is a full-width bracket '{char}' where a list's '{ascii}' belongs",
    "GS102.fullwidth-bracket.hint": "write the list with half-width brackets: [{items}]",
    "GS103": "duplicate key '{key}' (first written at line {line})",
    "GS104.no-front-matter": "a document must start with '---' and its YAML front matter",
    "GS104.unclosed": "the front matter is never closed with a '---' line",
    # GS2xx: keys and values.
    "GS201": "unknown key '{key}'",
    "GS201.chinese-name.hint": "the key for {name} is '{word}': write '{word}: …'",
    "GS202": "missing required field '{field}'",
    "GS202.index-no.hint": "the next free index number is '{index_no}': add 'index_no: {index_no}'",
    "GS203.mapping": "expected a mapping of keys, got {got}",
    "GS203.choice": "'{field}': '{value}' is not one of: {choices}",
    "GS203.choice-chinese.hint": "for {value} write '{word}'",
    "GS203.empty": "'{field}': must not be empty",
    "GS203.text": "'{field}': expected text, got {got}",
    "GS203.text.hint": 'write it in quotes: "{written}"',
    "GS203.bool": "'{field}': expected true or false, got {got}",
    "GS203.int": "'{field}': expected a whole number, got {got}",
    "GS102.key-not-text": "a mapping key must be plain text",
    "GS203.slug": "slug '{slug}' may hold only letters, digits, '.', '_' and '-'",
    "GS204": "'{field}': {got} is not a valid date",
    "GS204.month": "'{field}': {got} is not a valid date (there is no month {month})",
    "GS204.day": "'{field}': {got} is not a valid date (month {month} of {year} has {days} days)",
    "GS204.hint": "write dates as YYYY-MM-DD",
    "GS204.converted.hint": "did you mean {iso}? Dates are written YYYY-MM-DD",
    "GS205": "index_no '{index_no}' does not follow the site's pattern '{pattern}'",
    "GS205.hint": "for example '{example}'",
    "GS206": "index_no '{index_no}' is already used by {first}",
    "GS206.hint": "an index number identifies one record for good: give this record a new one, e.g. '{free}'",
    "GS207": "'{field}[{index}]': '{value}' is separated by full-width commas '，'; it was read as several items",
    "GS207.hint": "separate the items with half-width commas: [{items}]",
    # GS3xx: references between files.
    "GS301": "unknown agency '{value}' in '{field}'",
    "GS302": "unknown category '{value}' in '{field}'",
    "GS303": "unknown topic '{value}' in '{field}'",
    "GS304": "unknown record '{value}' in '{field}'",
    "GS305": "unknown record '{value}' in '{field}'",
    "GS30x.title.hint": "'{value}' is the title of '{word}': write its key, '{word}'",
    "GS306": "attachment 'content/{file}' does not exist",
    "GS306.hint": "attachment paths are relative to content/",
    "GS307.outside": "link '{href}' leads outside content/",
    "GS307.missing": "link '{href}' points to a document that does not exist ('content/{target}')",
    # The preview server's page when the site did not build.
    "preview.title": "The site did not build",
    "preview.lead": "Fix these and save; this page reloads after the next build.",
    # Values as messages describe them (the `got` of GS203 and GS204).
    "value.nothing": "nothing",
    "value.list": "a list",
    "value.mapping": "a mapping",
    "value.number": "the number {value}",
    "value.written": "'{value}'",
}
