"""The twelve month cells of an annual map row, written in one go.

A branch's map has a dozen rows of twelve cells, each with its obligations' badges; cell by
cell in the template engine this was most of the page's time. Every text from the database
(item names, period labels, links) is escaped by ``format_html``.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

BADGE = (
    '<{tag}{href} class="badge {badge}" data-colour="{colour}" title="{name} {period} · {label}">'
    "{check}{day}</{tag}>"
)
CHECK = mark_safe('<i class="ti ti-check"></i>')  # noqa: S308


def _badge(obligation, name: str) -> SafeString:
    link = getattr(obligation, "link_url", None)
    done = obligation.fulfilled_on
    return format_html(
        BADGE,
        tag=mark_safe("a" if link else "span"),  # noqa: S308
        href=format_html(' href="{}"', link) if link else "",
        badge=obligation.badge_class,
        colour=obligation.colour,
        name=name,
        period=obligation.period_label,
        label=obligation.colour_label,
        check=CHECK if done else "",
        day=(done or obligation.due_on).strftime("%m-%d"),
    )


@register.filter
def map_cells(row) -> SafeString:
    """The month cells and the summary cell of one map row."""
    cells = []
    for month, obligations in enumerate(row.months, start=1):
        badges = "\n".join(_badge(obligation, row.name) for obligation in obligations)
        cells.append(
            f'<td class="text-center p-1" data-testid="map-cell" data-month="{month}">\n'
            f"{badges}\n</td>"
        )
    done = f"{row.done} / {row.expected}"
    cells.append(f'<td class="text-center" data-testid="row-summary">{done}</td>')
    # The badges are built by format_html; the rest are integers.
    return mark_safe("\n".join(cells))  # noqa: S308
