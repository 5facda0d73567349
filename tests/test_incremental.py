"""Incremental builds: after any sequence of edits, a build with the cache equals a clean build byte for byte."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from govsite import pipeline, reads
from govsite.config import CACHE_DIR, load_project
from govsite.engine import rebuild
from govsite.engine.snapshot import SNAPSHOT
from govsite.errors import BuildFailed
from govsite.outputs import search
from tests.conftest import copy_of_the_demo, tree_bytes

OPERATIONS = 30
INDEX_NO = re.compile(r"^index_no: *\"?([^\"\n]+)\"?$", re.MULTILINE)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the demo site's sources."""
    return copy_of_the_demo(tmp_path / "site")


@pytest.fixture
def no_search_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leaving the search index out keeps these tests quick."""
    monkeypatch.setattr(pipeline, "index_site", lambda *arguments: None)
    monkeypatch.setattr(rebuild, "index_site", lambda *arguments: search.NO_BUNDLE)


def build_cached(root: Path) -> pipeline.BuildResult:
    return pipeline.build(load_project(root), jobs=1, cache_dir=root / CACHE_DIR)


def build_clean(root: Path, out: Path) -> None:
    pipeline.build(load_project(root, out), jobs=1, cache_dir=None)


def assert_same_as_clean(root: Path, clean: Path, step: str) -> None:
    if clean.exists():
        shutil.rmtree(clean)
    build_clean(root, clean)
    incremental, expected = tree_bytes(root / "build"), tree_bytes(clean)
    assert sorted(incremental) == sorted(expected), step
    differing = [path for path in expected if incremental[path] != expected[path]]
    assert differing == [], step


# -- the operations -----------------------------------------------------------------------------


def records(root: Path) -> list[Path]:
    return sorted((root / "content" / "records").rglob("*.md"))


def edit_body(root: Path, rng: random.Random, n: int) -> str:
    path = rng.choice(records(root))
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n第{n}次修改补充的一段正文。\n")
    return f"edit the body of {path.name}"


def edit_title(root: Path, rng: random.Random, n: int) -> str:
    path = rng.choice(records(root))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"^title: (.*)$", rf"title: \g<1>（修订{n}）", text, count=1, flags=re.M)
    )
    return f"edit the title of {path.name}"


def change_validity(root: Path, rng: random.Random, n: int) -> str:
    path = rng.choice(records(root))
    text = path.read_text(encoding="utf-8")
    validity = rng.choice(["effective", "amended", "expired"])
    note = "\nvalidity_note: 有效期届满。" if validity == "expired" else ""
    text = re.sub(r"^validity_note: .*\n", "", text, flags=re.M)
    text = re.sub(r"^validity: .*$", f"validity: {validity}{note}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return f"set the validity of {path.name} to {validity}"


def add_record(root: Path, rng: random.Random, n: int) -> str:
    source = rng.choice(records(root))
    text = source.read_text(encoding="utf-8")
    match = INDEX_NO.search(text)
    assert match is not None
    prefix = match.group(1).rsplit("-", 1)[0]
    text = INDEX_NO.sub(f'index_no: "{prefix}-{90000 + n}"', text, count=1)
    text = re.sub(r"^title: (.*)$", rf"title: \g<1>（新增{n}）", text, count=1, flags=re.M)
    # A copy must not claim another record's successor: only one record supersedes another.
    text = re.sub(r"^superseded_by: .*\n", "", text, flags=re.M)
    text = re.sub(r"^validity: (repealed|expired)$", "validity: effective", text, flags=re.M)
    target = source.with_name(f"added-{n}.md")
    target.write_text(text, encoding="utf-8")
    return f"add {target.name} (a copy of {source.name})"


def delete_record(root: Path, rng: random.Random, n: int) -> str:
    everything = "\n".join(p.read_text(encoding="utf-8") for p in records(root))
    unreferenced = []
    for path in records(root):
        match = INDEX_NO.search(path.read_text(encoding="utf-8"))
        assert match is not None
        # Its index number only in itself, its file name in no link.
        if everything.count(match.group(1)) == 1 and everything.count(path.name) == 0:
            unreferenced.append(path)
    path = rng.choice(unreferenced)
    path.unlink()
    return f"delete {path.name}"


def rename_record(root: Path, rng: random.Random, n: int) -> str:
    path = rng.choice(records(root))
    path.rename(path.with_name(f"renamed-{n}.md"))
    return f"rename {path.name}"


def change_template(root: Path, rng: random.Random, n: int) -> str:
    templates = root / "themes" / "default" / "templates"
    path = rng.choice(
        [templates / "record.html", templates / "listing.html", templates / "partials/footer.html"]
    )
    with path.open("a", encoding="utf-8") as file:
        file.write(f"<!-- change {n} -->\n")
    return f"change {path.name}"


def change_label(root: Path, rng: random.Random, n: int) -> str:
    path = root / "themes" / "default" / "labels" / "zh-CN.yaml"
    key = rng.choice(["latest", "repealed", "home", "summary", "col_title"])
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf'^{key}: "(.*)"$', rf'{key}: "\g<1>{n}"', text, count=1, flags=re.M))
    return f"change the label {key}"


def change_site_title(root: Path, rng: random.Random, n: int) -> str:
    path = root / "govsite.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"^title: .*$", f"title: 青川市人民政府信息公开{n}", text, count=1, flags=re.M)
    )
    return "change the site's title"


def edit_page(root: Path, rng: random.Random, n: int) -> str:
    path = rng.choice(sorted((root / "content" / "pages").glob("*.md")))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: (.*)$", rf"title: \g<1>{n}", text, count=1, flags=re.M))
    return f"edit the title of the page {path.name}"


Operation = Callable[[Path, random.Random, int], str]
WEIGHTED: list[tuple[Operation, int]] = [
    (edit_body, 4),
    (edit_title, 3),
    (change_validity, 2),
    (add_record, 2),
    (delete_record, 2),
    (rename_record, 2),
    (change_template, 1),
    (change_label, 1),
    (change_site_title, 1),
    (edit_page, 1),
]


@pytest.mark.usefixtures("no_search_index")
def test_random_edits_build_as_a_clean_build_does(demo: Path, tmp_path: Path) -> None:
    rng = random.Random(6)
    operations = [op for op, weight in WEIGHTED for _ in range(weight)]
    build_cached(demo)
    done: list[str] = []
    failed_builds = 0
    for n in range(OPERATIONS):
        before = sources(demo)
        step = rng.choice(operations)(demo, rng, n)
        done.append(step)
        try:
            build_cached(demo)
        except BuildFailed:
            # The edit made the site invalid (a link to a renamed record, say): the cache
            # must survive the failed build. Undo the edit and go on.
            failed_builds += 1
            _restore(demo, before)
            done[-1] += " (failed, undone)"
            build_cached(demo)
        assert_same_as_clean(demo, tmp_path / "clean", "; ".join(done))
    assert failed_builds < OPERATIONS // 3, done  # most steps really changed the site


def sources(root: Path) -> dict[Path, bytes]:
    files = [root / "govsite.yaml", *(root / "content").rglob("*"), *(root / "themes").rglob("*")]
    return {path: path.read_bytes() for path in files if path.is_file()}


def _restore(root: Path, files: dict[Path, bytes]) -> None:
    for path in set(sources(root)) - set(files):
        path.unlink()
    for path, content in files.items():
        path.write_bytes(content)


@pytest.mark.usefixtures("no_search_index")
def test_an_unchanged_rebuild_renders_nothing_and_a_body_edit_one_page(demo: Path) -> None:
    first = build_cached(demo)
    assert first.pages_rendered > 150 and first.pages_reused == 0
    again = build_cached(demo)
    assert (again.pages_rendered, again.pages_reused) == (0, first.pages_rendered)
    edit_body(demo, random.Random(1), 0)
    edited = build_cached(demo)
    assert edited.pages_rendered == 1  # its own page: nothing else shows a record's text


@pytest.mark.usefixtures("no_search_index")
def test_a_plain_page_text_edit_renders_that_page_only(demo: Path) -> None:
    build_cached(demo)
    with (demo / "content" / "pages" / "about.md").open("a", encoding="utf-8") as file:
        file.write("\n补充说明。\n")
    assert build_cached(demo).pages_rendered == 1  # the navigation shows titles, not text


@pytest.mark.usefixtures("no_search_index")
def test_a_title_edit_renders_the_pages_that_show_the_title(demo: Path, tmp_path: Path) -> None:
    build_cached(demo)
    edit_title(demo, random.Random(2), 0)
    edited = build_cached(demo)
    # The record, its listings (category and ancestors, agency, year, topics) and the
    # pages that link to it; not the whole site.
    assert 1 < edited.pages_rendered < 30
    assert_same_as_clean(demo, tmp_path / "clean", "title edit")


@pytest.mark.usefixtures("no_search_index")
def test_without_cache_nothing_is_read_or_written(demo: Path) -> None:
    result = pipeline.build(load_project(demo), jobs=1, cache_dir=None)
    assert result.pages_reused == 0
    assert not (demo / CACHE_DIR).exists()


@pytest.mark.usefixtures("no_search_index")
def test_a_failed_build_leaves_the_cache_usable(demo: Path, tmp_path: Path) -> None:
    first = build_cached(demo)
    kept = (demo / CACHE_DIR / SNAPSHOT).read_bytes()
    path = records(demo)[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("published: ", "published: 2024-13-45 #", 1), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build_cached(demo)
    assert (demo / CACHE_DIR / SNAPSHOT).read_bytes() == kept
    path.write_text(text, encoding="utf-8")
    # The engine's update from the snapshot: only pages that read what no note describes render.
    assert build_cached(demo).pages_reused > first.pages_rendered - 5


@pytest.mark.usefixtures("no_search_index")
def test_the_comparison_catches_a_cache_that_misses_reads(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The equality check has teeth: a cache that ignored which records a page read would fail it."""
    monkeypatch.setattr(reads, "note_record", lambda record, name="*": None)
    build_cached(demo)
    edit_title(demo, random.Random(2), 0)
    build_cached(demo)
    with pytest.raises(AssertionError):
        assert_same_as_clean(demo, tmp_path / "clean", "title edit, reads not noted")


@pytest.mark.usefixtures("no_search_index")
def test_a_site_template_that_reads_any_record_is_followed(demo: Path, tmp_path: Path) -> None:
    """Reads are noted, not assumed from the page's kind: a home page showing every record's text."""
    (demo / "templates").mkdir()
    (demo / "templates" / "home.html").write_text(
        '{% extends "default:home.html" %}\n{% block content %}\n'
        "{% for r in site.records %}{{ r['body'].html | safe }}{% endfor %}\n"
        "{% for p in site.pages %}{{ p | attr('body') }}{% endfor %}\n{% endblock %}\n",
        encoding="utf-8",
    )
    build_cached(demo)
    oldest = records(demo)[-1]
    with oldest.open("a", encoding="utf-8") as file:
        file.write("\n首页也显示的一段正文。\n")
    assert build_cached(demo).pages_rendered == 2  # the record and the home page
    assert_same_as_clean(demo, tmp_path / "clean", "a body the home page shows")
