"""Dates act: one site built as of several days shows each record's validity on that day.

The site is the sample site plus a policy that takes effect on 2026-12-01 and is valid
until 2027-06-30, and a policy (with its interpretation) published on 2027-01-10. Each
build checks what a citizen and a machine see: the record page, listing badges, the
失效废止 listing, the search filter data, open data, feeds and JSON-LD.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite import pipeline, serve
from govsite.cli import main
from govsite.config import load_project
from govsite.engine.live import LiveSite
from govsite.errors import BuildFailed
from govsite.model import status_on
from govsite.outputs.opendata import record_file
from govsite.pipeline import check_site
from tests.conftest import MakeSite, tree_bytes
from tests.test_uptodate import settle

TIMED = "000000001/2026-00010"
TIMED_PAGE = "records/policies/2026/timed-measures/index.html"
LATER = "000000001/2027-00001"
LATER_PAGE = "records/policies/2027/later-measures/index.html"
LATER_INTERPRETATION = "000000001/2027-00002"

BEFORE_EFFECTIVE = date(2026, 11, 25)
EFFECTIVE_DAY = date(2026, 12, 1)
DAY_BEFORE_PUBLISHED = date(2027, 1, 9)
PUBLISHED_DAY = date(2027, 1, 10)
LAST_VALID_DAY = date(2027, 6, 30)
AFTER_EXPIRES = date(2027, 7, 1)


def _record(title: str, index_no: str, published: str, extra: str = "") -> str:
    return (
        f"---\ntitle: {title}\nindex_no: {index_no}\nagency: gov-office\ngenre: 通知\n"
        f"written: {published}\npublished: {published}\ncategory: policies/municipal\n"
        f"summary: {title}。\n{extra}---\n\n正文。\n"
    )


FILES = {
    "content/records/policies/2026/timed-measures.md": _record(
        "示例市限时措施",
        TIMED,
        "2026-11-20",
        "effective: 2026-12-01\nexpires: 2027-06-30\n",
    ),
    "content/records/policies/2027/later-measures.md": _record(
        "示例市后续措施", LATER, "2027-01-10"
    ),
    "content/records/interpretations/2027/later-measures-explained.md": _record(
        "《示例市后续措施》解读", LATER_INTERPRETATION, "2027-01-10", f"interprets: [{LATER}]\n"
    ).replace("category: policies/municipal", "category: interpretations"),
}


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(FILES)


def build_as_of(root: Path, day: date) -> Path:
    out = root.parent / f"build-{day.isoformat()}"
    pipeline.build(load_project(root, out), as_of=day)
    return out


def text(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def record_json(out: Path, index_no: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(text(out, record_file(index_no)))
    return loaded


def legal_force(page: str) -> str:
    found = re.search(r'"legislationLegalForce": "([^"]+)"', page)
    assert found, "the record page carries JSON-LD"
    return found.group(1)


def changed_on(out: Path) -> tuple[str, str]:
    """The timed record's sitemap lastmod and its feed entry's `updated`."""
    sitemap = text(out, "sitemap.xml")
    url = sitemap[sitemap.index("timed-measures/</loc>") :].split("</url>")[0]
    lastmod = re.search(r"<lastmod>([^<]+)</lastmod>", url)
    feed = text(out, "feeds/all.xml")
    entry = feed[feed.index("<title>示例市限时措施</title>") :].split("</entry>")[0]
    updated = re.search(r"<updated>([^<]+)</updated>", entry)
    assert lastmod and updated
    return lastmod.group(1), updated.group(1)


def feed_status(out: Path, title: str) -> str:
    """The status category of the entry titled `title` in the feed of all records."""
    feed = text(out, "feeds/all.xml")
    entry = feed[feed.index(f"<title>{title}</title>") :].split("</entry>")[0]
    found = re.search(r'<category term="([a-z]+)" scheme="[^"]*#status" label="([^"]+)"/>', entry)
    assert found, entry
    return f"{found.group(1)} {found.group(2)}"


def test_status_is_decided_in_one_place() -> None:
    assert status_on("effective", EFFECTIVE_DAY, LAST_VALID_DAY, BEFORE_EFFECTIVE) == "pending"
    assert status_on("effective", EFFECTIVE_DAY, LAST_VALID_DAY, EFFECTIVE_DAY) == "effective"
    assert status_on("effective", EFFECTIVE_DAY, LAST_VALID_DAY, LAST_VALID_DAY) == "effective"
    assert status_on("amended", None, LAST_VALID_DAY, AFTER_EXPIRES) == "expired"
    assert status_on("repealed", EFFECTIVE_DAY, None, BEFORE_EFFECTIVE) == "repealed"


def test_before_effective_the_record_is_pending_with_the_day_it_takes_effect(site: Path) -> None:
    out = build_as_of(site, BEFORE_EFFECTIVE)
    page = text(out, TIMED_PAGE)
    assert '<span class="validity validity-pending">尚未施行</span>' in page
    assert (
        '<span class="notice-text">本文件自<time datetime="2026-12-01">2026年12月01日</time>'
        "起施行，此前尚未施行。</span>"
    ) in page
    assert 'data-pagefind-filter="validity:pending"' in page
    assert legal_force(page) == "https://schema.org/NotInForce"
    listing = text(out, "catalogue/policies/municipal/index.html")
    assert '<tr class="row-pending">' in listing
    assert "示例市限时措施" not in text(out, "repealed/index.html")
    data = record_json(out, TIMED)
    assert (data["validity"], data["status"], data["in_force"]) == ("effective", "pending", False)
    assert feed_status(out, "示例市限时措施") == "pending 尚未施行"
    assert changed_on(out) == ("2026-11-20", "2026-11-20T00:00:00+08:00")  # as published


def test_on_its_effective_day_the_record_is_in_force(site: Path) -> None:
    out = build_as_of(site, EFFECTIVE_DAY)
    page = text(out, TIMED_PAGE)
    assert '<span class="validity validity-effective">有效</span>' in page
    assert 'class="notice' not in page
    assert legal_force(page) == "https://schema.org/InForce"
    data = record_json(out, TIMED)
    assert (data["status"], data["in_force"]) == ("effective", True)
    assert feed_status(out, "示例市限时措施") == "effective 有效"
    # The page changed today (尚未施行 → 有效): crawlers and feed readers are told so.
    assert changed_on(out) == ("2026-12-01", "2026-12-01T00:00:00+08:00")


def test_after_expires_the_record_is_expired_everywhere(site: Path) -> None:
    out = build_as_of(site, AFTER_EXPIRES)
    page = text(out, TIMED_PAGE)
    # The metadata table: 有效期至 next to 已失效, never 有效.
    assert '<span class="validity validity-expired">已失效</span>' in page
    assert "validity-effective" not in page
    assert "本文件已失效，不再执行，内容仅供查阅参考。" in page
    assert 'data-pagefind-filter="validity:expired"' in page
    assert 'data-pagefind-meta="validity:已失效"' in page  # what a search result shows
    assert legal_force(page) == "https://schema.org/NotInForce"
    listing = text(out, "catalogue/policies/municipal/index.html")
    row = listing[listing.index("示例市限时措施") :].split("</tr>")[0]
    assert '<span class="validity validity-expired">已失效</span>' in row
    home = text(out, "index.html")
    item = home[home.index("示例市限时措施") :].split("</li>")[0]
    assert "已失效" in item  # the home page's list badges a record not in force
    assert "示例市限时措施" in text(out, "repealed/index.html")
    data = record_json(out, TIMED)
    assert (data["validity"], data["status"], data["in_force"]) == ("effective", "expired", False)
    catalogue = json.loads(text(out, "data/catalogue.json"))
    assert catalogue["as_of"] == "2027-07-01"
    csv_lines = text(out, "data/catalogue.csv").splitlines()
    header = csv_lines[0].lstrip("\ufeff").split(",")
    row_cells = next(line for line in csv_lines if line.startswith(TIMED)).split(",")
    assert row_cells[header.index("validity")] == "effective"
    assert row_cells[header.index("status")] == "expired"
    assert row_cells[header.index("in_force")] == "false"
    assert feed_status(out, "示例市限时措施") == "expired 已失效"
    assert changed_on(out) == ("2027-07-01", "2027-07-01T00:00:00+08:00")
    assert catalogue["updated"] == "2027-07-01"


def test_a_record_published_later_is_held_back_until_that_day(site: Path) -> None:
    out = build_as_of(site, DAY_BEFORE_PUBLISHED)
    assert not (out / LATER_PAGE).exists()
    everything = "".join(
        p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml", ".json", ".csv", ".txt")
    )
    assert "示例市后续措施" not in everything  # no page, listing, feed, sitemap, open data
    assert "later-measures" not in everything
    assert not (out / record_file(LATER)).exists()

    out = build_as_of(site, PUBLISHED_DAY)
    assert "示例市后续措施" in text(out, LATER_PAGE)
    assert "later-measures" in text(out, "sitemap.xml")
    assert "示例市后续措施" in text(out, "feeds/all.xml")
    assert record_json(out, LATER)["interpretations"] == [LATER_INTERPRETATION]


def test_the_build_summary_lists_what_is_scheduled_and_up_to_date_never_replays_another_day(
    site: Path,
) -> None:
    runner = CliRunner()

    def build(day: date) -> str:
        result = runner.invoke(
            main, ["build", "--site", str(site), "--as-of", day.isoformat(), "--lang", "en"]
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    settle(site)  # an up-to-date build trusts only mtimes older than a second
    first = build(DAY_BEFORE_PUBLISHED)
    scheduled = (
        f"scheduled: {LATER} (content/records/policies/2027/later-measures.md) "
        "appears on 2027-01-10"
    )
    assert first.startswith("Built") and scheduled in first
    again = build(DAY_BEFORE_PUBLISHED)
    assert again.startswith("Up to date") and scheduled in again  # replayed, with the list
    next_day = build(PUBLISHED_DAY)
    assert next_day.startswith("Built") and "scheduled" not in next_day
    assert "示例市后续措施" in text(site / "build", LATER_PAGE)


def test_a_build_for_a_later_day_from_the_cache_equals_a_clean_build(site: Path) -> None:
    project = load_project(site)
    pipeline.build(project, as_of=BEFORE_EFFECTIVE, cache_dir=project.cache_dir)
    for day in (PUBLISHED_DAY, AFTER_EXPIRES):
        # The day is part of the snapshot's key: a build of everything, with the kept bodies.
        cached = pipeline.build(project, as_of=day, cache_dir=project.cache_dir)
        assert cached.pages_reused == 0 and cached.site is not None  # not replayed
        clean = build_as_of(site, day)
        assert tree_bytes(site / "build") == tree_bytes(clean)  # what the day changed, changed


def test_by_default_a_site_is_built_for_today_in_china_whatever_the_machines_zone(
    site: Path,
) -> None:
    def beijing_today() -> str:
        return datetime.now(timezone(timedelta(hours=8))).date().isoformat()

    # UTC-12: for 20 hours of each day its date is not Beijing's (a CI runner on UTC: 8).
    environment = {**os.environ, "TZ": "Etc/GMT+12"}
    before = beijing_today()
    command = [sys.executable, "-m", "govsite", "build", "--site", str(site), "--no-cache", "-q"]
    subprocess.run(command, env=environment, check=True)
    built_for = json.loads(text(site / "build", "data/catalogue.json"))["as_of"]
    assert built_for in (before, beijing_today())  # the same day, unless midnight passed


def test_the_preview_builds_again_when_the_day_changes(site: Path) -> None:
    days = [BEFORE_EFFECTIVE]
    state = serve.PreviewState(LiveSite(site, today=lambda: days[0]))
    state.rebuild(None, lambda _line: None)
    assert "尚未施行" in text(site / "build", TIMED_PAGE)
    changed = threading.Event()  # no file changes: only the day does
    watcher = serve._ChangeWatcher(changed, site / "build")
    threading.Thread(
        target=serve._rebuild_loop,
        args=(changed, watcher, state, lambda _line: None, lambda: days[0], 0.2),
        daemon=True,
    ).start()
    days[0] = AFTER_EXPIRES
    assert state.wait_for_change((1, 0), timeout=120)[0] == 2
    assert '<span class="validity validity-expired">已失效</span>' in text(
        site / "build", TIMED_PAGE
    )


def test_a_link_to_a_record_held_back_waits_for_it(make_site: MakeSite) -> None:
    early = _record(
        "《示例市后续措施》提前解读",
        "000000001/2026-00011",
        "2026-11-20",
        f"interprets: [{LATER}]\n",
    ).replace("category: policies/municipal", "category: interpretations")
    root = make_site({**FILES, "content/records/interpretations/2026/early.md": early})
    result = pipeline.build(load_project(root, root / "out"), as_of=BEFORE_EFFECTIVE)
    warnings = [d for d in result.diagnostics if d.code == "GS320"]
    assert len(warnings) == 1
    assert str(warnings[0].location) == "content/records/interpretations/2026/early.md:10:13"
    assert "held back until it is published on 2027-01-10" in warnings[0].message
    assert "示例市后续措施</a>" not in text(
        root / "out", "records/interpretations/2026/early/index.html"
    )


def test_check_names_records_that_expired_within_the_review_period(site: Path) -> None:
    project = load_project(site)
    outcome = check_site(project, AFTER_EXPIRES)
    assert not isinstance(outcome, BuildFailed)
    expired = [f for f in outcome.findings if f.code == "GC407"]
    assert [str(f.location) for f in expired] == [
        "content/records/policies/2026/timed-measures.md:11:1"
    ]
    assert "expired on 2027-06-30 (1 days ago)" in expired[0].message
    assert expired[0].hint is not None and "set 'validity: expired'" in expired[0].hint
    outcome = check_site(project, date(2032, 6, 30))  # 1827 days: past the review period
    assert not isinstance(outcome, BuildFailed)
    assert not [f for f in outcome.findings if f.code == "GC407"]
    outcome = check_site(project, LAST_VALID_DAY)
    assert not isinstance(outcome, BuildFailed)
    assert not [f for f in outcome.findings if f.code == "GC407"]


def test_a_new_site_passes_strict_on_the_day_it_is_made(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "fresh"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    built = runner.invoke(main, ["build", "--site", str(target), "--strict", "--no-cache"])
    assert built.exit_code == 0, built.output


def test_init_dates_the_sample_records_today_with_the_year_in_their_index_numbers(
    tmp_path: Path,
) -> None:
    from govsite.scaffold import create_site

    target = tmp_path / "fresh"
    create_site(target, today=date(2027, 2, 3))
    policy = target / "content/records/policies/2027/disclosure-work-points.md"
    written = policy.read_text(encoding="utf-8")
    assert "index_no: 000000001/2027-00001\n" in written
    assert "published: 2027-02-03\n" in written and "written: 2027-02-03\n" in written
    assert not (target / "content/records/policies/2026").exists()
    result = pipeline.build(load_project(target), strict=True, as_of=date(2027, 2, 3))
    assert result.records == 2


def test_new_interpretation_refuses_a_record_that_does_not_exist(site: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "new",
            "interpretation",
            "--title",
            "解读",
            "--interprets",
            "000000001/2026-00019",
            "--site",
            str(site),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 2
    assert (
        "error: no record has the index number (索引号) '000000001/2026-00019'\n"
        "  hint: did you mean '000000001/2026-00010'?"
    ) in result.output
    assert not list((site / "content/records/interpretations").rglob("gov-office-*.md"))


def test_the_scheduled_build_examples_are_valid_yaml_with_a_daily_schedule() -> None:
    import yaml

    from tests.conftest import REPO

    doc = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")
    github, gitlab = (
        yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL)
    )
    assert github[True]["schedule"] == [{"cron": "30 16 * * *"}]  # YAML 1.1 reads `on` as True
    assert "govsite build --strict" in github["jobs"]["build"]["steps"][-2]["run"]
    assert any("schedule" in rule["if"] for rule in gitlab["pages"]["rules"])
