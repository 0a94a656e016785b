"""What happens to a code after it leaves: used or replaced, it leaves the 开户清单 waiting to be
downloaded; spent by wrong tries, the account no longer counts as awaiting activation; a reset
answers the person's open 忘记密码 requests."""

import pytest
from django.core.exceptions import ValidationError

from bastion.accounts import selectors, services
from bastion.accounts.models import HelpState, PasswordHelpRequest
from bastion.accounts.tests.page_fixtures import STRONG_PASSWORD
from bastion.orgs.models import Person

pytestmark = pytest.mark.django_db


def test_a_used_code_leaves_the_list_nobody_downloaded(personas, people):
    opened = services.account_open(actor=personas.secretary_a, person=people.li_si)
    assert list(selectors.pending_lists(personas.secretary_a)) == [opened.account_list]
    services.account_activate(
        username=opened.user.username, code=opened.code, password=STRONG_PASSWORD
    )
    opened.account_list.refresh_from_db()
    assert opened.account_list.entries == []  # no working secret stays in the database
    assert list(selectors.pending_lists(personas.secretary_a)) == []


def test_a_reset_takes_the_old_code_out_of_a_bulk_list(personas, people):
    roster = Person.objects.filter(pk__in=[people.li_si.pk, people.wang_wu.pk])
    account_list = services.accounts_bulk_open(actor=personas.county, people=roster)
    li_si, wang_wu = (Person.objects.get(pk=p.pk).user for p in (people.li_si, people.wang_wu))
    services.account_reset(actor=personas.county, user=li_si)
    account_list.refresh_from_db()
    assert [entry[1] for entry in account_list.entries] == [wang_wu.pk]
    rows = services.account_list_take(actor=personas.county, account_list=account_list)
    assert [row["name"] for row in rows] == ["王五"]


def test_a_code_spent_by_wrong_tries_is_not_awaiting(personas, people):
    opened = services.account_open(actor=personas.secretary_a, person=people.li_si)
    waiting = selectors.accounts_for(personas.secretary_a).filter(awaiting_activation=True)
    assert list(waiting) == [opened.user]
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.account_activate(
                username=opened.user.username, code="AAAAAAAA", password=STRONG_PASSWORD
            )
    waiting = selectors.accounts_for(personas.secretary_a).filter(awaiting_activation=True)
    assert list(waiting) == []


def test_a_reset_answers_the_open_password_help_request(personas, people):
    opened = services.account_open(actor=personas.secretary_a, person=people.li_si)
    services.password_help_request(username=opened.user.username, note="")
    request = PasswordHelpRequest.objects.get()
    assert request.state == HelpState.OPEN
    services.account_reset(actor=personas.secretary_a, user=opened.user)
    request.refresh_from_db()
    assert request.state == HelpState.ANSWERED and request.answered_by == personas.secretary_a
    assert list(selectors.open_help_requests(personas.secretary_a)) == []
