"""Security headers for static hosts: the `_headers` file of Netlify and Cloudflare Pages.

The theme already sets its Content-Security-Policy in each page's `<meta>`; a header adds what
a `<meta>` cannot (`frame-ancestors`, against framing the site in another one) and protects
files that are not pages. The header's policy is the theme's own (every page, the search
page included, has the same): browsers enforce both policies. docs/security-headers.md has
the same for nginx.
"""

from __future__ import annotations

from govsite.render import OutputFile

HEADERS_PATH = "_headers"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("X-Frame-Options", "SAMEORIGIN"),  # frame-ancestors for browsers that predate it
)
IMMUTABLE = "public, max-age=31536000, immutable"
"""For `assets/`: every theme file there has its content's hash in its name."""


def build_host_headers() -> tuple[OutputFile, ...]:
    """The `_headers` file: security headers on every path, long caching on hashed assets."""
    lines = ["# Security headers for Netlify and Cloudflare Pages (written by govsite).", "/*"]
    lines += [f"  {name}: {value}" for name, value in SECURITY_HEADERS]
    lines += ["", "/assets/*", f"  Cache-Control: {IMMUTABLE}", ""]
    return (OutputFile(HEADERS_PATH, "\n".join(lines).encode("utf-8")),)
