import pytest
from django.http import Http404
from django.test import RequestFactory

from bastion.core.filters import OrganizationFilter, ScopedFilterSet, WithinFilter
from bastion.orgs.models import Person


class PersonScopeFilter(ScopedFilterSet):
    org = OrganizationFilter()
    within = WithinFilter()

    class Meta:
        model = Person
        fields = ["org", "within"]


def run(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    queryset = Person.objects.restrict(user, "view")
    return sorted(
        PersonScopeFilter(params, queryset=queryset, request=request).qs.values_list(
            "name", flat=True
        )
    )


def test_within_lists_the_subtree(personas, tree):
    assert run(personas.county, within=tree.station_a1.pk) == ["张三", "李四"]
    assert run(personas.county, org=tree.county_a.pk) == ["钱七"]


def test_an_organization_outside_the_scope_is_not_found(personas, tree):
    with pytest.raises(Http404):
        run(personas.secretary_a, within=tree.station_b1.pk)
    with pytest.raises(Http404):
        run(personas.county, org=tree.county_b.pk)


def test_an_unknown_organization_is_not_found(personas):
    with pytest.raises(Http404):
        run(personas.company, within=999999)
