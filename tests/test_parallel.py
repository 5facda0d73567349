"""Parallel rendering: any number of processes, or another executor, gives the same site and the same errors."""

from __future__ import annotations

import functools
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govsite import pipeline
from govsite.config import load_project
from govsite.errors import BuildFailed
from govsite.parallel import (
    FEW_ITEMS,
    ExecutorFactory,
    InProcessExecutor,
    as_is,
    executor_for_jobs,
    map_in_chunks,
    started_beside,
)
from tests.conftest import REPO, MakeSite, tree_bytes


def test_two_processes_build_the_demo_byte_for_byte_as_one(tmp_path: Path) -> None:
    one = pipeline.build(load_project(REPO, tmp_path / "one"), jobs=1)
    two = pipeline.build(load_project(REPO, tmp_path / "two"), jobs=2)
    assert one.pages_written == two.pages_written > 100
    single, parallel = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert list(parallel) == list(single)
    differing = [path for path in single if single[path] != parallel[path]]
    assert differing == []


def test_another_executor_plugs_in_without_changing_the_output(tmp_path: Path) -> None:
    threads = functools.partial(ThreadPoolExecutor, max_workers=3)
    pipeline.build(load_project(REPO, tmp_path / "one"), jobs=1)
    pipeline.build(load_project(REPO, tmp_path / "threads"), executor_factory=threads)
    assert tree_bytes(tmp_path / "threads") == tree_bytes(tmp_path / "one")


def test_jobs_pick_the_executor() -> None:
    assert executor_for_jobs(1) is InProcessExecutor
    pool = executor_for_jobs(2)
    assert isinstance(pool, functools.partial)
    assert pool.keywords["max_workers"] == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_template_errors_in_workers_are_reported_once_with_their_line(
    make_site: MakeSite, jobs: int
) -> None:
    broken = {
        "templates/record.html": '{% extends "default:record.html" %}\n'
        "{% block content %}\n{{ page.no_such_thing }}\n{% endblock %}\n"
    }
    root = make_site(broken)
    with pytest.raises(BuildFailed) as failure:
        pipeline.build(load_project(root), jobs=jobs)
    (problem,) = failure.value.diagnostics
    assert (str(problem.location), problem.code) == ("templates/record.html:3", "GS402")
    assert "while rendering content/records/" in problem.message
    assert not (root / "build").exists()


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value


def _pid_of(shared: None, number: int) -> tuple[int, int]:
    return os.getpid(), number


def test_a_few_items_run_here_and_more_in_the_workers() -> None:
    pool = executor_for_jobs(2)
    few = map_in_chunks(pool, as_is, None, _pid_of, range(FEW_ITEMS - 1))
    assert few == [(os.getpid(), n) for n in range(FEW_ITEMS - 1)]
    more = map_in_chunks(pool, as_is, None, _pid_of, range(FEW_ITEMS))
    assert [n for _, n in more] == list(range(FEW_ITEMS))
    assert os.getpid() not in {pid for pid, _ in more}


def test_work_started_beside_runs_in_a_child_and_answers_with_its_result() -> None:
    with started_beside(functools.partial(_pid_and, 7), executor_for_jobs(2)) as answer:
        pid, value = answer()
    assert value == 7
    assert pid != os.getpid()


@pytest.mark.parametrize(
    "factory",
    [executor_for_jobs(1), functools.partial(ThreadPoolExecutor, max_workers=2)],
    ids=["one job", "threads"],
)
def test_work_started_beside_runs_here_unless_local_processes_are_asked_for(
    factory: ExecutorFactory,
) -> None:
    with started_beside(functools.partial(_pid_and, 7), factory) as answer:
        pid, _ = answer()
    assert pid == os.getpid()


def _fails() -> None:
    raise ValueError("not this")


def test_what_the_child_raised_is_raised_where_the_answer_is_asked() -> None:
    with started_beside(_fails, executor_for_jobs(2)) as answer, pytest.raises(ValueError):
        answer()


def _dies_in_a_child(parent: int) -> int:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def test_a_child_that_dies_without_an_answer_leaves_the_work_to_the_parent() -> None:
    work = functools.partial(_dies_in_a_child, os.getpid())
    with started_beside(work, executor_for_jobs(2)) as answer:
        assert answer() == os.getpid()


def _writes_late(path: Path) -> None:
    time.sleep(0.3)
    path.write_text("done", encoding="utf-8")


def test_a_block_left_without_its_answer_waits_for_the_child(tmp_path: Path) -> None:
    """A failure beside the child (the check) leaves the block: the child's writes end
    before the caller removes the folder it writes into."""
    mark = tmp_path / "mark"
    with (
        pytest.raises(KeyError),
        started_beside(functools.partial(_writes_late, mark), executor_for_jobs(2)),
    ):
        raise KeyError("the check failed")
    assert mark.read_text(encoding="utf-8") == "done"
