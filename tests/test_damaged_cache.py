"""A damaged build cache is a miss, never an error and never a wrong result: after each kind
of damage the next build exits 0 and writes exactly what a build without a cache writes,
and leaves a cache the build after it uses."""

from __future__ import annotations

import os
import pickle
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite.cachefiles import read_checked
from govsite.cli import main
from govsite.config import CACHE_DIR
from govsite.engine import snapshot
from govsite.engine.persist import wait_for_saves
from govsite.engine.snapshot import SNAPSHOT
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


def _another_key(cache: Path) -> None:
    """A whole snapshot, but of another govsite or other options."""
    key = pickle.loads(read_checked(cache / SNAPSHOT) or b"")  # the first of its pickles
    kept = snapshot.load(cache, key)
    assert kept is not None
    kept.key = "0" * 64
    snapshot.save(cache, kept)


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
    "random bytes in the kept search join": lambda c: _random_bytes(c / "kept" / "search" / "join"),
    "a folder where the kept search join was": lambda c: _folder_in_place(
        c / "kept" / "search" / "join"
    ),
    "random bytes in the snapshot": lambda c: _random_bytes(c / SNAPSHOT),
    "a snapshot of another govsite": _another_key,
    "random bytes in the stamp": lambda c: _random_bytes(c / "stamp.json"),
    "random bytes in the kept facts": lambda c: _random_bytes(c / "kept" / "facts.json"),
    "a folder where the stamp was": lambda c: _folder_in_place(c / "stamp.json"),
    "a folder where the snapshot was": lambda c: _folder_in_place(c / SNAPSHOT),
    "a folder where a search copy was": lambda c: _folder_in_place(_record_copy(c)),
    "a file where the search copies were": lambda c: (
        _folder_in_place(c / "kept" / "site")
        or shutil.rmtree(c / "kept" / "site")
        or (c / "kept" / "site").write_bytes(b"x")
    ),
    "a file where the cache was": lambda c: shutil.rmtree(c) or c.write_bytes(b"x"),
    "a folder where the lock was": lambda c: _folder_in_place(c / "lock"),
    "a truncated snapshot": lambda c: _truncate(c / SNAPSHOT),
    "a truncated search copy": lambda c: _truncate(_record_copy(c)),
    "a truncated kept search shard": lambda c: _truncate(_largest(c / "kept" / "search", "*")),
    "a folder where a kept search shard was": lambda c: _folder_in_place(
        _largest(c / "kept" / "search", "*")
    ),
    "an extra page among the search copies": _extra_copy,
    "an edited body kept in the cache": _tamper_bodies,
    "random bytes in a compiled template": lambda c: _random_bytes(
        _largest(c / "kept" / "templates", "*")
    ),
    "a compiled template cut short": lambda c: _truncate(_largest(c / "kept" / "templates", "*")),
    "a file where the compiled templates were": lambda c: (
        shutil.rmtree(c / "kept" / "templates") or (c / "kept" / "templates").write_bytes(b"x")
    ),
}


def _build(site: Path, *options: str) -> str:
    result = CliRunner().invoke(
        main, ["build", "--site", str(site), "-j", "1", "--lang", "en", *options]
    )
    assert result.exit_code == 0, result.output
    wait_for_saves()  # the command line saves the cache after it returns
    return result.output


GUIDE = "content/pages/guide.md"
EDIT = "\n另起一段，说明修改。\n"


@dataclass(frozen=True)
class CachedSite:
    site: Path
    pristine: Path
    """A copy of the cache as a build of the unedited site left it."""
    pristine_build: Path
    """Links to the files of that build (the same files: the snapshot knows them by inode)."""
    clean: dict[str, dict[str, bytes]]
    """What builds without a cache write, for the site as it is and with the guide edited."""

    def reset(self, *, edited: bool) -> Path:
        """The site with the pristine cache and build folder, and the guide edited or not."""
        cache = self.site / CACHE_DIR
        shutil.rmtree(cache) if cache.is_dir() else cache.unlink(missing_ok=True)
        shutil.copytree(self.pristine, cache)
        shutil.rmtree(self.site / "build", ignore_errors=True)
        shutil.copytree(self.pristine_build, self.site / "build", copy_function=os.link)
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
    pristine_build = root / "pristine-build"
    shutil.copytree(site / "build", pristine_build, copy_function=os.link)
    clean = {"as built": tree_bytes(site / "build")}
    with (site / GUIDE).open("a", encoding="utf-8") as guide:
        guide.write(EDIT)
    _build(site, "--no-cache", "--out", str(root / "edited"))
    clean["edited"] = tree_bytes(root / "edited")
    assert clean["edited"] != clean["as built"]
    return CachedSite(site, pristine, pristine_build, clean)


@pytest.mark.parametrize("edited", [False, True], ids=["as built", "edited"])
@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cache_is_a_miss_and_the_output_is_a_clean_builds(
    cached_site: CachedSite, damage: Damage, edited: bool
) -> None:
    """Built again as it was (the stamp, else the snapshot with nothing changed) and with
    one page edited (the engine's update from the snapshot, else a build of everything)."""
    site = cached_site.site
    clean = cached_site.clean["edited" if edited else "as built"]
    damage(cached_site.reset(edited=edited))
    _build(site)
    assert tree_bytes(site / "build") == clean
    (site / CACHE_DIR / "stamp.json").unlink(missing_ok=True)
    assert "from the build cache" in _build(site)  # the cache mended itself
    assert tree_bytes(site / "build") == clean


@pytest.mark.parametrize("edited", [False, True], ids=["as built", "edited"])
def test_an_undamaged_cache_is_used(cached_site: CachedSite, edited: bool) -> None:
    cached_site.reset(edited=edited)
    # The guide was written again (the same bytes, or edited): the engine's update.
    assert "from the build cache" in _build(cached_site.site)
    assert (
        tree_bytes(cached_site.site / "build")
        == cached_site.clean["edited" if edited else "as built"]
    )
