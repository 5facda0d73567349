"""Work spread over an executor in contiguous chunks: rendering pages, reading them back.

Every stage that fans out does it the same way. The executor's initializer gives each
worker the stage's shared data once (forked workers inherit it instead of unpickling
it), so a task is just a range of item numbers and only results travel back. Results
come back in item order whichever chunk ends first, so output never depends on the
executor or the number of workers.

The split sits behind `concurrent.futures.Executor`: a factory called as
`factory(initializer=…, initargs=…)`, the keywords every standard executor takes, so
`functools.partial(ThreadPoolExecutor, max_workers=4)` plugs in as well as the defaults
of `executor_for_jobs`, and `dask_executor` spreads the same work over a Dask cluster.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar, cast

T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")

ExecutorFactory = Callable[..., Executor]
"""Makes an executor: called as `factory(initializer=f, initargs=args)`."""

CHUNKS_PER_WORKER = 8
"""Items go to workers in contiguous chunks: few enough that messages stay cheap, enough
that a worker with slow items (long listings) does not leave the others idle at the end."""
FEW_ITEMS = 8
"""Fewer items than this run in the calling process: forking a pool of workers, and the
copies of its memory's pages the calling process then makes as it goes on (some tens of
milliseconds in a build after an edit), cost more than a few pages or documents take."""


class InProcessExecutor(Executor):
    """Runs each task at once in the calling thread: `--jobs 1`, with no process overhead."""

    def __init__(
        self, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
    ) -> None:
        if initializer is not None:
            initializer(*initargs)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def executor_for_jobs(jobs: int | None) -> ExecutorFactory:
    """In this process for one job; otherwise a pool of forked processes (None: one per CPU).

    Forked workers inherit the site instead of unpickling it. Where fork is missing
    (Windows) the build stays in one process rather than pickling the whole site.
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return InProcessExecutor
    return functools.partial(
        ProcessPoolExecutor, max_workers=jobs, mp_context=multiprocessing.get_context("fork")
    )


def remote_executor(url: str) -> ExecutorFactory:
    """The executor `--executor` names: `dask://HOST:PORT` (ValueError for anything else)."""
    scheme, separator, address = url.partition("://")
    if scheme != "dask" or not separator or not address:
        raise ValueError(f"unknown executor '{url}': use dask://HOST:PORT")
    return dask_executor(f"tcp://{address}")


def dask_executor(address: str) -> ExecutorFactory:
    """Workers of the Dask distributed scheduler at `address` (`tcp://host:port`).

    Dask's executor takes no initializer, so the stage's shared data is scattered to
    every worker once and each worker prepares its state on its first task. The workers
    must import the same govsite and read the site's files at the same paths (one
    machine, or a shared file system), and write into the build's staging folder beside
    the build folder, as local workers do; so the output is byte for byte the same.
    """
    client = _dask_client(address)
    try:
        threads = sum(
            w["nthreads"] for w in client.scheduler_info(n_workers=-1)["workers"].values()
        )
    finally:
        client.close()
    return functools.partial(_DaskExecutor, address, max_workers=max(1, threads))


def _dask_client(address: str) -> Any:
    # An optional dependency (govsite[dask]), untyped: imported only when asked for.
    distributed: Any = importlib.import_module("distributed")
    return distributed.Client(address, set_as_default=False)


class _DaskExecutor(Executor):
    def __init__(
        self,
        address: str,
        max_workers: int,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        del max_workers  # read from the factory by _worker_count, to size the chunks
        self._client = _dask_client(address)
        self._setup = self._client.scatter((initializer, initargs), broadcast=True, hash=False)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future = self._client.submit(_with_setup, self._setup, fn, *args, pure=False, **kwargs)
        return cast(Future[T], future)  # Dask's futures answer result() as these do

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._client.close()


_prepared_setup: object = None
"""The scattered setup this Dask worker process last prepared its state from."""


def _with_setup(
    setup: tuple[Callable[..., object] | None, tuple[Any, ...]], fn: Any, *args: Any
) -> Any:
    global _prepared_setup
    if _prepared_setup is not setup:  # one worker keeps one deserialised copy per stage
        initializer, initargs = setup
        if initializer is not None:
            initializer(*initargs)
        _prepared_setup = setup
    return fn(*args)


_state: Any = None
"""The worker state of the stage running in this process (set by the initializer)."""


def map_in_chunks(
    factory: ExecutorFactory,
    prepare: Callable[[S], Any],
    shared: S,
    task: Callable[[Any, int], R],
    numbers: Sequence[int],
    done: Callable[[int], None] | None = None,
) -> list[R]:
    """`task(state, n)` for each of `numbers`, in order, on the executor `factory` makes.

    Each worker runs `prepare(shared)` once and passes what it returns to every task as
    `state` (rendering builds its template environment there). `done` hears how many
    items have finished, after each chunk. `prepare` and `task` must be module-level
    functions, so any executor can send them.
    """
    if not numbers:
        return []  # nothing to do: no workers to start
    if len(numbers) < FEW_ITEMS:
        factory = InProcessExecutor  # starting workers would take longer than the work
    chunks = _chunks(len(numbers), _worker_count(factory))
    results: list[R] = []
    try:
        with factory(initializer=_start, initargs=(prepare, shared)) as executor:
            futures = [
                executor.submit(_run_chunk, task, tuple(numbers[start:stop]))
                for start, stop in chunks
            ]
            for future in futures:  # collected in item order, whichever chunk ends first
                results += future.result()
                if done is not None:
                    done(len(results))
    finally:
        _start(as_is, None)  # an in-process or thread executor set it in this process
    return results


def as_is(shared: S) -> S:
    """The `prepare` of a stage whose workers need nothing but the shared data."""
    return shared


def _start(prepare: Callable[[Any], Any], shared: Any) -> None:
    global _state
    _state = prepare(shared)


def _run_chunk(task: Callable[[Any, int], R], numbers: tuple[int, ...]) -> list[R]:
    return [task(_state, number) for number in numbers]


def _worker_count(factory: ExecutorFactory) -> int:
    keywords = getattr(factory, "keywords", {})
    return int(keywords.get("max_workers") or 1)


def _chunks(count: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous (start, stop) ranges of item positions covering `count` items."""
    size = max(1, -(-count // (workers * CHUNKS_PER_WORKER)))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


@contextlib.contextmanager
def started_beside(work: Callable[[], T], factory: ExecutorFactory) -> Iterator[Callable[[], T]]:
    """Start `work` in a forked child where `factory` makes a pool of local processes; the
    block gets a function that waits for it and gives its result (or raises what it
    raised). Leaving the block waits for the child, answered or not: it never outlives
    the stage that started it, nor writes into a folder a failure is removing.

    For a stage that runs beside another in the calling process, both CPU-bound: an
    update's search index beside its check. A child that dies without an answer (killed,
    out of memory) is not an error: `work` then runs here, and the output is the same.
    Elsewhere (one job, threads, Dask, no fork) `work` runs here when its result is asked for.
    """
    local_processes = getattr(factory, "func", None) is ProcessPoolExecutor
    if not (local_processes and _worker_count(factory) > 1 and hasattr(os, "fork")):
        yield work
        return
    readable, writable = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (its answer is what the tests check)
        os.close(readable)
        _answer(work, writable)
    os.close(writable)
    answer = os.fdopen(readable, "rb")

    def result() -> T:
        with answer:
            data = answer.read()
        try:
            done, value = pickle.loads(data)
        except Exception:  # no answer, or one that cannot be read: the child died
            return work()
        if not done:
            raise value
        return cast(T, value)

    try:
        yield result
    finally:
        answer.close()  # if not read: the child's answer goes nowhere
        os.waitpid(child, 0)


def _answer(work: Callable[[], object], writable: int) -> None:
    """In the child: write (True, result) or (False, exception) to `writable`, then exit
    without running the parent's exit handlers."""
    try:
        try:
            data = pickle.dumps((True, work()))
        except BaseException as exc:  # every failure is the parent's to raise
            data = pickle.dumps((False, exc))
        with os.fdopen(writable, "wb") as answer:
            answer.write(data)
    finally:
        os._exit(0)
