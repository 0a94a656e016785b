"""``/api/v1/obligations/``: the persona matrix, every filter, the colours, constant queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bastion.agenda.models import Meeting, Obligation
from bastion.agenda.services.obligations import generate_year
from bastion.core.testing import PERSONAS, Scope, login, persona_matrix, seen_by_persona

pytestmark = pytest.mark.usefixtures("month_end_calendar")  # written in month ends, see conftest

# Organizations owing something in 2026 (the committees have no term yet): three branches and
# the party group. Which of them each persona sees:
VISIBLE = {
    "company": {"station_a1", "station_a2", "station_b1", "group_a1"},
    "county": {"station_a1", "station_a2", "group_a1"},
    "secretary_a": {"station_a1", "group_a1"},
    "secretary_b": {"station_b1"},
    "member": {"station_a1", "group_a1"},
    "outsider": set(),
}
BRANCH_ITEMS_2026 = 4 + 12 + 4 + 12 + 1 + 1 + 12  # assembly, committee, lecture, theme, …, dues
URL = reverse("api:obligation-list")


@pytest.fixture
def year(tree):
    generate_year(2026)
    return 2026


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def org_ids(tree, names):
    return {getattr(tree, name).pk for name in names}


# --- the matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_holds_exactly_the_scope(api, personas, tree, year, persona):
    login(api, getattr(personas, persona))
    found = rows(api.get(URL, {"page_size": 500}))
    assert {row["organization"]["id"] for row in found} == org_ids(tree, VISIBLE[persona])
    expected = sum(12 if name == "group_a1" else BRANCH_ITEMS_2026 for name in VISIBLE[persona])
    assert len(found) == expected


OBLIGATIONS = Scope(
    objects=lambda fx: {
        org: Obligation.objects.filter(organization=getattr(fx.tree, org)).first()
        for org in VISIBLE["company"]
    },
    seen_by=seen_by_persona(VISIBLE),
    detail=["api:obligation-detail"],
    fixtures=["year"],
)

test_obligations_are_read_inside_the_scope_only = persona_matrix(OBLIGATIONS)


def test_anonymous_is_refused(api, year):
    response = api.get(URL)
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_obligations_are_read_only(api, personas, tree, year, method):
    login(api, personas.company)
    obligation = Obligation.objects.filter(organization=tree.station_a1).first()
    detail = reverse("api:obligation-detail", args=[obligation.pk])
    url = URL if method == "post" else detail
    response = getattr(api, method)(url, {"fulfilled_on": "2026-01-01"}, format="json")
    assert response.status_code == 405
    obligation.refresh_from_db()
    assert obligation.fulfilled_on is None


def test_token_authentication_reads_the_list(api, personas, year):
    token = api.post(
        "/api/v1/auth/token/", {"username": "p_secretary_b", "password": "bastion-test"}
    ).json()["token"]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = other.get(URL, {"page_size": 500})
    assert response.json()["count"] == BRANCH_ITEMS_2026


# --- representation -----------------------------------------------------------------------------


def test_item_shows_its_rule_period_alert_and_record(api, personas, tree, year):
    obligation = Obligation.objects.get(
        organization=tree.station_a1, rule_code="committee", period_label="2026-03"
    )
    meeting = Meeting.objects.create(
        organization=tree.station_a1,
        kind="committee",
        topic="三月支委会",
        held_on=dt.date(2026, 3, 20),
    )
    obligation.meeting, obligation.fulfilled_on = meeting, dt.date(2026, 3, 20)
    obligation.save()
    login(api, personas.secretary_a)
    row = api.get(reverse("api:obligation-detail", args=[obligation.pk])).json()
    assert row["organization"] == {"id": tree.station_a1.pk, "name": "A1供电所党支部"}
    assert (row["rule_code"], row["rule_name"], row["kind"]) == ("committee", "支委会", "committee")
    assert row["kind_display"] == "支委会"
    assert row["period_label"] == "2026-03"
    assert (row["period_start"], row["period_end"]) == ("2026-03-01", "2026-03-31")
    assert row["due_on"] == "2026-03-31"
    assert (row["green_from"], row["yellow_from"]) == ("2026-03-21", "2026-03-26")
    assert row["fulfilled_on"] == "2026-03-20"
    assert (row["alert"], row["alert_display"]) == ("done", "按时完成")
    assert row["meeting"] == meeting.pk
    assert row["election"] is None


def test_list_is_ordered_by_due_date(api, personas, year):
    login(api, personas.company)
    dues = [row["due_on"] for row in rows(api.get(URL, {"page_size": 500}))]
    assert dues == sorted(dues)


# --- colours ------------------------------------------------------------------------------------


def craft_one_of_each_colour(org):
    """Six obligations of ``org``, one per colour as of today; every other obligation removed."""
    today = timezone.localdate()
    days = dt.timedelta
    crafted = list(Obligation.objects.filter(organization=org, kind="committee")[:6])
    Obligation.objects.exclude(pk__in=[o.pk for o in crafted]).delete()
    plans = {
        "upcoming": (today + days(10), today + days(20), today + days(25), None),
        "green": (today - days(1), today + days(5), today + days(10), None),
        "yellow": (today - days(10), today - days(1), today + days(2), None),
        "red": (today - days(20), today - days(10), today - days(1), None),
        "done": (today - days(20), today - days(10), today - days(5), today - days(6)),
        "late": (today - days(20), today - days(10), today - days(5), today - days(2)),
    }
    ids = {}
    for obligation, (level, (green, yellow, due, fulfilled)) in zip(
        crafted, plans.items(), strict=True
    ):
        obligation.green_from, obligation.yellow_from = green, yellow
        obligation.due_on, obligation.fulfilled_on = due, fulfilled
        obligation.save()
        ids[level] = obligation.pk
    return ids


@pytest.mark.parametrize("level", ["upcoming", "green", "yellow", "red", "done", "late"])
def test_alert_filter_finds_exactly_that_colour(api, personas, tree, year, level):
    ids = craft_one_of_each_colour(tree.station_a1)
    login(api, personas.secretary_a)
    (row,) = rows(api.get(URL, {"alert": level}))
    assert row["id"] == ids[level]
    assert row["alert"] == level


def test_each_item_carries_its_colour_and_label(api, personas, tree, year):
    ids = craft_one_of_each_colour(tree.station_a1)
    login(api, personas.county)
    found = {row["id"]: (row["alert"], row["alert_display"]) for row in rows(api.get(URL))}
    assert found == {
        ids["upcoming"]: ("upcoming", "未到期"),
        ids["green"]: ("green", "绿色通知"),
        ids["yellow"]: ("yellow", "黄色提醒"),
        ids["red"]: ("red", "红色告警"),
        ids["done"]: ("done", "按时完成"),
        ids["late"]: ("late", "逾期完成"),
    }


def test_bad_alert_is_400_in_chinese(api, personas, year):
    login(api, personas.company)
    response = api.get(URL, {"alert": "purple"})
    assert response.status_code == 400
    (message,) = response.json()["alert"]
    assert "purple" in message and "red" in message and "无效" in message


# --- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period,count",
    [
        ("2026", BRANCH_ITEMS_2026),
        ("2026Q1", 3 * 3 + 2),  # committee, theme day, dues monthly; assembly, lecture quarterly
        ("2026q4", 3 * 3 + 2 + 2),  # + annual review and member appraisal, due in December
        ("2026-03", 3 + 2),
        ("2026-3", 3 + 2),
        ("2026-02", 3),
        (" 2026-12 ", 3 + 2 + 2),
        ("2025", 0),
    ],
)
def test_period_keeps_items_due_inside_it(api, personas, tree, year, period, count):
    login(api, personas.company)
    found = rows(api.get(URL, {"period": period, "org": tree.station_a1.pk, "page_size": 500}))
    assert len(found) == count


def test_period_boundaries_are_inclusive(api, personas, tree, year):
    login(api, personas.company)
    found = rows(api.get(URL, {"period": "2026-02", "org": tree.station_a1.pk}))
    assert {row["due_on"] for row in found} == {"2026-02-28"}


@pytest.mark.parametrize("bad", ["2026Q5", "2026Q0", "2026-13", "2026-00", "26", "abc", "2026/03"])
def test_bad_period_is_400_in_chinese(api, personas, year, bad):
    login(api, personas.company)
    response = api.get(URL, {"period": bad})
    assert response.status_code == 400
    (message,) = response.json()["period"]
    assert bad in message
    assert "2026Q3" in message and "2026-03" in message  # the forms ``Period`` labels take


# --- organizations, subtree, kind ---------------------------------------------------------------


def test_org_keeps_that_organization_only(api, personas, tree, year):
    login(api, personas.company)
    found = rows(api.get(URL, {"org": tree.station_a1.pk, "page_size": 500}))
    assert {row["organization"]["id"] for row in found} == {tree.station_a1.pk}


def test_within_keeps_the_subtree(api, personas, tree, year):
    login(api, personas.company)
    found = rows(api.get(URL, {"within": tree.station_a1.pk, "page_size": 500}))
    assert {row["organization"]["id"] for row in found} == {tree.station_a1.pk, tree.group_a1.pk}
    county = rows(api.get(URL, {"within": tree.county_b.pk, "page_size": 500}))
    assert {row["organization"]["id"] for row in county} == {tree.station_b1.pk}


@pytest.mark.parametrize("name", ["org", "within"])
def test_organization_outside_scope_is_404_like_any_object_outside_it(
    api, personas, tree, year, name
):
    login(api, personas.secretary_a)
    response = api.get(URL, {name: tree.station_b1.pk})
    assert response.status_code == 404


def test_kind_and_alert_and_period_combine(api, personas, tree, year):
    login(api, personas.county)
    found = rows(api.get(URL, {"kind": "dues", "period": "2026Q2", "within": tree.county_a.pk}))
    assert len(found) == 2 * 3  # stations A1 and A2, April to June
    assert {row["kind"] for row in found} == {"dues"}
    response = api.get(URL, {"kind": "party"})
    assert response.status_code == 400
    assert "kind" in response.json()


# --- constant queries ---------------------------------------------------------------------------

# Session, user, role assignments, count, page.
LIST_QUERIES = 5


@pytest.mark.parametrize("persona", ["company", "secretary_a"])
def test_list_queries_do_not_grow_with_rows(
    api, personas, tree, persona, django_assert_num_queries
):
    generate_year(2026, organization_ids=[tree.group_a1.pk])
    login(api, getattr(personas, persona))
    with django_assert_num_queries(LIST_QUERIES):
        small = api.get(URL, {"page_size": 500}).json()
    generate_year(2026)
    generate_year(2027)
    with django_assert_num_queries(LIST_QUERIES):
        large = api.get(URL, {"page_size": 500}).json()
    assert small["count"] == 12
    assert len(large["results"]) > 100


def test_filtered_list_queries_do_not_grow_with_rows(
    api, personas, tree, django_assert_num_queries
):
    overdue = timezone.localdate() - dt.timedelta(days=1)
    query = {"within": tree.county_a.pk, "org": tree.station_a1.pk, "period": overdue.year}
    query |= {"alert": "red", "kind": "committee", "page_size": 500}
    generate_year(overdue.year, organization_ids=[tree.station_a1.pk])
    Obligation.objects.filter(rule_code="committee", period_start__month__gt=3).delete()
    Obligation.objects.update(due_on=overdue)  # every one of them red today
    login(api, personas.company)
    with django_assert_num_queries(LIST_QUERIES + 2):  # + the two organizations
        small = api.get(URL, query).json()
    generate_year(overdue.year, organization_ids=[tree.station_a1.pk])
    Obligation.objects.update(due_on=overdue)
    with django_assert_num_queries(LIST_QUERIES + 2):
        large = api.get(URL, query).json()
    assert (small["count"], large["count"]) == (3, 12)
