"""A build streams: workers write each page into the staging folder as they render it, and only
what later stages need of it (its digest, its facts) comes back; a failed build leaves no trace."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from govsite import analyse, pipeline, render
from govsite.config import load_project
from govsite.errors import BuildFailed
from govsite.render import OutputFile, StagedPage
from govsite.write import staged
from tests.conftest import MakeSite, tree_digest


def test_workers_send_back_what_they_staged_never_the_pages_bytes(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site()
    returned: list[object] = []
    real = render.map_in_chunks

    def kept(*arguments: Any) -> list[Any]:  # what the render stage's workers send back
        results = real(*arguments)
        returned.extend(results)
        return results

    monkeypatch.setattr(render, "map_in_chunks", kept)
    progress: dict[str, int] = {}
    pipeline.build(
        load_project(root), jobs=2, progress=lambda stage, _, total: progress.update({stage: total})
    )

    assert len(returned) > 10
    assert all(isinstance(r, StagedPage) for r in returned)
    for result in returned:
        assert isinstance(result, StagedPage)
        page = root / "build" / result.staged.path
        assert hashlib.sha256(page.read_bytes()).hexdigest() == result.staged.digest
        assert result.staged.facts is not None  # read by the worker, from the bytes it staged
    assert "pages read back" not in progress  # so the build never reads a page again


def test_a_build_that_fails_after_pages_were_staged_leaves_no_trace(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site()
    pipeline.build(load_project(root))
    before = tree_digest(root / "build")
    # The home page renders (and is staged); every record page then fails.
    (root / "templates").mkdir()
    (root / "templates/record.html").write_text(
        '{% extends "default:record.html" %}\n{% block content %}{{ page.nope }}{% endblock %}\n',
        encoding="utf-8",
    )
    staged = _counted(monkeypatch, analyse, "stage_file")

    with pytest.raises(BuildFailed):
        pipeline.build(load_project(root), jobs=1)

    assert staged  # pages were written into the staging folder before the failure
    assert tree_digest(root / "build") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".build")) == []


def test_a_build_that_fails_before_rendering_makes_no_folder(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/records/policies/2026/broken.md": "---\ntitle: [\n---\n"})
    out = tmp_path / "new-parent" / "build"
    with pytest.raises(BuildFailed):
        pipeline.build(load_project(root, out))
    assert not (tmp_path / "new-parent").exists()


def _counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[Sequence[Any]]:
    calls: list[Sequence[Any]] = []
    real: Callable[..., Any] = getattr(module, name)

    def counting(*arguments: Any) -> Any:
        calls.append(arguments)
        return real(*arguments)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_equal_facts_of_pages_travel_back_once(tmp_path: Path) -> None:
    with staged(tmp_path / "build") as staging:
        sink = analyse.PageSink(staging, tmp_path / "copies")
        page = '<html><head><title>{}</title></head><body><a href="../index.html">首页</a></body></html>'
        first, second = (
            sink.take(OutputFile(f"{name}/index.html", page.format(name).encode()), True)
            for name in ("a", "b")
        )
        # As a worker's chunk of results travels: pickled in one message.
        one, two = pickle.loads(pickle.dumps([first, second]))
    assert one.facts is not None and two.facts is not None
    assert one.facts.links == ("../index.html",) and one.facts.title == "a"
    assert one.facts.links is two.facts.links  # sent once, held once
    assert one.facts.ids is two.facts.ids
