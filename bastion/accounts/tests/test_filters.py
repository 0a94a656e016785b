"""The filters the account pages and the API share."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from bastion.accounts import selectors
from bastion.accounts.filters import AccountFilter, BulkOpenFilter
from bastion.orgs.models import Person
from bastion.orgs.tests.factories import PersonFactory


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def accounts(user, data):
    return AccountFilter(data, queryset=selectors.accounts_for(user), request=request_of(user))


def roster(user, data):
    return BulkOpenFilter(data, queryset=Person.objects.all(), request=request_of(user))


def test_account_filter_searches_and_narrows(personas, tree):
    secretary = personas.secretary_a
    assert list(accounts(secretary, {"q": "张"}).qs) == [personas.member]
    assert list(accounts(secretary, {"awaiting": "1"}).qs) == []
    narrowed = accounts(secretary, {"is_active": "true", "within": tree.station_a1.pk})
    assert list(narrowed.qs) == [personas.member]
    assert list(accounts(secretary, {"is_active": "0"}).qs) == []


def test_account_filter_within_another_branch_is_not_found(personas, tree):
    with pytest.raises(Http404):
        accounts(personas.secretary_a, {"within": tree.station_b1.pk}).qs  # noqa: B018


def test_bulk_filter_needs_an_organization_without_a_404(personas):
    chosen = roster(personas.secretary_a, {})
    assert not chosen.is_valid()
    assert "请选择要开通账号的组织" in str(chosen.errors["within"])


def test_bulk_filter_chooses_people_without_an_account(personas, tree, people):
    full = {"admitted_on": "2015-07-01", "confirmed_on": "2016-07-01"}
    sun = PersonFactory(organization=tree.group_a1, membership_status="full", **full)
    probationary = PersonFactory(
        organization=tree.station_a1, membership_status="probationary", admitted_on="2025-07-01"
    )
    secretary = personas.secretary_a
    everyone = roster(secretary, {"within": tree.station_a1.pk}).qs
    assert set(everyone) == {people.li_si, sun, probationary}  # 张三 has an account
    party = roster(secretary, {"within": tree.station_a1.pk, "membership_status": "party"}).qs
    assert set(party) == {sun, probationary}
    full_only = roster(secretary, {"within": tree.station_a1.pk, "membership_status": "full"})
    assert set(full_only.qs) == {sun}
    masses = roster(secretary, {"within": tree.station_a1.pk, "membership_status": "none"})
    assert set(masses.qs) == {people.li_si}


def test_bulk_filter_outside_where_the_user_opens_accounts_is_not_found(personas, tree):
    with pytest.raises(Http404):
        roster(personas.secretary_a, {"within": tree.county_a.pk}).qs  # noqa: B018
    with pytest.raises(Http404):
        roster(personas.member, {"within": tree.station_a1.pk}).qs  # noqa: B018
