"""Every kind of bad input gives located diagnostics, a non-zero exit and leaves build/ untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsite import pipeline
from govsite.config import load_project
from govsite.errors import BuildFailed
from tests.conftest import MakeSite, tree_digest

POLICY = "content/records/policies/2026/disclosure-work-points.md"
INTERPRETATION = "content/records/interpretations/2026/disclosure-work-points-explained.md"
CONFIG = "govsite.yaml"


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (case id, edits as (file, old, new) or (file, None, whole new content), expected diagnostics)
CASES: list[tuple[str, list[tuple[str, str | None, str | bytes]], list[str]]] = [
    (
        "malformed-yaml-in-front-matter",
        [(POLICY, "keywords: [政务公开, 工作要点]", "keywords: [政务公开, 工作要点")],
        [
            f"{POLICY}:11:11: error[GS102]: the list begun here with '[' is never closed with ']'",
            "  hint: end the list with ']' on the same line, its items separated by half-width "
            "commas: [a, b]",
        ],
    ),
    (
        "misspelt-front-matter-key",
        [(POLICY, "genre: 通知", "gnere: 通知")],
        [f"{POLICY}:6:1: error[GS201]: unknown key 'gnere'", "  hint: did you mean 'genre'?"],
    ),
    (
        "missing-required-field",
        [(POLICY, "written: 2026-03-02\n", "")],
        [
            f"{POLICY}:2:1: error[GS202]: missing required field 'written'",
            "  hint: add a line 'written: …'",
        ],
    ),
    (
        "invalid-date",
        [(POLICY, "published: 2026-03-05", "published: 2026-02-30")],
        [
            f"{POLICY}:8:12: error[GS204]: 'published': '2026-02-30' is not a valid date "
            "(month 2 of 2026 has 28 days)",
            "  hint: write dates as YYYY-MM-DD",
        ],
    ),
    (
        "unknown-agency-category-topic",
        [
            (POLICY, "agency: gov-office", "agency: gov-ofice"),
            (POLICY, "category: policies/municipal", "category: policies/munícipal"),
            (
                POLICY,
                "topics: [general/disclosure]",
                "topics: [general/disclosure, general/nothing]",
            ),
        ],
        [
            f"{POLICY}:5:9: error[GS301]: unknown agency 'gov-ofice' in 'agency'",
            "  hint: did you mean 'gov-office'?",
            f"{POLICY}:9:11: error[GS302]: unknown category 'policies/munícipal' in 'category'",
            "  hint: did you mean 'policies/municipal'?",
            f"{POLICY}:10:30: error[GS303]: unknown topic 'general/nothing' in 'topics'",
            "  hint: did you mean 'general'?",
        ],
    ),
    (
        "index-number-off-pattern",
        [(POLICY, "index_no: 000000001/2026-00001", "index_no: 000000001-2026-1")],
        [
            f"{POLICY}:3:11: error[GS205]: index_no '000000001-2026-1' does not follow the "
            "site's pattern '{agency_code}/{year}-{serial:05d}'",
            "  hint: for example '000000001/2026-00003'",
        ],
    ),
    (
        "duplicate-index-number",
        [(INTERPRETATION, "index_no: 000000001/2026-00002", "index_no: 000000001/2026-00001")],
        [
            f"{POLICY}:3:11: error[GS206]: index_no '000000001/2026-00001' is already used "
            f"by {INTERPRETATION}:3:11",
            "  hint: an index number identifies one record for good: give this record a new one, "
            "e.g. '000000001/2026-00002'",
        ],
    ),
    (
        "dangling-supersession-and-interpretation",
        [
            (
                INTERPRETATION,
                "interprets: [000000001/2026-00001]",
                "interprets: [000000001/2026-00009]",
            ),
            (POLICY, "summary:", "superseded_by: 000000001/2025-00001\nsummary:"),
        ],
        [
            f"{INTERPRETATION}:10:13: error[GS305]: unknown record '000000001/2026-00009' in 'interprets'",
            "  hint: did you mean '000000001/2026-00001'?",
            f"{POLICY}:12:16: error[GS304]: unknown record '000000001/2025-00001' in 'superseded_by'",
            "  hint: did you mean '000000001/2026-00002'?",
        ],
    ),
    (
        "missing-attachment",
        [(POLICY, "summary:", "attachments:\n  - file: files/plan.pdf\n    title: 附件\nsummary:")],
        [
            f"{POLICY}:13:11: error[GS306]: attachment 'content/files/plan.pdf' does not exist",
            "  hint: attachment paths are relative to content/",
        ],
    ),
    (
        "two-documents-one-url",
        [("content/pages/guide/index.md", None, "---\ntitle: 另一份指南\n---\n")],
        [
            "content/pages/guide/index.md: error[GS401]: output 'pages/guide/index.html' is claimed "
            "twice: also by content/pages/guide.md",
            "  hint: give one of them a different file name or `slug`",
        ],
    ),
    (
        "link-to-missing-document",
        [(INTERPRETATION, "disclosure-work-points.md)", "no-such-file.md)")],
        [
            f"{INTERPRETATION}:15: error[GS307]: link '../../policies/2026/no-such-file.md' points "
            "to a document that does not exist ('content/records/policies/2026/no-such-file.md')",
            "  hint: a link to another document is written to its .md file, relative to this file",
        ],
    ),
    (
        "not-utf8",
        [("content/pages/guide.md", None, "---\ntitle: 指南\n---\n\n第二行\n".encode("gb18030"))],
        [
            # 指 happens to be valid UTF-8 too; 南 is where decoding fails.
            "content/pages/guide.md:2:10: error[GS101]: not UTF-8 text (byte 0xc4 cannot be decoded)",
            "  hint: save the file as UTF-8 (files saved as GBK/GB18030 by older editors are the usual cause)",
        ],
    ),
    (
        "unknown-config-key-and-bad-site-id",
        [
            (CONFIG, "page_size: 20", "page_sise: 20"),
            (CONFIG, 'site_id: "1100000001"', 'site_id: "99123"'),
        ],
        [
            f"{CONFIG}:7:1: error[GS201]: unknown key 'page_sise'",
            "  hint: did you mean 'page_size'?",
        ],
    ),
    (
        "yaml-aliases-without-bound-in-front-matter",
        [
            (
                POLICY,
                "keywords: [政务公开, 工作要点]",
                "keywords: &k0 [政务公开, 工作要点]\n"
                + "".join(f"x{n}: &k{n} [{', '.join([f'*k{n - 1}'] * 9)}]\n" for n in range(1, 6)),
            )
        ],
        [
            f"{POLICY}:15:1: error[GS106]: aliases repeat values here into more than 10,000 values",
            "  hint: write the values out instead of nesting aliases (*name) of aliases",
        ],
    ),
    (
        "yaml-nested-too-deep-in-a-catalogue",
        [
            (
                "content/catalogues/topics.yaml",
                None,
                "- key: deep\n  title: 深\n  children: " + "[" * 500 + "]" * 500 + "\n",
            )
        ],
        [
            "content/catalogues/topics.yaml:3:111: error[GS106]: lists and mappings nested more "
            "than 100 levels deep",
            "  hint: flatten the structure; no field of govsite's nests this deep",
        ],
    ),
    (
        "bad-site-id",
        [(CONFIG, 'site_id: "1100000001"', 'site_id: "9912300000"')],
        [
            f"{CONFIG}:10:12: error[GS112]: 网站标识码 '9912300000' does not start with a province code (11–82)",
            "  hint: copy the 网站标识码 from the site's entry in the national government-website "
            "database (全国政府网站基本信息数据库)",
        ],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_reported_where_it_is_and_nothing_is_written(
    make_site: MakeSite, edits: list[tuple[str, str | None, str | bytes]], expected: list[str]
) -> None:
    root = make_site()
    pipeline.build(load_project(root))
    before = tree_digest(root / "build")
    for relative, old, new in edits:
        if old is None:
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(new if isinstance(new, bytes) else new.encode())
        else:
            assert isinstance(new, str)
            edit(root, relative, old, new)

    with pytest.raises(BuildFailed) as failure:
        pipeline.build(load_project(root))

    lines = failure.value.format_text().splitlines()
    assert lines[:-1] == expected
    assert lines[-1].endswith("Nothing was written.")
    assert tree_digest(root / "build") == before
    assert sorted(p.name for p in root.iterdir()) == sorted(["build", "content", "govsite.yaml"])
