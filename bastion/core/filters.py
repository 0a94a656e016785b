"""Filters shared by the pages, the API lists and the exports of every app.

One FilterSet serves a page, its API list and its export. Organization parameters (``org=``,
``within=``) choose among the organizations in the requester's scope; a value outside it is
answered as any other object outside the scope: 404, on pages, API and exports alike (a 400 or
a page quietly showing one's own rows would tell the user the organization exists, or mislead).
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .orgtree import scoped_organizations
from .scope import subtree_q


@extend_schema_field({"type": "integer"})
class OrganizationFilter(django_filters.ModelChoiceFilter):
    """``org=<id>``: rows of that organization itself (``field_name``, default ``organization``)."""

    scoped = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", scoped_organizations)
        kwargs.setdefault("field_name", "organization")
        kwargs.setdefault("label", _("组织"))
        super().__init__(*args, **kwargs)


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


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose organization parameters answer 404 outside the requester's scope."""

    @property
    def errors(self):
        errors = super().errors
        for name, filter_ in self.filters.items():
            if getattr(filter_, "scoped", False) and name in errors:
                raise Http404(_("没有找到该组织，或不在您的管理范围内。"))
        return errors
