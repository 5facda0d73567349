"""One build or preview of a site at a time (lock.py), and a build cache that tolerates
another process writing the same files: each proved with real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from govsite.cachefiles import read_checked
from govsite.cli import main
from govsite.config import CACHE_DIR
from tests.conftest import MakeSite
from tests.serving import eventually

GOVSITE = [sys.executable, "-m", "govsite"]
LOCK_FILE = "lock"  # lock.LOCK_FILE, in the cache folder


def test_a_second_build_fails_at_once_naming_the_holder_and_a_killed_holder_frees_the_site(
    make_site: MakeSite,
) -> None:
    site = make_site()
    serve = subprocess.Popen(
        [*GOVSITE, "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The preview holds the site (or, without a lock, has built it once).
        eventually(lambda: _holder(site) == serve.pid or (site / "build" / "index.html").exists())
        busy = subprocess.run(
            [*GOVSITE, "build", "--site", str(site), "-j", "1", "--lang", "en"],
            capture_output=True,
            text=True,
        )
        assert busy.returncode == 2, busy.stderr
        assert f"pid {serve.pid}" in busy.stderr
        assert "'govsite serve --site" in busy.stderr
        assert "already building or previewing this site" in busy.stderr
        second = subprocess.run(  # a second preview of the site is refused the same way
            [*GOVSITE, "serve", "--site", str(site), "--port", "0"],
            capture_output=True,
            text=True,
            timeout=120,  # without the lock it would serve until killed
        )
        assert second.returncode == 2, second.stderr
        assert f"pid {serve.pid}" in second.stderr
    finally:
        serve.send_signal(signal.SIGKILL)  # no chance to clean up: the OS must free the lock
        serve.wait()
    after = subprocess.run(
        [*GOVSITE, "build", "--site", str(site), "-j", "1", "--lang", "en"],
        capture_output=True,
        text=True,
    )
    assert after.returncode == 0, after.stderr
    assert "Up to date" in after.stdout or "Built" in after.stdout


def _holder(site: Path) -> int | None:
    """The pid the site's lock file names, if any."""
    try:
        holder = json.loads((site / CACHE_DIR / LOCK_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    return holder.get("pid") if isinstance(holder, dict) else None


KEEPER = """
import marshal
import sys
from pathlib import Path

from govsite.cachefiles import read_checked, write_checked
kept = Path(sys.argv[1])
postings = {"词": [[0, 1, 2]] * 200}
for number in range(150):
    write_checked(kept / "shard", marshal.dumps(postings))
    found = read_checked(kept / "shard")
    assert found is None or marshal.loads(found) == postings
"""


def test_two_processes_keeping_the_same_search_shard_never_fail(tmp_path: Path) -> None:
    """Two builds of one site keep the same search shard at once (the lock now stops that,
    but a build without a lock, or a lost lock, must still never fail or keep half a file)."""
    kept = tmp_path / "cache" / "kept" / "search"
    keepers = [
        subprocess.Popen(
            [sys.executable, "-c", KEEPER, str(kept)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    errors = [keeper.communicate()[1] for keeper in keepers]
    assert [keeper.returncode for keeper in keepers] == [0, 0], errors
    assert read_checked(kept / "shard") is not None


def test_a_folder_that_is_no_site_gets_no_lock_file(tmp_path: Path) -> None:
    for command in ("serve", "build"):
        missing = tmp_path / f"no-site-{command}"
        result = CliRunner().invoke(main, [command, "--site", str(missing)])
        assert result.exit_code == 1, result.output
        assert "GS100" in result.output
        assert not missing.exists()


def _build_env(site: Path, **environment: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*GOVSITE, "build", "--site", str(site), "-j", "1", "--lang", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **environment},
    )


def _built(site: Path, **environment: str) -> None:
    process = _build_env(site, **environment)
    errors = process.communicate(timeout=600)[1]
    assert process.returncode == 0, errors


def _add_paragraph(site: Path, paragraph: str) -> Path:
    """The site's guide page with `paragraph` added at its end."""
    guide = site / "content" / "pages" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + f"\n{paragraph}\n", encoding="utf-8")
    return guide


def test_the_command_returns_before_the_cache_is_saved_and_the_next_one_waits_for_it(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site()
    _built(site)
    guide = _add_paragraph(site, "保存之后的一段。")
    settled = time.time() - 10
    os.utime(guide, (settled, settled))  # a stamp is kept only of settled files (uptodate.py)
    release = tmp_path / "release"
    # It answers while its cache is still unsaved (a child holds the save until `release`).
    _built(site, GOVSITE_TEST_HOLD_SAVE=str(release))
    page = site / "build" / "pages" / "guide" / "index.html"
    assert "保存之后的一段" in page.read_text(encoding="utf-8")
    assert not (site / CACHE_DIR / "stamp.json").exists()
    after = _build_env(site)
    eventually(lambda: _holder(site) == after.pid)  # it holds the site, and waits for the save
    time.sleep(1)  # time enough for a build that did not wait to read the cache unsaved
    release.touch()
    output, errors = after.communicate(timeout=600)
    assert after.returncode == 0, errors
    assert "Up to date" in output  # it read the stamp the child saved, not a cache half-saved


def test_a_save_killed_after_the_command_returned_costs_the_next_build_time_not_correctness(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site()
    _built(site)
    _add_paragraph(site, "保存之前的一段。")
    _built(site, GOVSITE_TEST_KILL_AT="saving")
    _add_paragraph(site, "又一段。")
    _built(site)
    clean = tmp_path / "clean"
    fresh = subprocess.run(
        [*GOVSITE, "build", "--site", str(site), "--out", str(clean), "--no-cache", "-j", "1"],
        capture_output=True,
    )
    assert fresh.returncode == 0, fresh.stderr
    assert _tree(site / "build") == _tree(clean)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
