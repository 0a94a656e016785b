"""A fixed day for the notification tests: every obligation of 2025 done except a chosen few.

On 2025-03-21 (``TODAY``):
  A1供电所党支部  支委会 2025-01 red; 支部党员大会 2025Q1 yellow (from today);
                 支委会 2025-03 green from today;
                 主题党日 2025-03 green since yesterday (not listed);
                 支委会 2025-04 upcoming (not listed)
  第一党小组      党小组会 2025-02 red (counts for A1)
  A2供电所党支部  支委会 2025-01 red
  B1供电所党支部  支委会 2025-02 red
"""

import datetime as dt

from django.db.models import F

from bastion.agenda.models import Meeting, Obligation
from bastion.agenda.services.obligations import generate_year

TODAY = dt.date(2025, 3, 21)


def reopen(org, code: str, label: str, **dates) -> Obligation:
    obligation = Obligation.objects.get(organization=org, rule_code=code, period_label=label)
    obligation.fulfilled_on = None
    for name, value in dates.items():
        setattr(obligation, name, value)
    obligation.save()
    return obligation


def build_scenario(tree) -> None:
    generate_year(2025)
    Obligation.objects.update(fulfilled_on=F("due_on"))
    reopen(tree.station_a1, "committee", "2025-01")
    reopen(tree.station_a1, "branch-assembly", "2025Q1")
    reopen(tree.station_a1, "committee", "2025-03")
    reopen(tree.station_a1, "theme-day", "2025-03", green_from=TODAY - dt.timedelta(days=1))
    reopen(tree.station_a1, "committee", "2025-04")
    reopen(tree.group_a1, "group-meeting", "2025-02")
    reopen(tree.station_a2, "committee", "2025-01")
    reopen(tree.station_b1, "committee", "2025-02")


def submitted_meeting(org, topic: str, status: str = "submitted", **fields) -> Meeting:
    fields.setdefault("held_on", dt.date(2025, 3, 10))
    return Meeting.objects.create(
        organization=org, kind="committee", topic=topic, status=status, **fields
    )
