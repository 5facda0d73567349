"""Site paths and the relative links between them.

A site path has no leading slash and ends in `/` for a folder page (`""` is the home
page). Links between pages are relative and name `index.html` explicitly, so the same
build works at a domain root, under a sub-path, and opened straight from disk.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
"""The only schemes an address written into a page may have; every other one (javascript:,
data:, vbscript:, file:, …) is refused, whatever produced the address."""

# What a browser strips before it reads a URL's scheme (the WHATWG URL standard): leading
# and trailing C0 controls and spaces, and every tab and newline anywhere.
_IGNORED_EDGES = "".join(map(chr, range(0x21)))
_IGNORED_INSIDE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Characters a path of the site keeps as they are in an href: RFC 3986's unreserved,
# sub-delims, ':' and '@' (and '/' and '#', which the caller means). Everything else,
# spaces, '%', quotes and non-ASCII included, is percent-encoded.
_HREF_SAFE = "/#:@!$&'()*+,;=-._~"


def output_file(url: str) -> str:
    """The file a site path is written to: `a/b/` → `a/b/index.html`."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def relative_href(from_url: str, to: str) -> str:
    """The href that leads from the page at `from_url` to the site path `to` (which may carry #fragment)."""
    path, hash_sign, fragment = to.partition("#")
    here = output_file(from_url)
    target = output_file(path)
    if target == here and hash_sign:
        return hash_sign + fragment
    return _relative_path(target, here.rpartition("/")[0]) + hash_sign + fragment


def link_href(from_url: str, to: str) -> str:
    """The href written into the page at `from_url` for the site path `to`: relative,
    percent-encoded, and never read as a scheme (`a:b/` becomes `./a:b/`)."""
    href = encode_path(relative_href(from_url, to))
    first_segment = href.split("/", 1)[0].split("#", 1)[0]
    return "./" + href if ":" in first_segment else href


def encode_path(path: str) -> str:
    """A site path (with any #fragment) percent-encoded for an href."""
    return quote(path, safe=_HREF_SAFE)


def browser_scheme(url: str) -> str | None:
    """The scheme a browser would read in `url`, lower case; None for a relative URL."""
    cleaned = _IGNORED_INSIDE.sub("", url.strip(_IGNORED_EDGES))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def is_safe_url(url: str) -> bool:
    """The one gate for every address govsite writes into a page (href, src, action, …):
    relative, or of a scheme in SAFE_SCHEMES, and free of control characters."""
    if _CONTROL.search(url):
        return False
    scheme = browser_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


def _relative_path(target: str, base_dir: str) -> str:
    """`posixpath.relpath` for clean site paths, without its abspath calls (a third of render time)."""
    base = base_dir.split("/") if base_dir else []
    parts = target.split("/")
    common = 0
    for here_part, target_part in zip(base, parts, strict=False):
        if here_part != target_part:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:]) or "."


def resolve_source_href(href: str, from_content_path: str) -> str | None:
    """The site path an href written in a document (`../x.md`, `/files/a.pdf`) points at.

    Returns None when the href leaves the site (`../../..` past content/).
    """
    if href.startswith("/"):
        joined = href.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(from_content_path), href)
    normalized = posixpath.normpath(joined)
    if normalized == ".":
        return ""
    if normalized.startswith("../") or normalized == "..":
        return None
    return normalized + ("/" if href.endswith("/") else "")


def is_external(href: str) -> bool:
    """Whether an href leaves the site or stays on the page (scheme, `//host`, `#fragment`)."""
    if href.startswith(("#", "//")):
        return True
    scheme, colon, _ = href.partition(":")
    return (
        bool(colon)
        and scheme.isascii()
        and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum()
        and "/" not in scheme
    )


def absolute_url(base_url: str, url: str) -> str:
    """The absolute address of the site path `url`, percent-encoded as sitemaps and feeds require."""
    return base_url + quote(url, safe="/#")
