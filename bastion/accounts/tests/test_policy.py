"""账号规则: the party-building department at the top changes the rules as a new row; nobody
below sees the page; a rule that marks 退休 as leaving closes the accounts of retired people."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.accounts import services
from bastion.accounts.models import AccountPolicy

URL = reverse("accounts:policy")


def new_rule(**changes):
    data = {
        "effective_from": timezone.localdate().isoformat(),
        "username_source": "employee_no",
        "member_role": "",
        "member_statuses": ["full", "probationary"],
        "leaving_statuses": ["transferred", "resigned", "deceased", "retired"],
        "code_valid_days": "7",
        "source": "2026年第12号通知",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["county", "secretary_a", "member", "outsider"])
def test_nobody_below_the_department_sees_or_changes_the_rules(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(URL).status_code == 404
    assert client.post(URL, new_rule()).status_code == 404
    assert AccountPolicy.objects.count() == 1  # the migration's default rule


def test_the_department_saves_a_new_rule_and_the_old_one_stays(client, personas):
    client.force_login(personas.company)
    page = client.get(URL)
    assert page.status_code == 200
    assert page.context["form"]["code_valid_days"].value() == 14  # starts from the rule in force
    response = client.post(URL, new_rule())
    assert response.status_code == 302
    assert AccountPolicy.objects.count() == 2
    current = AccountPolicy.current()
    assert (current.code_valid_days, current.source) == (7, "2026年第12号通知")
    assert "retired" in current.leaving_statuses and current.member_role is None
    html = client.get(URL).content.decode()
    assert "退休" in html and "2026年第12号通知" in html


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"effective_from": "2020-01-01"}, "effective_from", "不能早于今天"),
        ({"code_valid_days": "0"}, "code_valid_days", ""),
        ({"code_valid_days": "365"}, "code_valid_days", ""),
        ({"leaving_statuses": ["gone"]}, "leaving_statuses", ""),
        ({"username_source": "email"}, "username_source", ""),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_and_nothing_saved(
    client, personas, changes, field, message
):
    client.force_login(personas.company)
    response = client.post(URL, new_rule(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert errors and message in " ".join(errors)
    assert AccountPolicy.objects.count() == 1


def test_a_rule_that_counts_retirement_as_leaving_closes_retired_accounts(personas, people):
    opened = services.account_open(actor=personas.secretary_a, person=people.li_si)
    people.li_si.status = "retired"
    people.li_si.save()
    opened.user.refresh_from_db()
    assert opened.user.is_active  # retirement is not leaving under the default rule
    data = {
        "effective_from": timezone.localdate(),
        "username_source": "employee_no",
        "member_role": None,
        "member_statuses": ["full"],
        "leaving_statuses": ["transferred", "resigned", "deceased", "retired"],
        "code_valid_days": 14,
        "source": "",
    }
    services.account_policy_save(actor=personas.company, data=data)
    assert services.accounts_close_for_leavers(today=timezone.localdate())["closed"] == 1
    opened.user.refresh_from_db()
    assert not opened.user.is_active


def test_a_rule_from_a_later_day_waits_for_its_day(personas):
    later = timezone.localdate() + dt.timedelta(days=30)
    data = {
        "effective_from": later,
        "username_source": "pinyin",
        "member_role": None,
        "member_statuses": [],
        "leaving_statuses": [],
        "code_valid_days": 3,
        "source": "",
    }
    services.account_policy_save(actor=personas.company, data=data)
    assert AccountPolicy.current().username_source == "employee_no"
