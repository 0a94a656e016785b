"""A crafted set of problems over the conftest tree for the bulletin tests (quarter 2025Q3).

| # | where | category | found | deadline | state (date) | counts in 2025Q3 |
|---|---|---|---|---|---|---|
| p1 | station_a1 | organization | 07-10 | 08-10 | closed 08-05 | found, rectified |
| p2 | station_a1 | safety | 07-15 | 08-31 | in_progress | found, overdue |
| p3 | station_a2 | safety | 05-01 | 06-30 | in_progress | carried, overdue |
| p4 | station_a2 | business | 04-01 | 05-01 | closed 06-15 | nothing |
| p5 | station_a2 | integrity | 05-10 | 10-31 | verified 08-20 | carried, rectified |
| p6 | group_a1 | organization | 09-01 | 12-31 | planned | found |
| p7 | station_b1 | service | 07-01 | 07-20 | closed 07-18 | found, rectified |
| p8 | station_b1 | business | 08-01 | 10-15 | in_progress | found |
| p9 | station_b1 | business | 10-05 | 11-05 | planned | nothing |
| p10 | company | other | 07-05 | 07-30 | submitted | found, overdue (本级) |
| p11 | station_b1 | safety | 08-01 | 09-01 | closed 10-10 | found, overdue (closed later) |
"""

import datetime as dt
import itertools

import pytest

from bastion.problems.models import Problem, ProblemEvent

QUARTER = "2025Q3"
_serial = itertools.count(1)


def d(month, day, year=2025):
    return dt.date(year, month, day)


def make_problem(org, category, found_on, deadline, state="planned", **extra):
    return Problem.objects.create(
        description=extra.pop("description", f"问题{next(_serial)}：{category}"),
        organization=org,
        source="inspection",
        category=category,
        tier=1,
        library="branch",
        owner=org,
        found_on=found_on,
        responsible_org=extra.pop("responsible_org", org),
        deadline=deadline,
        state=state,
        **extra,
    )


@pytest.fixture
def crafted(tree):
    t = tree
    p = {}
    p[1] = make_problem(
        t.station_a1, "organization", d(7, 10), d(8, 10), "closed", closed_on=d(8, 5)
    )
    p[2] = make_problem(
        t.station_a1,
        "safety",
        d(7, 15),
        d(8, 31),
        "in_progress",
        description="安全工器具未按期检验",
        responsible_org=t.county_a,
    )
    p[3] = make_problem(
        t.station_a2,
        "safety",
        d(5, 1),
        d(6, 30),
        "in_progress",
        description="现场作业未设安全监护人",
    )
    p[4] = make_problem(t.station_a2, "business", d(4, 1), d(5, 1), "closed", closed_on=d(6, 15))
    p[5] = make_problem(
        t.station_a2, "integrity", d(5, 10), d(10, 31), "verified", submitted_on=d(8, 1)
    )
    event = ProblemEvent.objects.create(problem=p[5], from_state="submitted", to_state="verified")
    ProblemEvent.objects.filter(pk=event.pk).update(at=dt.datetime(2025, 8, 20, 10, tzinfo=dt.UTC))
    p[6] = make_problem(t.group_a1, "organization", d(9, 1), d(12, 31))
    p[7] = make_problem(t.station_b1, "service", d(7, 1), d(7, 20), "closed", closed_on=d(7, 18))
    p[8] = make_problem(t.station_b1, "business", d(8, 1), d(10, 15), "in_progress")
    p[9] = make_problem(t.station_b1, "business", d(10, 5), d(11, 5))
    p[10] = make_problem(
        t.company,
        "other",
        d(7, 5),
        d(7, 30),
        "submitted",
        description="党委会议记录不规范",
        submitted_on=d(7, 29),
    )
    p[11] = make_problem(
        t.station_b1,
        "safety",
        d(8, 1),
        d(9, 1),
        "closed",
        description="配电房消防器材过期",
        closed_on=d(10, 10),
    )
    return p
