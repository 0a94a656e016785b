"""Filters shared by the pages, the API lists and the exports of every app.

One FilterSet serves a page, its API list and its export. Organization parameters (``org=``,
``within=``) choose among the organizations in the requester's scope; a value outside it is
answered as any other object outside the scope: 404, on pages, API and exports alike (a 400 or
a page quietly showing one's own rows would tell the user the organization exists, or mislead).

Every app's FilterSet inherits :class:`ScopedFilterSet` and builds its parameters from the
pieces here: ``OrganizationFilter``/``WithinFilter``, ``PersonFilter``, ``choice_filter``,
``year_filter``, ``PeriodFilter`` and ``SwitchFilter``; ``documented`` gives drf-spectacular
the parameter's type and description where it cannot guess them.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field
from drf_spectacular.utils import extend_schema_field

from .orgtree import scoped_organizations, scoped_people
from .periods import Period
from .scope import subtree_q


def documented(filter_, schema_type: str, description):
    """The parameter's type and description in the schema (drf-spectacular cannot guess the
    type of a filter with a callable queryset or a custom field)."""
    return extend_schema_field({"type": schema_type, "description": description})(filter_)


# --- organizations and people, through the door -------------------------------------------------


@extend_schema_field({"type": "integer"})
class OrganizationFilter(django_filters.ModelChoiceFilter):
    """``org=<id>``: rows of that organization itself (``field_name``, default ``organization``).
    ``description`` documents the parameter in the API schema."""

    scoped = True

    def __init__(self, *args, description=None, **kwargs):
        kwargs.setdefault("queryset", scoped_organizations)
        kwargs.setdefault("field_name", "organization")
        kwargs.setdefault("label", _("组织"))
        super().__init__(*args, **kwargs)
        if description is not None:
            documented(self, "integer", description)


@extend_schema_field({"type": "integer"})
class WithinFilter(OrganizationFilter):
    """``within=<id>``: rows whose organization lies in that organization's subtree."""

    def __init__(self, *args, path_field: str = "organization__path", **kwargs):
        self.path_field = path_field
        kwargs.setdefault("label", _("所属组织（含下级）"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(subtree_q(self.path_field, value.path))


class PersonFilter(django_filters.ModelChoiceFilter):
    """``person=<id>``: rows of that person, chosen among the people the requester sees."""

    def __init__(self, *args, description=None, **kwargs):
        kwargs.setdefault("queryset", scoped_people)
        kwargs.setdefault("field_name", "person")
        kwargs.setdefault("label", _("人员"))
        super().__init__(*args, **kwargs)
        documented(self, "integer", description or _("人员编号"))


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose organization parameters answer 404 outside the requester's scope, and
    whose number parameters accept only what the column can hold (``bound_number``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self.queryset.model if self.queryset is not None else self._meta.model
        for filter_ in self.filters.values():
            if isinstance(filter_, django_filters.NumberFilter):
                bound_number(filter_, model)

    @property
    def errors(self):
        errors = super().errors
        for name, filter_ in self.filters.items():
            if getattr(filter_, "scoped", False) and name in errors:
                raise Http404(_("没有找到该组织，或不在您的管理范围内。"))
        return errors


# --- numbers: only what a column can hold --------------------------------------------------------

# Years a party-building record can bear; ``date(0, 1, 1)`` would fail inside the query.
YEAR_MIN, YEAR_MAX = 1900, 2100
# Any other number: past 64 bits SQLite raises OverflowError and PostgreSQL DataError.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def number_range(filter_, model) -> tuple[int, int]:
    """The values ``filter_`` may take: a year for ``__year``, the column's own range for an
    integer column (an id: int32 on PostgreSQL, int64 on SQLite), 64 bits for anything else."""
    if filter_.lookup_expr == "year":
        return YEAR_MIN, YEAR_MAX
    field = get_model_field(model, filter_.field_name) if model and filter_.field_name else None
    field = getattr(field, "target_field", field)  # a foreign key holds its target's ids
    if isinstance(field, models.IntegerField):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return max(low, INT64_MIN), min(high, INT64_MAX)
    return INT64_MIN, INT64_MAX


def bound_number(filter_, model) -> None:
    """Give ``filter_``'s form field the bounds of ``number_range`` unless it declares its own:
    an out-of-range value is a 400 naming the parameter (on pages, a form error), not a 500."""
    low, high = number_range(filter_, model)
    filter_.extra.setdefault("min_value", low)
    filter_.extra.setdefault("max_value", high)


# --- choices, years, periods ---------------------------------------------------------------------


def choice_message(choices) -> dict:
    """An ``invalid_choice`` message that lists the accepted values."""
    values = "、".join(str(value) for value, _label in choices)
    return {"invalid_choice": format_lazy("{}{}。", _("取值“%(value)s”无效，可选："), values)}


def choice_filter(label, choices, **kwargs):
    return django_filters.ChoiceFilter(
        label=label, choices=choices, error_messages=choice_message(choices), **kwargs
    )


def year_filter(field_name: str):
    filter_ = django_filters.NumberFilter(
        field_name=field_name, lookup_expr="year", min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    return extend_schema_field(
        {
            "type": "integer",
            "minimum": YEAR_MIN,
            "maximum": YEAR_MAX,
            "description": _("年度，如 2026"),
        }
    )(filter_)


class PeriodField(forms.CharField):
    """A period label (``2026``, ``2026Q1``, ``2026-03`` …) → ``bastion.core.periods.Period``;
    ``kind`` limits it to one kind of period."""

    def __init__(self, *args, kind: str | None = None, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return Period.parse(value, self.kind) if value else None


class PeriodFilter(django_filters.Filter):
    """``period=2026`` / ``2026Q1`` / ``2026-03``: rows whose date field lies in that period."""

    field_class = PeriodField

    def __init__(self, *args, kind: str | None = None, **kwargs):
        kwargs["kind"] = kind
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__range": (value.start, value.end)})


# --- switches -----------------------------------------------------------------------------------

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}


class SwitchField(forms.CharField):
    """``1`` / ``0`` (also true/false, yes/no) → True / False; empty → None."""

    def clean(self, value):
        raw = (super().clean(value) or "").strip().lower()
        if not raw:
            return None
        if raw in TRUE_VALUES:
            return True
        if raw in FALSE_VALUES:
            return False
        raise ValidationError(_("取值“%(value)s”无效，只能为 1 或 0。"), params={"value": value})


def switch_value(raw) -> bool | None:
    """A query parameter read as a switch (``1``/``0`` …), None when absent; 400 if neither."""
    return SwitchField(required=False).clean(raw)


@extend_schema_field({"type": "boolean"})
class SwitchFilter(django_filters.Filter):
    """``name=1``: the rows matching :meth:`condition`; ``name=0``: the others."""

    field_class = SwitchField

    def condition(self) -> Q:
        raise NotImplementedError

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = self.condition()
        return qs.filter(condition) if value else qs.exclude(condition)
