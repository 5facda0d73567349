"""The peak memory of every process of a command: the command itself and each process it starts.

    python3 benchmarks/memory.py [--every 0.2] [--out FILE.json] -- COMMAND…

Runs COMMAND and samples the resident set (RSS) of it and of all its descendants every
`--every` seconds, from /proc through psutil, until it exits; then prints the peak of
the command's own process, of the largest descendant (a render worker, Pagefind, the
remover of the previous build) with its command line, the wall time, the CPU seconds of
the command and of the rest (as of each one's last sample), and the load average. The kernel's `ru_maxrss` (what `/usr/bin/time -v` shows)
gives only the largest child that was waited for; sampling names each one. A sample
misses a peak shorter than `--every`, so the numbers are a floor within that window.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="Peak RSS of a command and its children.")
    parser.add_argument("--every", type=float, default=0.2, help="seconds between samples")
    parser.add_argument("--out", type=Path, help="also write the results here as JSON")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()
    command = [c for c in arguments.command if c != "--"] if arguments.command else []
    if not command:
        parser.error("give the command to run after --")
    load_before = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(command)
    root = psutil.Process(process.pid)
    peaks: dict[int, tuple[int, str]] = {}
    cpu: dict[int, float] = {}
    loads: list[float] = []
    while process.poll() is None:
        _sample(root, peaks, cpu)
        loads.append(os.getloadavg()[0])
        time.sleep(arguments.every)
    seconds = time.perf_counter() - started
    own_kernel = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    main_peak = max(peaks.get(process.pid, (0, ""))[0], 0)
    others = {pid: peak for pid, peak in peaks.items() if pid != process.pid}
    largest_pid = max(others, key=lambda pid: others[pid][0], default=None)
    result = {
        "command": " ".join(command),
        "exit": process.returncode,
        "seconds": round(seconds, 1),
        "main MB": round(main_peak / MB),
        "main MB (kernel ru_maxrss, the largest waited process)": round(own_kernel / MB),
        "largest other process MB": round(others[largest_pid][0] / MB) if largest_pid else 0,
        "largest other process": others[largest_pid][1] if largest_pid else "",
        "processes seen": len(peaks),
        # CPU seconds do not depend on how loaded the machine was, unlike the wall time.
        "main CPU s": round(cpu.get(process.pid, 0.0), 1),
        "other processes CPU s": round(sum(s for pid, s in cpu.items() if pid != process.pid), 1),
        "load average (1 min) at start": round(load_before[0], 2),
        "load average (1 min) during, median": round(sorted(loads)[len(loads) // 2], 2)
        if loads
        else None,
        "load average (1 min) at end": round(os.getloadavg()[0], 2),
        "largest processes MB": sorted(
            ((round(peak / MB), name) for peak, name in peaks.values()), reverse=True
        )[:8],
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text, file=sys.stderr)
    if arguments.out:
        arguments.out.write_text(text + "\n", encoding="utf-8")
    sys.exit(process.returncode)


def _sample(root: psutil.Process, peaks: dict[int, tuple[int, str]], cpu: dict[int, float]) -> None:
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for each in processes:
        try:
            rss = each.memory_info().rss
            times = each.cpu_times()
            cpu[each.pid] = times.user + times.system  # as of the last sample
            if rss > peaks.get(each.pid, (0, ""))[0]:
                name = peaks[each.pid][1] if each.pid in peaks else _name(each)
                peaks[each.pid] = (rss, name)
        except psutil.Error:
            continue  # ended between the listing and the reading


def _name(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())[:120]
    except psutil.Error:
        return process.name()


if __name__ == "__main__":
    main()
