"""The search index at a size not built: N times a built site's search records, indexed alone.

`python3 benchmarks/search_scale.py SITE BUILD OUT --times 10` takes the search records a
build of SITE kept (`.govsite-cache/kept/site`, one per searchable page), writes each one
N times under new paths (copy k of a record numbered 〔2024〕97号 is numbered 〔2024〕97k号,
and its 索引号 gets the suffix -k, so 文号 and 索引号 stay unique), indexes them with
`search.index_site` in a process of its own, and prints the time and the largest resident
set. OUT then holds the search page and assets of BUILD with the larger index, for
`benchmarks/search_cost.py OUT`. Generating and building 100,000 records takes an hour on
a shared 2-core machine; this measures the index and the citizen's search at that size in
a few minutes, on text of the same generator.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import time
from pathlib import Path

from govsite.cachefiles import read_checked
from govsite.errors import Report
from govsite.memo import COPIES
from govsite.outputs import search
from govsite.parallel import executor_for_jobs

_DOC_NO = re.compile(r"(〔\d{4}〕)(\d+)(号)")


def replicate(kept: Path, records: Path, times: int) -> dict[str, str]:
    """The kept records written `times` over into `records`; path → a digest stand-in."""
    pages: dict[str, str] = {}
    copies = json.loads(read_checked(kept / COPIES) or b"{}")
    for path, (digest, _copy_digest) in sorted(copies.items()):
        header_line, texts_line = (kept / "site" / path).read_text(encoding="utf-8").splitlines()
        for copy in range(times):
            header, texts = json.loads(header_line), json.loads(texts_line)
            meta = header["meta"]
            if copy:
                index_no = meta.get("index_no", "")
                meta["index_no"] = f"{index_no}-{copy}"
                meta["doc_no"] = _DOC_NO.sub(rf"\g<1>\g<2>{copy}\g<3>", meta.get("doc_no", ""))
                texts[0] = _DOC_NO.sub(rf"\g<1>\g<2>{copy}\g<3>", texts[0])
                if index_no:
                    texts[0] = texts[0].replace(index_no, meta["index_no"])
            target = f"c{copy}/{path}"
            (records / target).parent.mkdir(parents=True, exist_ok=True)
            (records / target).write_text(
                json.dumps(header, ensure_ascii=False, sort_keys=True)
                + "\n"
                + json.dumps(texts, ensure_ascii=False)
                + "\n",
                encoding="utf-8",
            )
            pages[target] = f"{digest}-{copy}"
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a site built with the build cache")
    parser.add_argument("build", type=Path, help="its build folder (for the search page)")
    parser.add_argument("out", type=Path, help="where the larger site goes (replaced)")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    shutil.rmtree(options.out, ignore_errors=True)
    for folder in ("search", "assets"):
        shutil.copytree(options.build / folder, options.out / folder)
    shutil.copy(options.build / "index.html", options.out / "index.html")
    records = options.out.parent / (options.out.name + "-records")
    shutil.rmtree(records, ignore_errors=True)
    pages = replicate(options.site / ".govsite-cache" / "kept", records, options.times)
    start = time.perf_counter()
    report = Report()
    jobs = executor_for_jobs(options.jobs)
    search.index_site(options.out, records, pages, "bench", None, report, jobs)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(
        json.dumps(
            {
                "pages": len(pages),
                "index s": round(seconds, 1),
                "largest process MB": max(own, workers),
                "indexing process MB": own,
                "largest worker MB": workers,
                "problems": [d.message for d in report.diagnostics],
                "load average": [round(load, 1) for load in os.getloadavg()],
            }
        )
    )
    shutil.rmtree(records)


if __name__ == "__main__":
    main()
