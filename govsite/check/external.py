"""`--external`: fetch every external link once, a few at a time, with a timeout and one retry."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from govsite import __version__, messages
from govsite.check.rules import finding
from govsite.errors import Diagnostic, SourceLocation


@dataclass(frozen=True, slots=True)
class ExternalOptions:
    timeout: float = 10.0
    """Seconds to wait for each answer."""
    concurrency: int = 8
    """Links fetched at once (kind to the servers of other government sites)."""
    retries: int = 1


@dataclass(frozen=True, slots=True)
class LinkStatus:
    url: str
    status: int | None
    """HTTP status; None when no answer came."""
    error: str | None = None


def fetch_status(url: str, options: ExternalOptions) -> LinkStatus:
    """The final status of `url`; failures and server errors are tried again `retries` times."""
    result = LinkStatus(url, None, "not tried")
    for _ in range(1 + options.retries):
        result = _fetch_once(url, options.timeout)
        if result.status is not None and result.status < 500:
            return result
    return result


def _fetch_once(url: str, timeout: float) -> LinkStatus:
    # GET rather than HEAD: many government servers refuse or mishandle HEAD.
    request = urllib.request.Request(url, headers={"User-Agent": f"govsite-check/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            return LinkStatus(url, int(response.status))
    except urllib.error.HTTPError as exc:
        return LinkStatus(url, exc.code)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return LinkStatus(url, None, str(reason) or type(exc).__name__)


def check_external(
    links: Mapping[str, SourceLocation], options: ExternalOptions
) -> Iterator[Diagnostic]:
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        statuses = list(pool.map(lambda url: fetch_status(url, options), sorted(links)))
    for status in statuses:
        where = links[status.url]
        if status.status is not None and 400 <= status.status < 500:
            message = messages.text("GC102", url=status.url, status=status.status)
            yield finding("GC102", message, where)
        elif status.status is None:
            message = messages.text("GC103.failed", url=status.url, error=str(status.error))
            yield finding("GC103", message, where)
        elif status.status >= 500:
            message = messages.text("GC103.server", url=status.url, status=status.status)
            yield finding("GC103", message, where)
