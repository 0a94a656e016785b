"""A problem list's row, written in Python.

The list shows fifty problems of eight cells; rendered by the template engine (an include per
state badge, a dozen lookups per row) the rows cost more than every query of the page. Here a
row is one ``format_html``: every value from the database is escaped.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()

# The same classes as problems/_state_badge.html (the detail page still includes it).
STATE_BADGE = {
    "closed": "bg-green text-green-fg",
    "verified": "bg-green-lt",
    "rejected": "bg-red-lt",
    "submitted": "bg-blue-lt",
    "in_progress": "bg-cyan-lt",
}

ROW = (
    '<tr>\n        <td><a href="{url}">{description}</a>{recurring}</td>\n'
    "        <td>{organization}</td>\n"
    "        <td>{category}</td>\n"
    "        <td>{tier}</td>\n"
    '        <td>{library}<div class="text-secondary small">{owner}</div></td>\n'
    "        <td>{responsible}{person}</td>\n"
    '        <td class="text-nowrap">{deadline} <span class="badge {badge}" '
    'data-testid="colour-{colour}">{colour_label}</span></td>\n'
    '        <td><span class="badge {state_badge}" data-testid="state-{state}">{state_label}'
    "</span></td>\n      </tr>"
)


def _labels() -> dict[str, dict]:
    """The Chinese labels of the choices a row shows, translated once per list."""
    from ..models import Category, Library, State

    return {
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("category", Category.choices),
            ("library", Library.choices),
            ("state", State.choices),
        )
    } | {"recurring": _("反复出现")}


def _row(problem, labels: dict) -> SafeString:
    recurring = ""
    if problem.recurring:
        recurring = format_html(
            ' <span class="badge bg-orange-lt" data-testid="recurring">{}</span>',
            labels["recurring"],
        )
    person = ""
    if problem.responsible_person_id:
        person = format_html(
            '<div class="text-secondary small">{}</div>', problem.responsible_person.name
        )
    return format_html(
        ROW,
        url=problem.get_absolute_url(),
        description=Truncator(problem.description).chars(40),
        recurring=recurring,
        organization=problem.organization.name,
        category=labels["category"].get(problem.category, problem.category),
        tier=problem.tier,
        library=labels["library"].get(problem.library, problem.library),
        owner=problem.owner.name,
        responsible=problem.responsible_org.name,
        person=person,
        deadline=problem.deadline.strftime("%Y-%m-%d"),
        badge=problem.badge_class,
        colour=problem.colour,
        colour_label=problem.colour_label,
        state_badge=STATE_BADGE.get(problem.state, "bg-secondary-lt"),
        state=problem.state,
        state_label=labels["state"].get(problem.state, problem.state),
    )


@register.simple_tag
def problem_rows(problems) -> SafeString:
    """The ``<tr>`` of every problem (``with_colours`` has set their colours)."""
    labels = _labels()
    return mark_safe("\n".join(_row(problem, labels) for problem in problems))  # noqa: S308
