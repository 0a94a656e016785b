"""Guide pages (一书) are Markdown: rendered with ``markdown``, sanitized with ``nh3``.

Whatever an editor types, the page gets only the tags and attributes of a document (headings,
lists, tables, links, images); scripts, styles, event handlers and ``javascript:`` links are
removed. Search results show a plain-text snippet around the first match, with matches marked.
"""

from __future__ import annotations

import re

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["extra", "sane_lists"]
ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"map", "area"}
URL_SCHEMES = {"http", "https", "mailto"}
SNIPPET_WIDTH = 60
_MARKUP = re.compile(
    r"!?\[([^\]]*)\]\([^)]*\)"  # links and images: keep the text
    r"|^\s{0,3}(?:#{1,6}|>|[-+*]|\d+\.)\s+"  # headings, quotes, list markers
    r"|^\s*[-:| ]{3,}$"  # table rules and horizontal rules
    r"|\|"  # table cells
    r"|(?P<inline>[*_`]+)",  # emphasis and code marks: dropped without a gap
    re.M,
)
_SPACE = re.compile(r"\s+")


def render_markdown(text: str) -> SafeString:
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, url_schemes=URL_SCHEMES)
    return mark_safe(clean)  # noqa: S308 — sanitized by nh3 just above


def _replacement(match: re.Match) -> str:
    if match.group(1) is not None:
        return match.group(1)
    return "" if match.group("inline") else " "


def plain_text(text: str) -> str:
    """Markdown without its markup, on one line: what a search snippet quotes."""
    stripped = _MARKUP.sub(_replacement, text or "")
    return _SPACE.sub(" ", stripped).strip()


def search_terms(query: str) -> list[str]:
    return [term for term in _SPACE.split((query or "").strip()) if term][:5]


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape ``text`` and wrap each occurrence of a term in ``<mark>``."""
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.I)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 — every piece escaped above


def snippet(text: str, query: str, width: int = SNIPPET_WIDTH) -> SafeString:
    """About ``2 * width`` characters of the body around the first match, matches marked."""
    terms = search_terms(query)
    plain = plain_text(text)
    lower = plain.lower()
    hits = [lower.find(term.lower()) for term in terms]
    hits = [h for h in hits if h >= 0]
    if not hits:
        cut = plain[: 2 * width]
        return highlight(cut + ("…" if len(plain) > len(cut) else ""), terms)
    first = min(hits)
    start, end = max(0, first - width), min(len(plain), first + width)
    text = ("…" if start else "") + plain[start:end] + ("…" if end < len(plain) else "")
    return highlight(text, terms)
