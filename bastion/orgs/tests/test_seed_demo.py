"""``manage.py seed_demo``: the demo company's shape, its accounts, determinism, idempotency.

The company is built once per session by the root ``demo`` fixture (a few seconds) inside a
transaction rolled back after the demo tests; every test runs in its own savepoint on top of it.
"""

import datetime as dt
import hashlib
import random
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from bastion.core import demo as registry
from bastion.core.idcard import birth_date_of, gender_of, validate_id_number
from bastion.orgs.demo_data import Planner, spread
from bastion.orgs.models import CommitteeMember, Organization, Person, Role, RoleAssignment

User = get_user_model()
SECRETARY_BRANCH = "NY-C01-Z01"


def run(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def checksum() -> str:
    """Every column of every row the demo writes, in primary-key order."""
    digest = hashlib.sha256()
    for model in (Organization, Person, CommitteeMember, Role, RoleAssignment, User):
        for row in model.objects.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def count(**filters) -> int:
    return Organization.objects.filter(**filters).count()


# --- the shape --------------------------------------------------------------------------------


def test_if_empty_builds_the_company_on_an_empty_database(demo):
    assert "演示数据已就绪" in demo
    assert "secretary" in demo and "bastion-demo" in demo
    assert count(depth=1) == 1
    root = Organization.objects.get(depth=1)
    assert (root.kind, root.unit_kind) == ("committee", "company")
    assert count(kind="committee", unit_kind="county") == 8


def test_unit_kinds_reproduce_the_seeds_figures(demo):
    assert count(unit_kind="station") == 86
    assert count(unit_kind="station", kind="branch") == 64
    assert count(unit_kind="station", kind="group") == 22
    assert count(unit_kind="hq_department") == 18
    assert count(unit_kind="urban") == 28
    assert count(unit_kind="support", kind="branch") >= 1
    assert count(kind="temporary_branch", unit_kind="project") >= 1
    # S1: 72 grassroots organizations = 64 station branches + 8 county office general branches
    assert count(unit_kind="station", kind="branch") + count(kind="general_branch") == 72


def test_small_stations_hang_under_a_station_branch_or_the_county_office(demo):
    for group in Organization.objects.filter(unit_kind="station", kind="group"):
        parent = Organization.objects.get_parent(group)
        assert (parent.kind, parent.unit_kind) in [
            ("branch", "station"),
            ("general_branch", "county"),
        ]


def test_larger_branches_have_party_groups(demo):
    groups = Organization.objects.filter(kind="group").exclude(unit_kind="station")
    assert groups.count() >= 8
    assert Person.objects.filter(party_group__in=groups).exists()


def test_station_posts_follow_the_s1_grid(demo):
    posts = dict(Person.objects.values_list("post").annotate(n=Count("id")))
    assert (posts["station_head"], posts["senior_manager"], posts["area_manager"]) == (86, 210, 645)
    stations = Organization.objects.filter(unit_kind="station").annotate(
        staff=Count("people"), heads=Count("people", filter=Q(people__post="station_head"))
    )
    assert all(s.heads == 1 and 8 <= s.staff <= 20 for s in stations)
    grid = Person.objects.filter(post__in=["station_head", "senior_manager", "area_manager"])
    assert not grid.exclude(organization__unit_kind="station").exists()


def test_about_a_third_of_station_staff_are_members(demo):
    staff = Person.objects.filter(organization__unit_kind="station")
    share = staff.members().count() / staff.count()
    assert 0.25 <= share <= 0.42
    assert Person.objects.members().count() > 100


def test_the_secretary_station_has_15_staff_and_5_members(demo):
    branch = Organization.objects.get(code=SECRETARY_BRANCH)
    assert (branch.kind, branch.unit_kind, branch.numchild) == ("branch", "station", 0)
    assert branch.people.count() == 15
    assert branch.people.members().count() == 5


def test_every_person_is_valid(demo):
    people = list(Person.objects.select_related("organization", "party_group"))
    sample = people[::9] + list(Person.objects.filter(organization__code=SECRETARY_BRANCH))
    for person in sample:
        person.full_clean()
    for person in people:
        assert validate_id_number(person.id_number) == person.id_number
        assert person.birth_date == birth_date_of(person.id_number)
        assert person.gender == gender_of(person.id_number)
        assert person.name_initials and person.name_pinyin


def test_party_dates_are_in_order_and_probationers_joined_this_year(demo):
    today = timezone.localdate()
    full = Person.objects.filter(membership_status="full")
    assert not full.filter(Q(confirmed_on__isnull=True) | Q(confirmed_on__gt=today)).exists()
    probationers = Person.objects.filter(membership_status="probationary")
    assert probationers.exists()
    assert not probationers.filter(confirmed_on__isnull=False).exists()
    assert not probationers.exclude(admitted_on__gte=today - dt.timedelta(days=366)).exists()
    for p in Person.objects.members():
        assert p.applied_on <= p.admitted_on <= (p.confirmed_on or p.admitted_on)


def test_every_branch_has_a_secretary_and_large_ones_a_committee(demo):
    led = Organization.objects.exclude(kind="group")
    assert not led.exclude(committee__position="secretary").exists()
    positions = set(CommitteeMember.objects.values_list("position", flat=True))
    assert {"organization", "propaganda", "discipline", "deputy_secretary"} <= positions
    counties = Organization.objects.filter(kind="committee", unit_kind="county")
    assert all(c.committee.count() >= 3 for c in counties)
    seated = CommitteeMember.objects.values_list("person__membership_status", flat=True)
    assert set(seated) == {"full"}


def test_terms_are_mostly_current_some_expiring_and_two_expired(demo):
    today = timezone.localdate()
    soon = today + dt.timedelta(days=182)
    with_terms = Organization.objects.exclude(kind="group")
    assert not with_terms.filter(term_ends_on__isnull=True).exists()
    expired = with_terms.filter(term_ends_on__lt=today).count()
    expiring = with_terms.filter(term_ends_on__gte=today, term_ends_on__lte=soon).count()
    assert 1 <= expired <= 2
    assert 3 <= expiring <= 6
    assert with_terms.filter(term_ends_on__gt=soon).count() > 100


def test_the_audit_log_stays_empty(demo):
    assert not LogEntry.objects.exists()


# --- accounts and scope --------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "company", "county", "secretary", "member"])
def test_demo_accounts_log_in_with_the_demo_password(demo, client, username):
    credentials = {"username": username, "password": "bastion-demo"}
    assert client.post(reverse("login"), credentials).status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
    assert User.objects.get(username=username).first_name


def test_demo_accounts_hold_their_roles(demo):
    named = ("company", "county", "secretary", "member")
    grants = set(
        RoleAssignment.objects.filter(user__username__in=named).values_list(
            "user__username", "role__code", "organization__code"
        )
    )
    assert grants == {
        ("company", "party_department", "NY"),
        ("county", "county_committee", "NY-C01"),
        ("secretary", "branch_secretary", SECRETARY_BRANCH),
        ("member", "member", SECRETARY_BRANCH),
    }
    # Every other account is a member's (the member role on their own branch) or a secretary's.
    others = RoleAssignment.objects.exclude(user__username__in=named)
    assert set(others.values_list("role__code", flat=True)) == {
        "member",
        "branch_secretary",
    }
    assert not others.exclude(organization=F("user__person__organization")).exists()
    assert User.objects.get(username="admin").is_superuser


def test_secretary_sees_exactly_their_branch(demo):
    user = User.objects.get(username="secretary")
    branch = Organization.objects.get(code=SECRETARY_BRANCH)
    assert list(Organization.objects.restrict(user, "view")) == [branch]
    visible = set(Person.objects.restrict(user, "view").values_list("pk", flat=True))
    assert visible == set(branch.people.values_list("pk", flat=True))
    assert len(visible) == 15
    assert user.person.organization == branch
    assert branch.committee.get(position="secretary").person == user.person


def test_member_account_is_a_party_member_of_that_branch(demo):
    person = User.objects.get(username="member").person
    assert person.organization.code == SECRETARY_BRANCH
    assert person.membership_status == "full"


# --- idempotency and determinism ------------------------------------------------------------


def test_second_run_creates_and_changes_nothing(demo):
    before = checksum()
    output = run()
    assert checksum() == before
    assert "本次新建 0" in output and "本次新建 1" not in output


def test_a_rerun_on_a_later_day_changes_nothing(demo):
    before = checksum()
    later = registry.DemoContext(today=timezone.localdate() + dt.timedelta(days=400))
    registry.build(registry.discover(), later)
    assert checksum() == before


def test_if_empty_does_nothing_on_a_non_empty_database(demo):
    before = checksum()
    output = run("--if-empty")
    assert "已有组织数据" in output
    assert checksum() == before


def test_rerun_restores_only_what_was_deleted(demo):
    person = Person.objects.filter(organization__code="NY-H05", user__isnull=True).first()
    person.committee_seats.all().delete()
    person.dues_payments.all().delete()  # agenda records protect the person they belong to
    person.attendance.all().delete()
    person.delete()
    run()
    restored = Person.objects.get(employee_no=person.employee_no)
    assert (restored.name, restored.id_number) == (person.name, person.id_number)
    assert Person.objects.count() == Person.objects.values("employee_no").distinct().count()


def test_existing_accounts_keep_their_password(demo):
    user = User.objects.get(username="company")
    user.set_password("changed-by-the-user")
    user.save()
    run()
    user.refresh_from_db()
    assert user.check_password("changed-by-the-user")


def plan_digest(today: dt.date) -> str:
    """Codes and names of the organizations; employee number, name, ID number, post of people."""
    plan = Planner(registry.DemoContext(today=today).rng("orgs"), today).plan()
    rows = [(u.code, u.name) for u in plan.units]
    rows += [(s.employee_no, s.name, s.id_number, s.post) for s in plan.staff]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_names_and_ids_do_not_depend_on_the_day():
    first = plan_digest(dt.date(2026, 3, 1))
    again = plan_digest(dt.date(2026, 3, 1))
    later = plan_digest(dt.date(2031, 9, 30))
    assert first == again == later


def test_plan_is_the_same_on_every_machine():
    # Pinned: a change here means every demo database would get different people.
    # Update the digest only when changing the plan on purpose.
    assert plan_digest(dt.date(2026, 3, 1)) == PINNED_PLAN_DIGEST


# --- the registry ---------------------------------------------------------------------------


def test_discover_finds_the_organization_builder_first():
    modules = registry.discover()
    assert modules[0].label == "orgs" and modules[0].order == 10
    assert [m.order for m in modules] == sorted(m.order for m in modules)


def test_require_names_a_missing_part():
    with pytest.raises(ImproperlyConfigured, match="agenda"):
        registry.DemoContext().require("agenda")


def test_each_part_draws_from_its_own_seeded_source():
    ctx = registry.DemoContext()
    assert ctx.rng("tasks").random() == registry.DemoContext().rng("tasks").random()
    assert ctx.rng("tasks").random() != ctx.rng("agenda").random()


def test_spread_hits_the_total_within_bounds():
    values = spread(random.Random(1), 527, 63, 6, 11)
    assert sum(values) == 527 and min(values) >= 6 and max(values) <= 11
    with pytest.raises(ValueError):
        spread(random.Random(1), 100, 3, 1, 5)


PINNED_PLAN_DIGEST = "b8ee51312f1c9d4fefdb6a3f45cbf006e3cbc63067b8b8bd87b1a4f6c5f0353d"
