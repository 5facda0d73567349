"""`--external`: fetch every external link once, a few at a time, within a deadline and with one retry.

Another site's server decides how long it takes and what it sends, so every bound is
govsite's own: each link has one total deadline (`timeout`, for every attempt and
redirect together; a socket timeout alone is per read, and a server sending a byte every
few seconds would hold a link for minutes), redirects are followed only between http and
https and at most MAX_REDIRECTS times, at most `concurrency` links (up to
MAX_CONCURRENCY) are fetched at once, and of each answer only the status line and the
headers are read (at most MAX_HEAD_BYTES), never the body.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urljoin, urlsplit

from govsite import __version__, messages
from govsite.check.rules import finding
from govsite.errors import Diagnostic, SourceLocation

MAX_REDIRECTS = 5
MAX_HEAD_BYTES = 32 * 1024
"""Of each answer only this much is read (its status line and headers; never the body)."""
MAX_CONCURRENCY = 32
"""The most links fetched at once (`--concurrency` is refused above it)."""
REDIRECTS = frozenset({301, 302, 303, 307, 308})
SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class ExternalOptions:
    timeout: float = 10.0
    """Seconds each link may take in all: every attempt and redirect together."""
    concurrency: int = 8
    """Links fetched at once (kind to the servers of other government sites)."""
    retries: int = 1


@dataclass(frozen=True, slots=True)
class LinkStatus:
    url: str
    status: int | None
    """HTTP status; None when no answer came."""
    error: str | None = None


class _Failed(Exception):
    """A link that gave no usable answer; the message says why."""


def fetch_status(url: str, options: ExternalOptions) -> LinkStatus:
    """The final status of `url`; failures and server errors are tried again `retries` times
    while its deadline lasts."""
    deadline = time.monotonic() + options.timeout
    result = LinkStatus(url, None, "not tried")
    for _ in range(1 + options.retries):
        if time.monotonic() >= deadline:
            break
        result = _follow(url, deadline, options.timeout)
        if result.status is not None and result.status < 500:
            return result
    return result


def _follow(url: str, deadline: float, timeout: float) -> LinkStatus:
    """The status at the end of `url`'s redirects (between http and https only)."""
    address = url
    try:
        for _ in range(1 + MAX_REDIRECTS):
            status, location = _request(address, deadline, timeout)
            if status not in REDIRECTS or location is None:
                return LinkStatus(url, status)
            address = urljoin(address, location)
            if urlsplit(address).scheme.lower() not in SCHEMES:
                raise _Failed(f"redirects to '{address}', which is not an http or https address")
        raise _Failed(f"redirects more than {MAX_REDIRECTS} times")
    except _Failed as exc:
        return LinkStatus(url, None, str(exc))


def _request(url: str, deadline: float, timeout: float) -> tuple[int, str | None]:
    """One GET of `url`: its status and Location header; only the head of the answer is read."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Failed(f"no answer within {timeout:g} s")
    connection, target, headers = _connection(url, remaining)
    # The socket timeout bounds each read; this timer bounds them all, by closing the socket.
    timer = threading.Timer(remaining, _abort, [connection])
    timer.start()
    try:
        # GET rather than HEAD: many government servers refuse or mishandle HEAD.
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if time.monotonic() >= deadline:
            raise _Failed(f"no answer within {timeout:g} s") from None
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        raise _Failed(str(reason)) from None
    finally:
        timer.cancel()
        connection.close()  # the body is never read


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection for `url` (through the proxy the environment names, as urllib would go),
    the request target and the headers."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if scheme not in SCHEMES or not host:
        raise _Failed(f"'{url}' is not an http or https address")
    headers = {"User-Agent": f"govsite-check/{__version__}"}
    target = _target(url)
    proxy = _proxy(scheme, host)
    connection: http.client.HTTPConnection
    if scheme == "https":
        context = ssl.create_default_context()
        if proxy is None:
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPSConnection(*proxy[:2], timeout=timeout, context=context)
            connection.set_tunnel(host, port, headers=proxy[2])
    elif proxy is None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(*proxy[:2], timeout=timeout)
        target = f"http://{parts.netloc.rpartition('@')[2]}{target}"  # a proxy is asked for the whole URL
        headers |= proxy[2]
    connection.response_class = _BoundedResponse
    return connection, target, headers


def _proxy(scheme: str, host: str) -> tuple[str, int, dict[str, str]] | None:
    """The proxy (host, port, its authorization header) for `scheme` that the environment
    names (`http_proxy`, `https_proxy`), unless `no_proxy` exempts `host`."""
    address = urllib.request.getproxies().get(scheme)
    if not address or urllib.request.proxy_bypass(host):
        return None
    parts = urlsplit(address if "://" in address else f"http://{address}")
    if not parts.hostname:
        return None
    headers = {}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    return parts.hostname, parts.port or 80, headers


def _target(url: str) -> str:
    """The request target of `url`: its path and query, percent-encoded where they are not ASCII."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return quote(target, safe="/?&=%:@!$'()*+,;~-._")


def _abort(connection: http.client.HTTPConnection) -> None:
    """Cut the connection at the deadline: a read blocked on it returns at once."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


class _BoundedResponse(http.client.HTTPResponse):
    """An answer of which at most MAX_HEAD_BYTES are read: its status line and headers."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp = _BoundedReader(self.fp)  # type: ignore[assignment]


class _BoundedReader:
    """A file's `readline` and `read`, failing once MAX_HEAD_BYTES have been read in all."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._left = MAX_HEAD_BYTES

    def readline(self, limit: int = -1) -> bytes:
        return self._count(self._file.readline(self._allowed(limit)))

    def read(self, size: int = -1) -> bytes:
        return self._count(self._file.read(self._allowed(size)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)  # flush, close, … as the file does them

    def _allowed(self, size: int) -> int:
        return self._left + 1 if size < 0 else min(size, self._left + 1)

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise http.client.HTTPException(
                f"the answer's status line and headers are longer than {MAX_HEAD_BYTES // 1024} KB"
            )
        return data


def check_external(
    links: Mapping[str, SourceLocation], options: ExternalOptions
) -> Iterator[Diagnostic]:
    workers = min(max(1, options.concurrency), MAX_CONCURRENCY)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(lambda url: fetch_status(url, options), sorted(links)))
    for status in statuses:
        where = links[status.url]
        if status.status is not None and 400 <= status.status < 500:
            message = messages.text("GC102", url=status.url, status=status.status)
            yield finding("GC102", message, where, messages.text("GC102.hint"))
        elif status.status is None:
            message = messages.text("GC103.failed", url=status.url, error=str(status.error))
            yield finding("GC103", message, where, messages.text("GC103.hint"))
        elif status.status >= 500:
            message = messages.text("GC103.server", url=status.url, status=status.status)
            yield finding("GC103", message, where, messages.text("GC103.hint"))
