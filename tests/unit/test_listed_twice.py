"""An item of a front-matter list named twice is read once (GS208 warns where)."""

from __future__ import annotations

from govsite import pipeline
from govsite.config import load_project
from tests.conftest import REPO, MakeSite

RECORD = "content/records/policies/2026/disclosure-work-points.md"
FIXTURE = REPO / "tests" / "fixtures" / "mistakes" / "agency-listed-twice" / "site" / RECORD


def test_an_agency_listed_twice_shows_the_record_once(make_site: MakeSite) -> None:
    root = make_site({RECORD: FIXTURE.read_text(encoding="utf-8")})
    result = pipeline.build(load_project(root))
    assert [d.code for d in result.diagnostics] == ["GS208"]
    listing = (root / "build" / "agencies" / "gov-office" / "index.html").read_text("utf-8")
    assert listing.count("disclosure-work-points/index.html") == 1
    page = next((root / "build" / "records").rglob("disclosure-work-points/index.html"))
    agency = "示例市人民政府办公室"
    assert f"{agency}、{agency}" not in page.read_text(encoding="utf-8")
