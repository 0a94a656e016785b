"""Recording an election starts the next term; term colours at their boundaries."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.agenda.models import ElectedMember, Election, Obligation, TermRule
from bastion.agenda.selectors_terms import (
    term_colour,
    term_rules_in_force,
    with_term_colour,
)
from bastion.agenda.services.obligations import generate_year
from bastion.agenda.services.terms import election_record, term_rule_revise
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
def today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


@pytest.fixture
def branch(tree, people, today):
    """station_a1 with an expired term, a committee and a generated election obligation."""
    org = tree.station_a1
    org.term_started_on, org.term_ends_on = dt.date(2023, 3, 1), dt.date(2026, 2, 28)
    org.save()
    roster = {
        "sun": PersonFactory(name="孙八", organization=org, **FULL),
        "zhou": PersonFactory(name="周九", organization=tree.group_a1, **FULL),
        "zheng": PersonFactory(name="郑十", organization=org, **FULL),
        "wu": PersonFactory(
            name="吴预备",
            organization=org,
            membership_status="probationary",
            admitted_on=dt.date(2026, 1, 1),
        ),
    }
    CommitteeMember.objects.create(organization=org, person=people.zhang_san, position="secretary")
    CommitteeMember.objects.create(organization=org, person=roster["zheng"], position="member")
    generate_year(2026)
    return roster


def record(actor, org, elected, **overrides):
    fields = {
        "held_on": dt.date(2026, 6, 1),
        "approved_on": dt.date(2026, 6, 10),
        "approval_ref": "A县党委〔2026〕12号",
    }
    fields.update(overrides)
    return election_record(actor=actor, organization=org, elected=elected, **fields)


def snapshot(org):
    org = Organization.objects.get(pk=org.pk)
    return (
        org.term_started_on,
        org.term_ends_on,
        sorted(
            CommitteeMember.objects.filter(organization=org).values_list("person__name", "position")
        ),
        sorted(
            Obligation.objects.filter(organization=org, kind="election").values_list(
                "period_start", "fulfilled_on"
            )
        ),
        Election.objects.count(),
        ElectedMember.objects.count(),
    )


@pytest.mark.django_db
def test_an_election_starts_the_next_term_and_fulfils_the_old_one(tree, people, personas, branch):
    old = Obligation.objects.get(organization=tree.station_a1, kind="election")
    assert old.alert(TODAY) == "red"
    election = record(
        personas.secretary_a,
        tree.station_a1,
        [
            (branch["sun"], "secretary"),
            (branch["zhou"], "organization"),
            (people.zhang_san, "member"),
        ],
    )
    org = Organization.objects.get(pk=tree.station_a1.pk)
    assert (org.term_started_on, org.term_ends_on) == (dt.date(2026, 6, 10), dt.date(2029, 6, 9))
    assert (election.term_years, election.term_starts_on) == (3, dt.date(2026, 6, 10))
    seats = dict(
        CommitteeMember.objects.filter(organization=org).values_list("person__name", "position")
    )
    assert seats == {"孙八": "secretary", "周九": "organization", "张三": "member"}
    old.refresh_from_db()
    assert (old.fulfilled_on, old.election_id) == (dt.date(2026, 6, 1), election.pk)
    new = Obligation.objects.get(
        organization=org, kind="election", period_start=dt.date(2026, 6, 10)
    )
    assert new.due_on == dt.date(2029, 6, 9)
    assert new.fulfilled_on is None
    assert election.elected.count() == 3


@pytest.mark.django_db
def test_an_election_approved_the_same_day_leaves_the_new_term_open(tree, personas, branch):
    record(
        personas.company,
        tree.station_a1,
        [(branch["sun"], "secretary")],
        held_on=dt.date(2026, 6, 10),
    )
    new = Obligation.objects.get(
        organization=tree.station_a1, kind="election", period_start=dt.date(2026, 6, 10)
    )
    assert new.fulfilled_on is None


@pytest.mark.django_db
def test_term_length_can_be_given_and_defaults_from_the_term_rule(tree, people, personas, branch):
    TermRule.objects.create(
        org_kind="branch",
        years=5,
        remind_months=6,
        effective_from=dt.date(2026, 1, 1),
        source="测试",
    )
    election = record(personas.company, tree.station_a1, [(branch["sun"], "secretary")])
    assert election.term_ends_on == dt.date(2031, 6, 9)
    tree.station_a2.term_ends_on = dt.date(2026, 5, 1)
    tree.station_a2.save()
    other = record(personas.company, tree.station_a2, [(people.wang_wu, "secretary")], term_years=2)
    assert other.term_ends_on == dt.date(2028, 6, 9)


BAD = [
    ({"approved_on": dt.date(2026, 5, 30)}, None, "approved_on", "不能早于选举日期"),
    ({"approved_on": dt.date(2026, 6, 16)}, None, "approved_on", "不能晚于今天"),
    (
        {"held_on": dt.date(2026, 6, 16), "approved_on": dt.date(2026, 6, 16)},
        None,
        "held_on",
        "不能晚于今天",
    ),
    ({"term_years": 0}, None, "term_years", "1 到 10"),
    ({}, [("sun", "member")], "elected", "只有一名书记"),
    ({}, [("sun", "secretary"), ("zhou", "secretary")], "elected", "现有 2 名"),
    ({}, [("sun", "secretary"), ("wu", "member")], "elected", "吴预备"),
    ({}, [("sun", "secretary"), ("li_si", "member")], "elected", "李四"),
    ({}, [("sun", "secretary"), ("wang_wu", "member")], "elected", "王五"),
    ({}, [("sun", "secretary"), ("sun", "member")], "elected", "重复"),
    ({}, [("sun", "secretary"), ("zhou", "chairman")], "elected", "chairman"),
    ({}, [], "elected", "请选择"),
]


@pytest.mark.parametrize("overrides,elected,field,words", BAD)
@pytest.mark.django_db
def test_bad_elections_are_refused_and_change_nothing(
    tree, people, personas, branch, overrides, elected, field, words
):
    everyone = {**branch, "li_si": people.li_si, "wang_wu": people.wang_wu}
    pairs = [(everyone[name], position) for name, position in (elected or [])]
    if elected is None:
        pairs = [(branch["sun"], "secretary")]
    before = snapshot(tree.station_a1)
    with pytest.raises(ValidationError) as caught:
        record(personas.secretary_a, tree.station_a1, pairs, **overrides)
    assert words in " ".join(caught.value.message_dict[field])
    assert snapshot(tree.station_a1) == before


@pytest.mark.django_db
def test_a_second_election_must_come_later_and_groups_have_none(tree, people, personas, branch):
    record(personas.company, tree.station_a1, [(branch["sun"], "secretary")])
    before = snapshot(tree.station_a1)
    with pytest.raises(ValidationError) as caught:
        record(
            personas.company,
            tree.station_a1,
            [(branch["zhou"], "secretary")],
            held_on=dt.date(2026, 6, 1),
            approved_on=dt.date(2026, 6, 12),
        )
    assert "已登记 2026-06-01" in caught.value.message_dict["held_on"][0]
    assert snapshot(tree.station_a1) == before
    with pytest.raises(ValidationError) as caught:
        record(personas.company, tree.group_a1, [(branch["zhou"], "secretary")])
    assert "党小组不设委员会" in caught.value.messages[0]


@pytest.mark.django_db
def test_a_kind_without_term_rule_needs_the_term_length(tree, personas, today):
    project = make_org(
        tree.county_a,
        name="项目临时党支部",
        code="C-A-P",
        kind="temporary_branch",
        unit_kind="project",
    )
    leader = PersonFactory(name="项目书记", organization=project, **FULL)
    with pytest.raises(ValidationError) as caught:
        record(personas.company, project, [(leader, "secretary")])
    assert "临时党支部" in caught.value.message_dict["term_years"][0]
    election = record(personas.company, project, [(leader, "secretary")], term_years=1)
    assert election.term_ends_on == dt.date(2027, 6, 9)


@pytest.mark.parametrize("persona", ["secretary_b", "member", "outsider"])
@pytest.mark.django_db
def test_only_people_with_add_election_on_the_org_record_it(tree, personas, branch, persona):
    before = snapshot(tree.station_a1)
    with pytest.raises(PermissionDenied):
        record(getattr(personas, persona), tree.station_a1, [(branch["sun"], "secretary")])
    assert snapshot(tree.station_a1) == before


# --- colours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ends_on,colour",
    [
        (dt.date(2026, 12, 16), "green"),  # six months and a day before
        (dt.date(2026, 12, 15), "yellow"),  # exactly six months before
        (dt.date(2026, 6, 16), "yellow"),
        (TODAY, "yellow"),  # the expiry day is still inside the term
        (dt.date(2026, 6, 14), "red"),  # today is the day after expiry
        (None, "unknown"),
    ],
)
def test_term_colour_boundaries(ends_on, colour):
    assert term_colour(ends_on, TODAY, 6) == colour


def colours_in_db(orgs, today):
    rules = term_rules_in_force(today)
    queryset = with_term_colour(
        Organization.objects.filter(pk__in=[o.pk for o in orgs]), rules, today
    )
    return dict(queryset.values_list("pk", "term_colour"))


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 2, 28), dt.date(2028, 2, 29)])
@pytest.mark.django_db
def test_database_colours_agree_with_python_around_the_thresholds(tree, today):
    remind = TermRule.objects.get(org_kind="branch").remind_months
    ends = [today + dt.timedelta(days=d) for d in range(-3, 3)]
    six = today.replace(
        year=today.year + (today.month + 6 > 12), month=(today.month + 5) % 12 + 1, day=1
    )
    ends += [six + dt.timedelta(days=d) for d in range(-5, 35)]
    orgs = [
        make_org(tree.county_b, name=f"边界{i}", code=f"C-B-E{i:03d}", term_ends_on=end)
        for i, end in enumerate(ends)
    ]
    got = colours_in_db(orgs, today)
    assert {o.pk: term_colour(o.term_ends_on, today, remind) for o in orgs} == got
    assert set(got.values()) == {"red", "yellow", "green"}


@pytest.mark.django_db
def test_a_term_known_only_by_its_start_is_coloured_by_its_derived_end(tree):
    # A branch term of three years started 2023-06-15 ends 2026-06-14.
    expired = make_org(
        tree.county_b, name="甲", code="C-B-S1", term_started_on=dt.date(2023, 6, 15)
    )
    last_day = make_org(
        tree.county_b, name="乙", code="C-B-S2", term_started_on=dt.date(2023, 6, 16)
    )
    early = make_org(tree.county_b, name="丙", code="C-B-S3", term_started_on=dt.date(2024, 1, 1))
    assert colours_in_db([expired, last_day, early], TODAY) == {
        expired.pk: "red",
        last_day.pk: "yellow",
        early.pk: "green",
    }


@pytest.mark.django_db
def test_remind_months_come_from_the_term_rule(tree):
    org = make_org(tree.county_b, name="丁", code="C-B-R", term_ends_on=dt.date(2026, 10, 1))
    assert colours_in_db([org], TODAY) == {org.pk: "yellow"}
    TermRule.objects.create(
        org_kind="branch",
        years=3,
        remind_months=3,
        effective_from=dt.date(2026, 1, 1),
        source="测试",
    )
    assert colours_in_db([org], TODAY) == {org.pk: "green"}


@pytest.mark.django_db
def test_term_rules_are_edited_at_the_root_only(tree, personas, today):
    with pytest.raises(PermissionDenied):
        term_rule_revise(
            actor=department_below_root(tree),
            org_kind="branch",
            years=5,
            remind_months=6,
            effective_from=TODAY,
            source="x",
        )
    with pytest.raises(ValidationError) as caught:
        term_rule_revise(
            actor=personas.company,
            org_kind="branch",
            years=0,
            remind_months=30,
            effective_from=dt.date(2019, 1, 1),
            source="",
        )
    assert set(caught.value.message_dict) == {"years", "remind_months", "effective_from", "source"}
    rule = term_rule_revise(
        actor=personas.company,
        org_kind="branch",
        years=5,
        remind_months=4,
        effective_from=TODAY,
        source="上级通知",
    )
    assert term_rules_in_force(TODAY)["branch"].pk == rule.pk
    assert TermRule.objects.filter(org_kind="branch").count() == 2
