"""The cells of a roll-up row, written in one go.

A province's roll-up has a few dozen rows of ~17 cells; rendered cell by cell with ``{% for %}``
and ``{% if %}`` the template spent more time than every query of the page together. The cells
hold only numbers and fixed class names, so they are joined here as plain strings.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

EMPTY = '<span class="text-secondary">—</span>'


def _kind_cell(tally) -> str:
    if not tally.expected:
        return f'<td class="text-center" data-testid="kind-cell">{EMPTY}</td>'
    text = f"{tally.actual}/{tally.expected}"
    red, yellow = tally.levels["red"], tally.levels["yellow"]
    if red:
        text += f' <span class="badge bg-red text-red-fg">{red}</span>'
    if yellow:
        text += f' <span class="badge bg-yellow text-yellow-fg">{yellow}</span>'
    return f'<td class="text-center" data-testid="kind-cell">{text}</td>'


@register.filter
def rollup_cells(row) -> SafeString:
    """Every cell after the organization's name: per kind, total, rate, per colour."""
    total = row.total
    rate = "—" if total.rate is None else f"{total.rate}%"
    cells = [_kind_cell(tally) for tally in row.kind_cells]
    done = f"{total.actual}/{total.expected}"
    cells.append(f'<td class="text-center" data-testid="row-total">{done}</td>')
    cells.append(f'<td class="text-center">{rate}</td>')
    cells += [
        f'<td class="text-center" data-level="{level}">{count}</td>'
        for level, count in total.level_list
    ]
    # Only integers, a float and the fixed level names go in: nothing to escape.
    return mark_safe("".join(cells))  # noqa: S308
