"""API helpers in core: organization references through the scope door, the ``within`` query
parameter (404 outside the scope), switches and periods as query parameters."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from rest_framework import serializers
from rest_framework.request import Request

from bastion.core.api import organization_param
from bastion.core.api_fields import EnumField, OrganizationRefField
from bastion.core.filters import PeriodFilter, ScopedFilterSet, SwitchFilter, switch_value
from bastion.orgs.models import Person


def drf_request(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    drf = Request(request)
    drf.user = user
    return drf


class Placed(serializers.Serializer):
    organization = OrganizationRefField(action="change")


def test_a_reference_is_written_as_an_id_and_read_as_id_and_name(personas, tree):
    context = {"request": drf_request(personas.county)}
    serializer = Placed(data={"organization": tree.station_a1.pk}, context=context)
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["organization"] == tree.station_a1
    read = Placed({"organization": tree.station_a1}, context=context).data
    assert read["organization"] == {"id": tree.station_a1.pk, "name": "A1供电所党支部"}


def test_a_reference_outside_the_scope_reads_as_missing(personas, tree):
    context = {"request": drf_request(personas.county)}
    serializer = Placed(data={"organization": tree.station_b1.pk}, context=context)
    assert not serializer.is_valid()
    assert "不在您的管理范围内" in str(serializer.errors["organization"][0])


def test_an_enum_field_takes_a_choices_class(tree):
    from bastion.orgs.models.organization import UnitKind

    field = EnumField(UnitKind)
    assert field.run_validation("station") == "station"
    with pytest.raises(serializers.ValidationError):
        field.run_validation("moon")


def test_the_within_parameter_is_an_organization_in_scope_or_404(personas, tree):
    assert organization_param(drf_request(personas.county)) is None
    found = organization_param(drf_request(personas.county, within=tree.station_a1.pk))
    assert found == tree.station_a1
    for value in (tree.station_b1.pk, "x", 999999):
        with pytest.raises(Http404):
            organization_param(drf_request(personas.county, within=value))


class FullMembers(SwitchFilter):
    def condition(self):
        from django.db.models import Q

        return Q(membership_status="full")


class PeopleFilter(ScopedFilterSet):
    full = FullMembers()
    admitted = PeriodFilter(field_name="admitted_on")

    class Meta:
        model = Person
        fields = ["full", "admitted"]


def names(user, **params):
    filters = PeopleFilter(params, queryset=Person.objects.all(), request=drf_request(user))
    return sorted(filters.qs.values_list("name", flat=True))


def test_a_switch_keeps_or_drops_the_matching_rows(personas):
    assert names(personas.company, full="1") == ["张三", "王五", "赵六"]
    assert "李四" in names(personas.company, full="0")
    assert switch_value("") is None and switch_value("yes") is True
    with pytest.raises(ValidationError):
        switch_value("maybe")


def test_a_period_keeps_the_rows_dated_inside_it(personas, people):
    Person.objects.filter(pk=people.wang_wu.pk).update(admitted_on=dt.date(2026, 3, 31))
    assert names(personas.company, admitted="2026Q1") == ["王五"]
    assert names(personas.company, admitted="2026-04") == []
    assert "王五" in names(personas.company, admitted="2026")
    bad = PeopleFilter({"admitted": "2026Q5"}, queryset=Person.objects.all())
    assert not bad.is_valid() and "2026Q5" in bad.errors["admitted"][0]
