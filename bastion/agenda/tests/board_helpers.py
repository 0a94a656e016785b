"""Helpers of the board, map and roll-up tests: a fixed "today", a generated year, records."""

from __future__ import annotations

import datetime as dt

import pytest

from bastion.agenda.models import DuesPayment, Meeting, Obligation
from bastion.agenda.services.obligations import generate_year
from bastion.orgs.tests.factories import PersonFactory, make_org

TODAY = dt.date(2025, 6, 25)  # a Wednesday: the week ends on Sunday 29 June
YEAR = 2025


@pytest.fixture(name="today")
def today_fixture(monkeypatch):
    """Pin ``timezone.localdate()`` (the views and the widget read it through the module)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture(name="year")
def year_fixture(tree, people, today):
    """The year's obligations, generated once the branches have members (a branch without
    members owes no dues: its dues would be done at once)."""
    generate_year(YEAR)
    return YEAR


def obligation(org, kind, label) -> Obligation:
    return Obligation.objects.get(organization=org, kind=kind, period_label=label)


def fulfil(org, kind, label, on: dt.date) -> Obligation:
    """What a record would do: set ``fulfilled_on`` on the obligation."""
    item = obligation(org, kind, label)
    item.fulfilled_on = on
    item.save(update_fields=["fulfilled_on"])
    return item


def grow(tree, stations: int, tag: str):
    """More branches under both counties, each with a member, and their year of obligations."""
    for i in range(stations):
        for county in (tree.county_a, tree.county_b):
            station = make_org(
                county, name=f"扩展供电所{tag}{i}{county.code}", code=f"{county.code}-{tag}{i:03d}"
            )
            group = make_org(
                station, name=f"扩展党小组{tag}{i}", code=f"{station.code}-G", kind="group"
            )
            person = PersonFactory(
                organization=station,
                membership_status="full",
                admitted_on=dt.date(2012, 1, 1),
                confirmed_on=dt.date(2013, 1, 1),
            )
            Meeting.objects.create(
                organization=group if i % 2 else station,
                kind="committee",
                topic="会议",
                held_on=TODAY - dt.timedelta(days=i),
            )
            DuesPayment.objects.create(
                person=person,
                organization=station,
                amount=1,
                month=dt.date(YEAR, 5, 1),
                paid_on=TODAY,
            )
    generate_year(YEAR)
    # a share of the new rows done, on time and late, so every branch of the code runs
    rows = list(Obligation.objects.filter(due_on__lt=TODAY, fulfilled_on__isnull=True))
    for index, row in enumerate(rows[::2]):
        row.fulfilled_on = row.due_on + dt.timedelta(days=index % 3 - 1)
    Obligation.objects.bulk_update(rows[::2], ["fulfilled_on"])
