"""Score history across periods (trends): a branch's or a person's results per scheme, as a line
chart of totals and ranks and a table linking each period's result.

The rows follow the results pages' visibility (``selectors_results.visible_all``): a member sees
published results only; who runs the rounds also sees computed, unpublished ones.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from bastion.core.scope import allows
from bastion.orgs.models import Organization, Person

from ..selectors_results import VIEW_TARGET, visible_all
from ..selectors_titles import badges


def _history_rows(queryset):
    return list(
        queryset.filter(total__isnull=False)
        .select_related("round", "round__scheme")
        .defer("round__snapshot", "contributions")
        .order_by("round__scheme__name", "round__scheme_id", "round__period_start", "round_id")
    )


def _series(targets) -> list[dict]:
    """One entry per scheme: its rows (oldest first) and the chart's data."""
    schemes: dict[int, dict] = {}
    for target in targets:
        scheme = target.round.scheme
        entry = schemes.setdefault(
            scheme.pk,
            {
                "scheme": scheme,
                "rows": [],
                "chart": {"name": scheme.name, "periods": [], "totals": [], "ranks": []},
            },
        )
        target.badges = badges(target.titles)
        entry["rows"].append(target)
        chart = entry["chart"]
        chart["periods"].append(target.round.period_label)
        chart["totals"].append(float(target.total))
        chart["ranks"].append(target.rank)
    series = list(schemes.values())
    for index, entry in enumerate(series):
        entry["chart_id"] = f"history-chart-{index}"
        entry["chart"]["id"] = entry["chart_id"]
        entry["rows"].reverse()  # the table reads newest first; the chart oldest first
    return series


def _render(request, *, subject, kind, series, back_url):
    return render(
        request,
        "evaluation/history/history.html",
        {
            "subject": subject,
            "kind": kind,
            "series": series,
            "charts": [entry["chart"] for entry in series],
            "back_url": back_url,
        },
    )


@login_required
def history_org(request, org_pk):
    user = request.user
    org = get_object_or_404(Organization.objects.restrict(user, "view"), pk=org_pk)
    rows = _history_rows(visible_all(user).filter(organization=org, person__isnull=True))
    return _render(
        request, subject=org.name, kind="org", series=_series(rows), back_url=org.get_absolute_url()
    )


@login_required
def history_person(request, person_pk):
    user = request.user
    person = get_object_or_404(Person.objects.select_related("organization"), pk=person_pk)
    rows = _history_rows(visible_all(user).filter(person=person))
    own = person.user_id is not None and person.user_id == user.pk
    covering = allows(user, VIEW_TARGET, person.organization)
    if not (own or covering or rows):
        raise Http404
    return _render(request, subject=person.name, kind="person", series=_series(rows), back_url=None)
