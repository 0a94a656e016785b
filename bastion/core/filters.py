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
from django.db.models import Q
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
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
    """A FilterSet whose organization parameters answer 404 outside the requester's scope."""

    @property
    def errors(self):
        errors = super().errors
        for name, filter_ in self.filters.items():
            if getattr(filter_, "scoped", False) and name in errors:
                raise Http404(_("没有找到该组织，或不在您的管理范围内。"))
        return errors


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
    return documented(
        django_filters.NumberFilter(field_name=field_name, lookup_expr="year"),
        "integer",
        _("年度，如 2026"),
    )


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
