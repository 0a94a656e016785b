"""A breadth-first crawl of the pages a signed-in person can reach by following links.

Used by the page crawls of the test suite (scripts injected through stored text, developer
words): from the home page, every same-site link is followed with GET, as the person would click
it, up to a bound; downloads (Excel, Word, PDF) are fetched but not parsed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

_HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)""")
# Links a crawl never follows: signing out, switching language, the admin site (its own
# escaping is Django's), static files and the API browser (the API has its own checks).
SKIP_PREFIXES = ("/accounts/logout", "/logout", "/i18n/", "/admin/", "/static/", "/api/", "/oidc/")
# Parameters that only page or sort a list: one variant of each path is enough.
VARIANT_KEYS = {"page", "sort", "order", "o", "per_page"}


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    text: str  # empty for downloads


def _key(url: str) -> str:
    """Pages that differ only in paging/sorting, or in a filter value, count once."""
    parts = urlsplit(url)
    keys = sorted({name for name, _value in parse_qsl(parts.query) if name not in VARIANT_KEYS})
    return parts.path + ("?" + "&".join(keys) if keys else "")


def _normalise(href: str, current: str) -> str | None:
    href = href.replace("&amp;", "&").strip()
    if href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    if not path:
        path = urlsplit(current).path
    elif not path.startswith("/"):
        base = urlsplit(current).path.rsplit("/", 1)[0]
        path = f"{base}/{path}"
    if path.startswith(SKIP_PREFIXES):
        return None
    query = urlencode(parse_qsl(parts.query))
    return path + (f"?{query}" if query else "")


def crawl(client, *, start: str = "/", limit: int = 150) -> Iterator[Page]:
    """Yield every page reached from ``start`` (at most ``limit``), following links in order."""
    queue = deque([start])
    seen = {_key(start)}
    fetched = 0
    while queue and fetched < limit:
        url = queue.popleft()
        response = client.get(url)
        fetched += 1
        content_type = response.get("Content-Type", "")
        is_html = content_type.startswith("text/html") and not response.streaming
        text = response.content.decode("utf-8", "replace") if is_html else ""
        yield Page(url, response.status_code, content_type, text)
        for href in _HREF.findall(text):
            target = _normalise(href, url)
            if target is None:
                continue
            key = _key(target)
            if key not in seen:
                seen.add(key)
                queue.append(target)
