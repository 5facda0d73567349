"""Site paths and the relative links between them.

A site path has no leading slash and ends in `/` for a folder page (`""` is the home
page). Links between pages are relative and name `index.html` explicitly, so the same
build works at a domain root, under a sub-path, and opened straight from disk.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

# ASCII an href may not hold as it is (the URL standard's path percent-encode set, and `%`
# only where it starts no escape); other characters, Chinese included, are valid as written.
_NOT_IN_HREF = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]|%(?![0-9A-Fa-f]{2})')


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


def encode_href(href: str) -> str:
    """`附件1 清单.pdf` → `附件1%20清单.pdf`: percent-encode what an href may not hold."""
    return _NOT_IN_HREF.sub(lambda found: f"%{ord(found.group()):02X}", href)


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
