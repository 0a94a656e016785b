"""The filters the account pages and the API share."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from bastion.accounts import selectors
from bastion.accounts.filters import AccountFilter


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def accounts(user, data):
    return AccountFilter(data, queryset=selectors.accounts_for(user), request=request_of(user))


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
