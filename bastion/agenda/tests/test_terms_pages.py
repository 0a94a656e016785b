"""Term pages: the persona matrix, recording through the page, filters, constant queries."""

import datetime as dt

import pytest
from django.urls import reverse

from bastion.agenda.models import Election, TermRule
from bastion.agenda.services.terms import election_record
from bastion.core.testing import PERSONAS, Scope, count_queries, persona_matrix
from bastion.orgs.models import CommitteeMember, Organization
from bastion.orgs.tests.factories import PersonFactory, make_org

from .calendar_helpers import department_below_root, freeze_today

TODAY = dt.date(2026, 6, 15)
FULL = {
    "membership_status": "full",
    "admitted_on": dt.date(2012, 7, 1),
    "confirmed_on": dt.date(2013, 7, 1),
}


@pytest.fixture
def terms(tree, people, monkeypatch):
    freeze_today(monkeypatch, TODAY)
    dates = {
        "company": (dt.date(2021, 12, 16), dt.date(2026, 12, 15)),  # yellow from today
        "county_a": (dt.date(2021, 5, 1), dt.date(2026, 4, 30)),  # red
        "station_a1": (dt.date(2023, 3, 1), dt.date(2026, 2, 28)),  # red
        "station_a2": (dt.date(2025, 1, 1), dt.date(2027, 12, 31)),  # green
        "station_b1": (dt.date(2023, 9, 1), dt.date(2026, 8, 31)),  # yellow
    }
    for name, (start, end) in dates.items():
        org = getattr(tree, name)
        org.term_started_on, org.term_ends_on = start, end
        org.save()
    return tree


def rows(response):
    return {org.name for org in response.context["rows"]}


@pytest.mark.parametrize(
    "persona,expected",
    [
        (
            "company",
            {
                "市公司党委",
                "A县公司党委",
                "B县公司党委",
                "A1供电所党支部",
                "A2供电所党支部",
                "B1供电所党支部",
            },
        ),
        ("county", {"A县公司党委", "A1供电所党支部", "A2供电所党支部"}),
        ("secretary_a", {"A1供电所党支部"}),
        ("secretary_b", {"B1供电所党支部"}),
        ("member", set()),
        ("outsider", set()),
    ],
)
@pytest.mark.django_db
def test_term_list_shows_the_scope(client, personas, terms, persona, expected):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("agenda:term_list"), {"all": "1"})
    assert response.status_code == 200
    assert rows(response) == expected


@pytest.mark.django_db
def test_term_list_colours_and_filters(client, personas, terms):
    client.force_login(personas.company)
    response = client.get(reverse("agenda:term_list"))
    colours = {org.name: org.term_colour for org in response.context["rows"]}
    assert colours == {
        "市公司党委": "yellow",
        "A县公司党委": "red",
        "B县公司党委": "unknown",
        "A1供电所党支部": "red",
        "A2供电所党支部": "green",
        "B1供电所党支部": "yellow",
    }
    assert [org.term_colour for org in response.context["rows"]][:2] == ["red", "red"]
    red = client.get(reverse("agenda:term_list"), {"colour": "red"})
    assert rows(red) == {"A县公司党委", "A1供电所党支部"}
    within = client.get(reverse("agenda:term_list"), {"within": terms.county_a.pk})
    assert rows(within) == {"A县公司党委", "A1供电所党支部", "A2供电所党支部"}
    both = client.get(reverse("agenda:term_list"), {"within": terms.county_a.pk, "colour": "green"})
    assert rows(both) == {"A2供电所党支部"}
    text = both.content.decode()
    assert "A县公司党委" in text  # the picker lists nearby organizations


@pytest.mark.django_db
def test_out_of_scope_filter_is_404(client, personas, terms):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("agenda:term_list"), {"within": terms.station_b1.pk})
    assert response.status_code == 404


@pytest.fixture
def election(personas, people, terms):
    return election_record(
        actor=personas.company,
        organization=terms.station_a1,
        held_on=dt.date(2026, 6, 1),
        approved_on=dt.date(2026, 6, 1),
        elected=[(people.zhang_san, "secretary")],
    )


# The election form of an organization and a recorded election: 200 inside the scope, 404 outside.
ELECTIONS = [
    Scope(
        objects="terms",
        seen_by={
            "station_a1": {"company", "county", "secretary_a"},
            "station_b1": {"company", "secretary_b"},
            "county_a": {"company", "county"},
        },
        detail=["agenda:election_create"],
    ),
    Scope(
        objects=lambda fx: {"a1": fx.election},
        seen_by={"a1": {"company", "county", "secretary_a"}},
        detail=["agenda:election_detail"],
    ),
]

test_org_pages_are_404_outside_scope = persona_matrix(*ELECTIONS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.django_db
def test_term_rules_are_read_by_all_and_edited_by_the_department(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("agenda:term_rules"))
    assert response.status_code == 200
    assert "党支部" in response.content.decode()
    expected = 200 if persona == "company" else 403
    assert client.get(reverse("agenda:term_rule_edit", args=["branch"])).status_code == expected
    assert client.get(reverse("agenda:term_rule_edit", args=["group"])).status_code == 404


@pytest.mark.django_db
def test_term_rule_edit_page_saves_a_version(client, personas, tree, monkeypatch):
    freeze_today(monkeypatch, TODAY)
    client.force_login(department_below_root(tree))
    url = reverse("agenda:term_rule_edit", args=["branch"])
    data = {"years": "5", "remind_months": "4", "effective_from": "2026-07-01", "source": "通知"}
    assert client.post(url, data).status_code == 403
    client.force_login(personas.company)
    assert client.post(url, data).status_code == 302
    assert TermRule.objects.filter(org_kind="branch").count() == 2
    response = client.post(url, {**data, "effective_from": "2026-01-01"})
    assert "生效日期不能早于" in response.content.decode()


@pytest.mark.django_db
def test_recording_through_the_page(client, personas, people, terms):
    sun = PersonFactory(name="孙八", organization=terms.station_a1, **FULL)
    zhou = PersonFactory(name="周九", organization=terms.group_a1, **FULL)
    PersonFactory(name="吴预备", organization=terms.station_a1, membership_status="probationary")
    CommitteeMember.objects.create(
        organization=terms.station_a1, person=people.zhang_san, position="secretary"
    )
    client.force_login(personas.secretary_a)
    url = reverse("agenda:election_create", args=[terms.station_a1.pk])
    page = client.get(url)
    roster = {person.name for person, _field in page.context["form"].roster_rows()}
    assert roster == {"张三", "孙八", "周九"}  # full members of the branch and its group
    assert page.context["form"][f"pos_{people.zhang_san.pk}"].initial == "secretary"
    data = {
        "held_on": "2026-06-01",
        "approved_on": "2026-06-05",
        "approval_ref": "〔2026〕1号",
        f"pos_{sun.pk}": "secretary",
        f"pos_{zhou.pk}": "propaganda",
        f"pos_{people.zhang_san.pk}": "",
    }
    bad = client.post(url, {**data, f"pos_{zhou.pk}": "secretary"})
    assert bad.status_code == 200
    assert "只有一名书记" in bad.content.decode()
    assert not Election.objects.exists()
    response = client.post(url, data)
    election = Election.objects.get()
    assert response["Location"] == reverse("agenda:election_detail", args=[election.pk])
    org = Organization.objects.get(pk=terms.station_a1.pk)
    assert org.term_ends_on == dt.date(2029, 6, 4)
    assert set(
        CommitteeMember.objects.filter(organization=org).values_list("person__name", flat=True)
    ) == {"孙八", "周九"}
    detail = client.get(response["Location"]).content.decode()
    assert "孙八" in detail and "2029-06-04" in detail


def grow(tree, count, tag):
    for i in range(count):
        org = make_org(
            tree.county_b,
            name=f"扩展{tag}{i}",
            code=f"C-B-{tag}{i:03d}",
            term_started_on=dt.date(2024, 1, 1),
            term_ends_on=dt.date(2026, 12, 31),
        )
        person = PersonFactory(organization=org, **FULL)
        CommitteeMember.objects.create(organization=org, person=person, position="secretary")
        Election.objects.create(
            organization=org,
            held_on=dt.date(2023, 12, 20),
            approved_on=dt.date(2024, 1, 1),
            term_years=3,
            term_starts_on=dt.date(2024, 1, 1),
            term_ends_on=dt.date(2026, 12, 31),
        )


@pytest.mark.django_db
def test_term_list_costs_the_same_for_few_and_many(client, personas, terms):
    client.force_login(personas.company)
    url = reverse("agenda:term_list")
    params = {"within": terms.county_b.pk}
    grow(terms, 3, "X")
    small = count_queries(client, url), count_queries(client, url, params)
    grow(terms, 60, "Y")  # more than a page
    assert (count_queries(client, url), count_queries(client, url, params)) == small


@pytest.mark.django_db
def test_election_pages_cost_the_same_for_small_and_large_rosters(client, personas, people, terms):
    client.force_login(personas.company)
    create = reverse("agenda:election_create", args=[terms.station_a1.pk])
    election = election_record(
        actor=personas.company,
        organization=terms.station_a1,
        held_on=dt.date(2026, 6, 1),
        approved_on=dt.date(2026, 6, 2),
        elected=[(people.zhang_san, "secretary")],
    )
    detail = reverse("agenda:election_detail", args=[election.pk])
    small = count_queries(client, create), count_queries(client, detail)
    extra = PersonFactory.create_batch(15, organization=terms.group_a1, **FULL)
    second = election_record(
        actor=personas.company,
        organization=terms.station_a1,
        held_on=dt.date(2026, 6, 10),
        approved_on=dt.date(2026, 6, 11),
        elected=[(people.zhang_san, "secretary"), *[(p, "member") for p in extra]],
    )
    detail = reverse("agenda:election_detail", args=[second.pk])
    assert (count_queries(client, create), count_queries(client, detail)) == small
