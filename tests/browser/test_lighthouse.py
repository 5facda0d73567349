"""Lighthouse (npm lighthouse@12.2.3, pinned: newer majors need a newer Node) scores 100 for accessibility.

Each page costs a Chromium start and ~10 s, so a few pages stand for their templates. The search
page is audited with a query in its address, so its script runs the search on load.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, NODE_MODULES

LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
LIGHTHOUSE_CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --disable-sync"
)
PAGES = {
    "home": "",
    "category listing": "catalogue/policies/",
    "record": "records/policies/2026/graduate-internship-subsidy/",
    "annual report": "records/annual-reports/2026/gov-annual-report-2025/",
    "consultation (a column kind)": "records/consultations/2026/elderly-care-regulation-draft/",
    "search": "search/?q=%E6%B0%91%E8%90%A5%E7%BB%8F%E6%B5%8E",  # 民营经济
}


def lighthouse_accessibility(url: str, report_dir: Path) -> tuple[float, list[str]]:
    """Lighthouse's accessibility score (0-1) for `url` and the audits that lost points."""
    if not LIGHTHOUSE.exists():
        pytest.fail("lighthouse missing: run bash scripts/setup-browser.sh", pytrace=False)
    report_dir.mkdir(parents=True, exist_ok=True)
    report = report_dir / "report.json"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=accessibility",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={LIGHTHOUSE_CHROME_FLAGS}",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        cwd=report_dir,
        check=True,
        capture_output=True,
    )
    result = json.loads(report.read_text(encoding="utf-8"))
    failed = [
        f"{audit_id}: {audit['title']}"
        for audit_id, audit in result["audits"].items()
        if audit.get("score") is not None and audit["score"] < 1
    ]
    return float(result["categories"]["accessibility"]["score"]), failed


def lighthouse_many(urls: dict[str, str], tmp_path: Path) -> dict[str, tuple[float, list[str]]]:
    # Two at a time: each run is mostly one Chromium waiting on itself.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(lighthouse_accessibility, url, tmp_path / str(i))
            for i, (name, url) in enumerate(urls.items())
        }
        return {name: future.result() for name, future in futures.items()}


def test_lighthouse_accessibility_is_100(site_url: str, demo_build: Path, tmp_path: Path) -> None:
    for path in PAGES.values():
        page = demo_build / urlsplit(path).path / "index.html"
        assert page.is_file(), f"no page {path}: update PAGES"
    results = lighthouse_many({n: site_url + p for n, p in PAGES.items()}, tmp_path)
    below = [
        f"{name}: {score * 100:.0f} ({'; '.join(failed)})"
        for name, (score, failed) in results.items()
        if score < 1
    ]
    assert not below, "\n".join(below)
