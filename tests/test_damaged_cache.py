"""A damaged build cache is a miss, never an error and never a wrong result: after each kind
of damage the next build exits 0 and writes exactly what a build without a cache writes."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite.cli import main
from govsite.config import CACHE_DIR
from govsite.scaffold import SKELETON
from tests.conftest import tree_bytes

Damage = Callable[[Path], None]


def _random_bytes(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\x00" + os.urandom(200))


def _folder_in_place(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    (path / "inside").mkdir(parents=True)
    (path / "inside" / "x").write_bytes(b"x")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _largest(folder: Path, pattern: str) -> Path:
    return max((p for p in folder.glob(pattern) if p.is_file()), key=lambda p: p.stat().st_size)


def _record_copy(cache: Path) -> Path:
    return _largest(cache / "kept" / "site", "records/**/index.html")


def _tamper_bodies(cache: Path) -> None:
    path = cache / "kept" / "bodies.json"
    data = path.read_bytes()
    assert b"<p>" in data
    path.write_bytes(data.replace(b"<p>", b"<p>TAMPERED ", 1))


def _extra_copy(cache: Path) -> None:
    extra = cache / "kept" / "site" / "records" / "extra" / "index.html"
    extra.parent.mkdir(parents=True)
    extra.write_bytes(_record_copy(cache).read_bytes().replace("。".encode(), "！".encode()))


DAMAGE: dict[str, Damage] = {
    "random bytes in the code key": lambda c: _random_bytes(c / "kept" / "code"),
    "random bytes in a kept search shard": lambda c: _random_bytes(
        _largest(c / "kept" / "search", "*")
    ),
    "random bytes in the manifest": lambda c: _random_bytes(c / "manifest.json"),
    "random bytes in the stamp": lambda c: _random_bytes(c / "stamp.json"),
    "random bytes in the kept facts": lambda c: _random_bytes(c / "kept" / "facts.json"),
    "a folder where the stamp was": lambda c: _folder_in_place(c / "stamp.json"),
    "a folder where the manifest was": lambda c: _folder_in_place(c / "manifest.json"),
    "a folder where a cached page was": lambda c: _folder_in_place(_largest(c / "pages", "*")),
    "a folder where a search copy was": lambda c: _folder_in_place(_record_copy(c)),
    "a file where the search copies were": lambda c: (
        _folder_in_place(c / "kept" / "site")
        or shutil.rmtree(c / "kept" / "site")
        or (c / "kept" / "site").write_bytes(b"x")
    ),
    "a file where the cache was": lambda c: shutil.rmtree(c) or c.write_bytes(b"x"),
    "a folder where the lock was": lambda c: _folder_in_place(c / "lock"),
    "a truncated cached page": lambda c: _truncate(_largest(c / "pages", "*")),
    "a truncated search copy": lambda c: _truncate(_record_copy(c)),
    "a truncated kept search shard": lambda c: _truncate(_largest(c / "kept" / "search", "*")),
    "a folder where a kept search shard was": lambda c: _folder_in_place(
        _largest(c / "kept" / "search", "*")
    ),
    "an extra page among the search copies": _extra_copy,
    "an edited body kept in the cache": _tamper_bodies,
}


def _build(site: Path, *options: str) -> str:
    result = CliRunner().invoke(main, ["build", "--site", str(site), "-j", "1", *options])
    assert result.exit_code == 0, result.output
    return result.output


GUIDE = "content/pages/guide.md"
EDIT = "\n另起一段，说明修改。\n"


@dataclass(frozen=True)
class CachedSite:
    site: Path
    pristine: Path
    """A copy of the cache as a build of the unedited site left it."""
    clean: dict[str, dict[str, bytes]]
    """What builds without a cache write, for the site as it is and with the guide edited."""

    def reset(self, *, edited: bool) -> Path:
        """The site with the pristine cache, no build folder, and the guide edited or not."""
        cache = self.site / CACHE_DIR
        shutil.rmtree(cache) if cache.is_dir() else cache.unlink(missing_ok=True)
        shutil.copytree(self.pristine, cache)
        shutil.rmtree(self.site / "build", ignore_errors=True)
        (self.site / GUIDE).write_bytes(
            (SKELETON / GUIDE).read_bytes() + (EDIT.encode() if edited else b"")
        )
        return cache


@pytest.fixture(scope="module")
def cached_site(tmp_path_factory: pytest.TempPathFactory) -> CachedSite:
    root = tmp_path_factory.mktemp("damaged")
    site = root / "site"
    shutil.copytree(SKELETON, site)
    past = time.time() - 30  # settled sources: the build writes its stamp too
    for path in (site, *site.rglob("*")):
        os.utime(path, (past, past))
    _build(site)
    assert (site / CACHE_DIR / "stamp.json").is_file()
    pristine = root / "pristine-cache"
    shutil.copytree(site / CACHE_DIR, pristine)
    clean = {"as built": tree_bytes(site / "build")}
    with (site / GUIDE).open("a", encoding="utf-8") as guide:
        guide.write(EDIT)
    _build(site, "--no-cache", "--out", str(root / "edited"))
    clean["edited"] = tree_bytes(root / "edited")
    assert clean["edited"] != clean["as built"]
    return CachedSite(site, pristine, clean)


@pytest.mark.parametrize("edited", [False, True], ids=["as built", "edited"])
@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cache_is_a_miss_and_the_output_is_a_clean_builds(
    cached_site: CachedSite, damage: Damage, edited: bool
) -> None:
    """Built again as it was (the kept search bundle is reused) and with one page edited
    (the search index is made again from the kept copies of the other pages)."""
    site = cached_site.site
    clean = cached_site.clean["edited" if edited else "as built"]
    damage(cached_site.reset(edited=edited))
    _build(site)
    assert tree_bytes(site / "build") == clean
    shutil.rmtree(site / "build")
    assert "from the build cache" in _build(site)  # the cache mended itself
    assert tree_bytes(site / "build") == clean


@pytest.mark.parametrize("edited", [False, True], ids=["as built", "edited"])
def test_an_undamaged_cache_is_used(cached_site: CachedSite, edited: bool) -> None:
    cached_site.reset(edited=edited)
    assert "from the build cache" in _build(cached_site.site)
    assert (
        tree_bytes(cached_site.site / "build")
        == cached_site.clean["edited" if edited else "as built"]
    )
