"""The preview server, run for real on 127.0.0.1: it serves, shows build errors, and recovers."""

from __future__ import annotations

import functools
import queue
import re
import shutil
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from govsite import pipeline
from govsite.config import load_project
from govsite.engine.live import LiveSite
from govsite.engine.searchsync import SearchRefresher
from govsite.serve import PreviewState, _PreviewHandler
from tests.conftest import MakeSite
from tests.serving import eventually, fetch


def test_edits_rebuild_errors_show_in_the_page_and_fixing_recovers(
    preview_server: tuple[str, Path],
) -> None:
    url, root = preview_server
    guide = root / "content/pages/guide.md"
    page = url + "pages/guide/index.html"
    assert "政府信息公开指南" in fetch(page)[1]

    guide.write_text("---\ntitle: 新的指南标题\n---\n\n正文。\n", encoding="utf-8")
    eventually(lambda: "新的指南标题" in fetch(page)[1])

    guide.write_text("---\ntitle: 坏\nnav_ordr: 1\n---\n", encoding="utf-8")
    eventually(lambda: fetch(page)[0] == 500)
    # The site is zh-CN, so the page speaks Chinese (and says so in its lang).
    error_page = fetch(page)[1]
    assert '<html lang="zh-CN">' in error_page
    assert "<h1>网站未能生成</h1>" in error_page
    assert (
        "content/pages/guide.md:3:1: error[GS201]: 未知的键 &#x27;nav_ordr&#x27;\n"
        "  hint: 是不是要写 &#x27;nav_order&#x27;？"
    ) in error_page

    guide.write_text("---\ntitle: 修好了\n---\n", encoding="utf-8")
    eventually(lambda: fetch(page)[0] == 200 and "修好了" in fetch(page)[1])


def test_open_pages_get_a_reload_event_after_each_build(preview_server: tuple[str, Path]) -> None:
    url, root = preview_server
    page = fetch(url + "pages/guide/index.html")[1]
    match = re.search(
        r'<script src="/__govsite/reload.js\?build=(\d+)" defer></script></head>', page
    )
    assert match, "the served page carries the reload script"
    assert "__govsite" not in (root / "build/pages/guide/index.html").read_text(encoding="utf-8")
    script = fetch(url + "__govsite/reload.js")[1]
    assert "EventSource" in script

    events: queue.Queue[str] = queue.Queue()
    stream = urllib.request.urlopen(f"{url}__govsite/events?build={match[1]}", timeout=30)
    reader = threading.Thread(
        target=lambda: [events.put(line.decode().strip()) for line in stream], daemon=True
    )
    reader.start()
    assert events.get(timeout=10) == "retry: 1000"
    (root / "content/pages/guide.md").write_text("---\ntitle: 改了\n---\n", encoding="utf-8")
    assert events.get(timeout=15) == ""
    assert events.get(timeout=15) == "event: reload"
    assert events.get(timeout=5) == f"data: {int(match[1]) + 1}"
    assert "改了" in fetch(url + "pages/guide/index.html")[1]
    stream.close()


def test_bad_requests_get_an_answer_and_no_traceback(preview_server: tuple[str, Path]) -> None:
    url, root = preview_server
    stream = urllib.request.urlopen(f"{url}__govsite/events?build=abc", timeout=10)
    assert stream.status == 200
    assert stream.readline().strip() == b"retry: 1000"  # treated as build 0: reloads next time
    stream.close()
    assert fetch(url + "%00")[0] == 400
    assert fetch(url + "pages/%00/index.html")[0] == 400
    head = urllib.request.Request(url + "a%00b", method="HEAD")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(head, timeout=5)
    assert refused.value.code == 400
    refused.value.close()
    for outside in ("../govsite.yaml", "..%2fgovsite.yaml", "%2e%2e/govsite.yaml", "//etc/passwd"):
        status, body = fetch(url + outside)
        assert status == 404 and "title:" not in body, outside
    assert fetch(url + "pages/guide/index.html")[0] == 200  # still serving
    assert "Traceback" not in (root.parent / "serve.log").read_text(encoding="utf-8")


def test_an_unexpected_error_in_an_update_is_shown_and_the_preview_keeps_watching(
    preview_server: tuple[str, Path],
) -> None:
    url, root = preview_server
    guide = root / "content/pages/guide.md"
    page = url + "pages/guide/index.html"
    # A folder where the engine must replace a page: the update fails with an OSError.
    built = root / "build/pages/guide/index.html"
    built.unlink()
    built.mkdir()
    guide.write_text("---\ntitle: 写不进去\n---\n\n正文。\n", encoding="utf-8")
    eventually(lambda: fetch(url)[0] == 500)
    assert "unexpected error" in fetch(url)[1]

    shutil.rmtree(built)
    guide.write_text("---\ntitle: 又好了\n---\n\n正文。\n", encoding="utf-8")
    eventually(lambda: fetch(page)[0] == 200 and "又好了" in fetch(page)[1])
    log = (root.parent / "serve.log").read_text(encoding="utf-8")
    assert log.count("Traceback") == 1, log  # logged once, where it happened


def test_the_search_page_says_when_the_index_is_behind(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    pipeline.build(load_project(root))
    release = threading.Event()
    refresher = SearchRefresher(
        lambda: None, lambda line: None, lambda job, report: release.wait(10)
    )
    state = PreviewState(LiveSite(root, search=refresher))
    handler = functools.partial(_PreviewHandler, state=state, directory=str(root / "build"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        assert fetch(url + "__govsite/search-status") == (200, '{"behind": false}')
        assert "data-govsite-search-behind" not in fetch(url + "search/")[1]
        refresher.request(load_project(root), dict, ["search/index.html"])
        assert fetch(url + "__govsite/search-status") == (200, '{"behind": true}')
        status, page = fetch(url + "search/")
        assert status == 200 and "搜索索引正在更新" in page
        assert "data-govsite-search-behind" not in fetch(url + "pages/guide/")[1]  # search only
        release.set()
        eventually(lambda: fetch(url + "__govsite/search-status")[1] == '{"behind": false}')
        assert "data-govsite-search-behind" not in fetch(url + "search/")[1]
    finally:
        release.set()
        server.shutdown()
        server.server_close()
