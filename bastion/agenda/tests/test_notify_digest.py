"""What a daily digest lists, for whom, and how it stays short."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bastion.agenda.models import Obligation
from bastion.agenda.services.notify_digest import allot, digest_recipients
from bastion.agenda.services.obligations import generate_year
from bastion.core.notifications.digest import build_digest
from bastion.orgs.tests.factories import UserFactory, grant, make_org

from .notify_scenario import TODAY, build_scenario, reopen, submitted_meeting

pytestmark = pytest.mark.usefixtures("month_end_calendar")  # written in month ends, see conftest


@pytest.fixture
def scenario(tree, personas):
    build_scenario(tree)
    return tree


def by_group(sections):
    return {section["group"]: section for section in sections}


def test_branch_secretary_gets_red_yellow_and_green_from_today_line_by_line(scenario, personas):
    sections = by_group(build_digest(personas.secretary_a, TODAY))

    assert list(sections) == ["red", "yellow", "green"]
    red = sections["red"]["lines"]
    assert [(line["org"], line["text"], line["note"]) for line in red] == [
        ("A1供电所党支部", "支委会（2025-01）", "已逾期 49 天"),
        ("第一党小组", "党小组会（2025-02）", "已逾期 21 天"),
    ]
    assert [line["text"] for line in sections["yellow"]["lines"]] == ["支部党员大会（2025Q1）"]
    assert sections["yellow"]["lines"][0]["note"] == "还剩 10 天"
    assert [line["text"] for line in sections["green"]["lines"]] == ["支委会（2025-03）"]
    assert all(section["more"] == 0 for section in sections.values())
    assert red[0]["url"] == f"/agenda/board/?org={scenario.station_a1.pk}"


def test_branch_digest_leaves_out_upcoming_done_and_older_green_items(scenario, personas):
    sections = build_digest(personas.secretary_a, TODAY)
    listed = {line["text"] for section in sections for line in section["lines"]}

    assert listed == {
        "支委会（2025-01）",
        "党小组会（2025-02）",
        "支部党员大会（2025Q1）",
        "支委会（2025-03）",
    }
    assert "主题党日" not in json.dumps(sections, ensure_ascii=False)  # green since yesterday


def test_nobody_outside_the_scope_is_mentioned(scenario, personas):
    text_a = json.dumps(build_digest(personas.secretary_a, TODAY), ensure_ascii=False)
    text_b = json.dumps(build_digest(personas.secretary_b, TODAY), ensure_ascii=False)
    text_county = json.dumps(build_digest(personas.county, TODAY), ensure_ascii=False)

    assert "A2" not in text_a and "B1" not in text_a
    assert "A1" not in text_b and "A2" not in text_b and "B1供电所党支部" in text_b
    assert "B1" not in text_county


def test_county_digest_has_one_line_per_branch_with_counts_and_worst_item(scenario, personas):
    sections = build_digest(personas.county, TODAY)

    assert [s["group"] for s in sections] == ["branches"]
    branches = sections[0]
    assert branches["totals"] == {"red": 3, "yellow": 1, "green": 1}
    assert branches["level"] == "red"
    lines = {line["org"]: line for line in branches["lines"]}
    assert list(lines) == ["A1供电所党支部", "A2供电所党支部"]  # the worst first
    a1 = lines["A1供电所党支部"]
    assert a1["counts"] == {"red": 2, "yellow": 1, "green": 1}  # the group counts for A1
    assert (a1["level"], a1["text"], a1["note"]) == ("red", "支委会（2025-01）", "已逾期 49 天")
    assert lines["A2供电所党支部"]["counts"] == {"red": 1, "yellow": 0, "green": 0}


def test_a_party_groups_worst_item_is_named_in_its_branch_line(scenario, personas):
    Obligation.objects.filter(organization=scenario.station_a1).update(fulfilled_on=TODAY)

    line = build_digest(personas.county, TODAY)[0]["lines"][0]

    assert line["org"] == "A1供电所党支部"
    assert line["text"] == "第一党小组 · 党小组会（2025-02）"


def test_company_digest_covers_every_county(scenario, personas):
    lines = build_digest(personas.company, TODAY)[0]["lines"]

    assert [line["org"] for line in lines] == ["A1供电所党支部", "A2供电所党支部", "B1供电所党支部"]


def many_branches(tree, count):
    branches = [
        make_org(tree.county_a, name=f"新建{i:02d}供电所党支部", code=f"C-A-N{i:02d}")
        for i in range(count)
    ]
    generate_year(2025, organization_ids=[b.pk for b in branches])
    Obligation.objects.filter(organization__in=branches).update(fulfilled_on=TODAY)
    for branch in branches:
        reopen(branch, "dues", "2025-02")
    return branches


def test_county_digest_is_capped_and_counts_the_rest(scenario, personas, settings):
    settings.BASTION_DIGEST_MAX_LINES = 5
    many_branches(scenario, 12)

    branches = build_digest(personas.county, TODAY)[0]

    assert branches["total"] == 14
    assert len(branches["lines"]) == 5
    assert branches["more"] == 9
    assert branches["lines"][0]["org"] == "A1供电所党支部"
    assert branches["totals"]["red"] == 3 + 12


def test_county_digest_costs_the_same_queries_for_2_or_14_branches(scenario, personas):
    def queries():
        user = type(personas.county).objects.get(pk=personas.county.pk)  # fresh grant cache
        with CaptureQueriesContext(connection) as ctx:
            build_digest(user, TODAY)
        return len(ctx.captured_queries)

    submitted_meeting(scenario.station_a1, "三月支委会")
    small = queries()
    many_branches(scenario, 12)
    submitted_meeting(scenario.station_a2, "三月支委会")
    large = queries()

    # grants, roots, counts, worst items, review count and lines, plus each app's digest source
    # (tasks: the due-soon threshold and its grouped counts; problems: the grant, the yellow
    # window's threshold and the grouped counts; evaluation: the open rounds)
    assert small == large == 12


def test_branch_digest_is_capped_too(scenario, personas, settings):
    settings.BASTION_DIGEST_MAX_LINES = 2
    sections = by_group(build_digest(personas.secretary_a, TODAY))

    assert sum(len(s["lines"]) for s in sections.values()) == 2
    assert sum(s["more"] for s in sections.values()) == 2
    assert len(sections["red"]["lines"]) == 1 and len(sections["yellow"]["lines"]) == 1


def test_reviewers_see_submitted_meetings_strictly_below_them(scenario, personas):
    submitted_meeting(scenario.station_a1, "三月支委会")
    submitted_meeting(scenario.station_a2, "已通过的会", status="approved")
    submitted_meeting(scenario.county_a, "县公司党委会")
    submitted_meeting(scenario.station_b1, "B1支委会")

    county = by_group(build_digest(personas.county, TODAY))
    company = by_group(build_digest(personas.company, TODAY))
    secretary = by_group(build_digest(personas.secretary_a, TODAY))

    assert [line["text"] for line in county["review"]["lines"]] == ["支委会：三月支委会"]
    assert county["review"]["lines"][0]["org"] == "A1供电所党支部"
    assert sorted(line["text"] for line in company["review"]["lines"]) == [
        "支委会：B1支委会",
        "支委会：三月支委会",
        "支委会：县公司党委会",
    ]
    assert "review" not in secretary


def test_people_who_cannot_act_get_nothing(scenario, personas):
    assert build_digest(personas.member, TODAY) == []
    assert build_digest(personas.outsider, TODAY) == []
    recipients = set(digest_recipients().values_list("username", flat=True))
    assert recipients == {"p_company", "p_county", "p_secretary_a", "p_secretary_b"}


def test_inactive_users_and_organizations_are_left_out(scenario, personas):
    personas.secretary_b.is_active = False
    personas.secretary_b.save()
    scenario.station_a2.is_active = False
    scenario.station_a2.save()

    assert "p_secretary_b" not in set(digest_recipients().values_list("username", flat=True))
    lines = build_digest(personas.county, TODAY)[0]["lines"]
    assert [line["org"] for line in lines] == ["A1供电所党支部"]


def test_a_secretary_of_two_branches_sees_both_line_by_line(scenario, personas):
    user = UserFactory(username="two_branches")
    grant(user, "branch_secretary", scenario.station_a2)
    grant(user, "branch_secretary", scenario.station_b1)

    red = build_digest(user, TODAY)[0]

    assert red["group"] == "red"
    assert [line["org"] for line in red["lines"]] == ["A2供电所党支部", "B1供电所党支部"]


def test_nothing_due_means_an_empty_digest(scenario, personas):
    Obligation.objects.update(fulfilled_on=dt.date(2025, 1, 1))
    assert build_digest(personas.secretary_a, TODAY) == []
    assert build_digest(personas.county, TODAY) == []


@pytest.mark.parametrize(
    ("sizes", "cap", "expected"),
    [
        ([100, 100], 50, [25, 25]),
        ([3, 100], 50, [3, 47]),
        ([100, 2, 1], 10, [7, 2, 1]),
        ([1, 1], 50, [1, 1]),
        ([5, 5, 5], 2, [1, 1, 0]),
    ],
)
def test_the_line_cap_is_shared_fairly_between_sections(sizes, cap, expected):
    assert allot(sizes, cap) == expected


def test_a_superuser_with_a_role_gets_the_whole_tree_summarised(scenario, personas):
    admin = UserFactory(username="admin", is_superuser=True)
    grant(admin, "branch_secretary", scenario.station_b1)
    submitted_meeting(scenario.company, "公司党委会")  # a superuser reviews all, the root too

    sections = by_group(build_digest(admin, TODAY))

    assert [line["org"] for line in sections["branches"]["lines"]] == [
        "A1供电所党支部",
        "A2供电所党支部",
        "B1供电所党支部",
    ]
    assert sections["review"]["total"] == 1
