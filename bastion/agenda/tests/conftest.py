"""The agenda tests' people were entered in Bastion long before the dates they pin as today.

Dues are owed from the day a member was entered (``services.dues_fulfilment.owed_from_expr``);
the shared ``people`` fixture is created at the real clock's time while these tests pin
"today" in 2025, so its members are dated back to 1 December 2024, as if the branch started
using Bastion then (the six months up to May 2025 are the first that can raise the alarm).
"""

import datetime as dt

import pytest
from django.utils import timezone

from bastion.orgs.models import Person

ENTERED = timezone.make_aware(dt.datetime(2024, 12, 1, 9, 0))


def enter_long_ago(*people) -> None:
    """Date the given people's entry in Bastion (all when none given) to 1 December 2024."""
    rows = Person.objects.filter(pk__in=[p.pk for p in people]) if people else Person.objects
    rows.update(created_at=ENTERED)
    for person in people:
        person.created_at = ENTERED


@pytest.fixture
def people(people):
    enter_long_ago(*vars(people).values())
    return people


@pytest.fixture
def month_end_calendar(db):
    """The seeded calendar as it was before it was spread over the solar terms: every item
    due at its month's end. For tests about boards, digests and the API, whose expectations
    are written in month ends; the placement itself is tested in test_solar_terms."""
    from bastion.agenda.models import CalendarRule

    CalendarRule.objects.update(due_term=0)
