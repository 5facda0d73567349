"""What a citizen's search costs: requests, bytes and time until the first results show.

`python3 benchmarks/search_cost.py BUILD_FOLDER` serves a built site on 127.0.0.1 and opens
its search page in Debian's Chromium (/usr/bin/chromium, via playwright) with an empty
cache, once per query: a common term, a rare five-character phrase and a loosely typed
发文字号 (the last two are taken from the site's own records unless given). Counted from the
navigation to the moment the first result is in the page (or the page says there is none):
every request the page made and the bytes of every response (headers and bodies). Each
row gives the machine's load average when its query was done, since the seconds depend on it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import statistics
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Request, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]  # fmt: skip
COMMON = "营商环境"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def sample_queries(build: Path) -> list[str]:
    """The common term, a rare 5-character phrase of a record's text, and a record's 文号 typed loosely."""
    index = build / "search-index" / "d"
    rare = doc_no = None
    for number in range(0, 10000, 97):
        result = json.loads((index / f"{number}.json").read_text(encoding="utf-8"))
        if doc_no is None and "〔" in result.get("doc_no", ""):
            doc_no = result["doc_no"].replace("〔", "").replace("〕", " ")
        text = re.findall(r"[\u4e00-\u9fff]{5}", result.get("title", ""))
        if rare is None and text:
            rare = text[-1]
        if rare and doc_no:
            break
    return [COMMON, rare or "义务教育优", doc_no or "国办发2024 3号"]


def _kind(url: str) -> str:
    """What a request fetched: the page and its assets, or a kind of index file."""
    if "/search-index/" not in url:
        return "page"
    name = url.split("/search-index/")[1]
    return name.split("/")[0] if "/" in name else name


def measure(build: Path, queries: list[str], runs: int) -> list[dict[str, Any]]:
    handler = functools.partial(Quiet, directory=str(build))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for query in queries:
            samples = []
            for _ in range(runs):
                context = browser.new_context()  # an empty cache each time
                page = context.new_page()
                requests: list[Request] = []

                def record(request: Request, seen: list[Request] = requests) -> None:
                    seen.append(request)

                page.on("request", record)
                start = time.perf_counter()
                page.goto(f"{base}search/?q={quote(query)}")
                # Selectors, not script: the page's CSP forbids evaluating strings.
                page.wait_for_selector(
                    "#search-results li, #search-form[data-state=done], #search-form[data-state=error]",
                    state="attached",
                )
                seconds = time.perf_counter() - start
                count = len(requests)
                size = 0
                kinds: dict[str, list[int]] = {}
                for request in requests[:count]:
                    response = request.response()
                    if response is not None:
                        response.finished()
                        sizes = request.sizes()
                        got = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                        size += got
                        kind = _kind(request.url)
                        kinds[kind] = [
                            kinds.get(kind, [0, 0])[0] + 1,
                            kinds.get(kind, [0, 0])[1] + got,
                        ]
                page.wait_for_selector("#search-form[data-searches]", state="attached")
                page.wait_for_timeout(100)  # the status is announced after 50 ms
                status = page.inner_text("#search-status")
                samples.append((count, size, seconds, status, kinds))
                context.close()
            rows.append({
                "query": query,
                "load average": [round(load, 1) for load in os.getloadavg()],
                "requests": statistics.median(s[0] for s in samples),
                "kB": round(statistics.median(s[1] for s in samples) / 1000, 1),
                "first results s": round(statistics.median(s[2] for s in samples), 3),
                "status": samples[-1][3],
                "requests and bytes by kind": samples[-1][4],
            })  # fmt: skip
        browser.close()
    server.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="a built site (its build folder)")
    parser.add_argument("--query", action="append", help="instead of the three sample queries")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    queries = options.query or sample_queries(options.build)
    for row in measure(options.build, queries, options.runs):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
