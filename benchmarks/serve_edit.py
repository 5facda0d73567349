"""Time `govsite serve` from an editor's save to the update written on disk.

    python3 benchmarks/serve_edit.py --site SITE --edits 7

Starts a real `govsite serve` on the site (made by benchmarks/generate.py), waits for the
first build, then saves edits one at a time: a body edit, a title edit and a category
change of seeded records. Each is timed from just before the file is saved to two moments
the server prints: the record's own page written ("Written …", printed once the page is
replaced; the server writes it first) and the whole update written ("Updated …", printed
after the last file, listings, feeds and open data included, is replaced).
Before the next edit it waits until the search index caught up in the background, as an
editor pausing between saves would. Prints the median and every time, with the load,
and the median CPU time of the update itself (the server prints it; on a machine shared
with other work the wall time grows with the load, the CPU time much less).
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    root: Path = arguments.site
    port = _free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "govsite", "serve", "--site", str(root), "--port", str(port)),
            *("--lang", "en"),  # the lines waited for are English ("Built", "Written", "Updated")
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=_read, args=(server, lines), daemon=True).start()
    try:
        started = time.perf_counter()
        _, first = _wait_for(lines, ("Built",), 3600)
        print(f"first build: {time.perf_counter() - started:.1f} s ({first})")
        _wait_for(lines, ("Serving",), 60)
        records = sorted((root / "content" / "records").rglob("*.md"))
        rng = random.Random(arguments.seed)
        for kind, edit in (
            ("body", _edit_body),
            ("title", _edit_title),
            ("category", _edit_category),
        ):
            times, pages, cpu = [], [], []
            for n in range(arguments.edits):
                _wait_for_search(port)
                path = rng.choice(records)
                saved = time.perf_counter()
                edit(path, n)
                page, line = _wait_for(lines, ("Written", "Updated", "Built", "content/"), 600)
                written = page
                if line.startswith("Written"):  # the record's own page; the rest follows
                    written, line = _wait_for(lines, ("Updated", "Built", "content/"), 600)
                times.append(written - saved)
                pages.append(page - saved)
                spent = re.search(r"\(([0-9.]+) s CPU\)", line)
                cpu += [float(spent[1])] if spent else []
                print(
                    f"  {kind} {n}: page {page - saved:.3f} s, all {written - saved:.3f} s  {line}",
                    flush=True,
                )
            print(
                f"{kind} edit: the record's page median {statistics.median(pages):.3f} s "
                f"(min {min(pages):.3f}, max {max(pages):.3f}); "
                f"the whole update median {statistics.median(times):.3f} s "
                f"(min {min(times):.3f}, max {max(times):.3f}); "
                f"CPU of the update median {statistics.median(cpu) if cpu else 0:.3f} s; "
                f"load {os.getloadavg()}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def _edit_body(path: Path, n: int) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n第{n}次修改补充的一段正文。\n")


def _edit_title(path: Path, n: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"^title: (.*)$", rf"title: \g<1>（修订{n}）", text, count=1, flags=re.M)
    )


def _edit_category(path: Path, n: int) -> None:
    """Move the record to the category of another record (from the n-th after it on), one
    whose category differs: records of one category often sit side by side in the files."""
    folder = next(parent for parent in path.parents if parent.name == "records")
    records = sorted(folder.rglob("*.md"))
    text = path.read_text(encoding="utf-8")
    own = re.search(r"^category: .*$", text, flags=re.M)
    assert own is not None
    start = records.index(path) + 7 * (n + 1)
    for step in range(len(records)):
        other = records[(start + step) % len(records)].read_text(encoding="utf-8")
        category = re.search(r"^category: .*$", other, flags=re.M)
        if category is not None and category[0] != own[0]:
            path.write_text(text.replace(own[0], category[0], 1))
            return
    raise SystemExit("every record has the same category: nothing to move")


def _read(server: subprocess.Popen[str], lines: queue.Queue[tuple[float, str]]) -> None:
    assert server.stderr is not None
    for line in server.stderr:
        lines.put((time.perf_counter(), line.rstrip()))


def _wait_for(
    lines: queue.Queue[tuple[float, str]], starts: tuple[str, ...], timeout: float
) -> tuple[float, str]:
    """The time the server printed the next line starting with one of `starts`, and the line."""
    deadline = time.perf_counter() + timeout
    while True:
        at, line = lines.get(timeout=max(0.1, deadline - time.perf_counter()))
        if line.startswith(starts):
            return at, line


def _wait_for_search(port: int) -> None:
    for _ in range(6000):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__govsite/search-status") as answer:
            if b'"behind": false' in answer.read():
                return
        time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
