"""Helpers for the calendar, terms and guide tests: a fixed "today", quick users."""

import datetime as dt

from django.utils import timezone

from bastion.orgs.tests.factories import UserFactory, grant


def freeze_today(monkeypatch, day: dt.date) -> dt.date:
    """Make ``timezone.localdate()`` (no arguments) answer ``day``."""
    original = timezone.localdate

    def localdate(value=None, timezone=None):
        if value is None and timezone is None:
            return day
        return original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return day


def department_below_root(tree, username="p_dept_county"):
    """A user holding the party-building department's role on a county, not on the root."""
    user = UserFactory(username=username)
    grant(user, "party_department", tree.county_a)
    return user
