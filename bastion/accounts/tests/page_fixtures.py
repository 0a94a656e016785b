"""Fixtures of the account page tests (imported by each module that uses them)."""

from types import SimpleNamespace

import pytest

from bastion.accounts import services

STRONG_PASSWORD = "Gd-station-2026"


@pytest.fixture(name="opened")
def opened_fixture(personas, people):
    """Accounts for 王五 (A2), 赵六 (B1) and 钱七 (county A), opened by the company
    administrator; 张三's is the member persona; 李四 (A1) has none yet."""
    accounts = {
        name: services.account_open(actor=personas.company, person=getattr(people, name)).user
        for name in ("wang_wu", "zhao_liu", "county_clerk")
    }
    return SimpleNamespace(zhang_san=personas.member, **accounts)


@pytest.fixture(name="a1_list")
def a1_list_fixture(personas, people):
    """A 开户清单 secretary A left behind: 李四's account, opened from his page."""
    return services.account_open(actor=personas.secretary_a, person=people.li_si).account_list


@pytest.fixture(name="help_request")
def help_request_fixture(opened):
    """王五 (A2) forgot his password."""
    from bastion.accounts.models import PasswordHelpRequest

    services.password_help_request(username=opened.wang_wu.username, note="王五，A2所")
    return PasswordHelpRequest.objects.get(user=opened.wang_wu)
