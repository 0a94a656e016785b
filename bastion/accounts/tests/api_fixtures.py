"""Accounts for the API tests: one per person of the root ``people`` fixture, opened through the
service as a company administrator would (the member persona already is 张三's account)."""

from types import SimpleNamespace

import pytest

from bastion.accounts import services

PASSWORD = "Gd-2026-station"


@pytest.fixture(name="accounts")
def accounts_fixture(personas, people):
    """``accounts.<person>``: the account of each person of the ``people`` fixture."""
    opened = {
        name: services.account_open(actor=personas.company, person=getattr(people, name)).user
        for name in ("li_si", "wang_wu", "zhao_liu", "county_clerk")
    }
    return SimpleNamespace(zhang_san=personas.member, **opened)


def users_url(pk=None, action=None) -> str:
    path = "/api/v1/users/"
    if pk is not None:
        path += f"{pk}/"
    if action:
        path += f"{action}/"
    return path
