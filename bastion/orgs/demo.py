"""The demo company (演示公司): organizations, people, committee seats and the demo accounts.

The shape reproduces the seeds' own figures (DOMAIN.md "Demo data"):

南粤市供电局党委 (committee, company)
├── 18 公司本部部门党支部 (branch, hq_department)          S2: 18 pairings with HQ branches
├── 28 城区支部单位党支部 (branch, urban)                   S2: 28 pairings with urban branches
├── 4 支撑机构（战区）党支部 (branch, support), 2 党小组 each
├── 1 临时党支部 on a construction project (temporary_branch, project)       S1, S0
└── 8 县供电局党委 (committee, county)
    ├── 机关党总支 (general_branch, county) with 2 党小组 of the county's own staff
    ├── station branches (branch, station), some with a small station below them as a 党小组
    └── (梅川县) 1 临时党支部 on a rural-grid project

86 supply stations (unit_kind ``station``, S1): 64 run as station party branches and 22 small ones
as party groups (kind ``group``), attached under a neighbouring station branch or, for the first
small station of each county, under the county's 机关党总支. S1's "72 grassroots party
organizations" are the 64 station branches plus the 8 county 机关党总支. Party groups other than
small stations belong to the larger branches (support units, county offices) and carry their
parent's unit kind, so that filtering on ``unit_kind`` yields exactly 86 stations, 18 HQ and 28
urban branches. A small station's staff belong to its group node (their party group too, for the
members), so a station's people are always the subtree of its node.

Each station has one 所长, 2-3 高级经理 and 4-11 台区经理 (S1 grid: 86 / 210 / 645 in total)
and a few other staff, 8-20 in all, about a third of them party members. The demo secretary's
station, 大坪供电所 in 青溪县, has 15 staff and 5 members (S2) and no node below it.

The plan is drawn in memory (``demo_data.Planner``), then written where missing, keyed by
organization code, employee number (or ID number) and username: a second run creates nothing
and changes nothing, and rows a user has edited since are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from bastion.core.demo import DEMO_PASSWORD, DemoContext
from bastion.core.pinyin import pinyin_keys

from .counts import people_counted
from .demo_data import CODE, Account, Planner, Seat, Staff, Unit
from .models import CommitteeMember, Organization, Person, Role, RoleAssignment

DEMO_ORDER = 10
ORG_FIELDS = ("name", "short_name", "code", "kind", "unit_kind", "established_on")
ORG_FIELDS += ("term_started_on", "term_ends_on", "phone", "address")


@dataclass
class DemoCompany:
    """What later demo builders stand on: ``ctx.require("orgs")``."""

    root: Organization
    counties: list[Organization]  # the 8 县供电局党委
    county_offices: list[Organization]  # their 机关党总支
    stations: list[Organization]  # all 86 (unit_kind station)
    station_branches: list[Organization]  # 64
    station_groups: list[Organization]  # 22 small stations run as party groups
    hq_branches: list[Organization]  # 18
    urban_branches: list[Organization]  # 28
    support: list[Organization]  # 支撑机构（战区）
    projects: list[Organization]  # 临时党支部
    demo_county: Organization  # where the ``county`` account holds its role
    secretary_branch: Organization  # 大坪供电所党支部: 15 staff, 5 members
    users: dict  # username → User of the demo accounts


def has_data() -> bool:
    return Organization.objects.exists()


def build_demo(ctx: DemoContext) -> None:
    plan = Planner(ctx.rng("orgs"), ctx.today).plan()
    orgs, created_orgs = _write_units(plan.units)
    org_ids = {code: org.pk for code, org in orgs.items()}
    people, created_people = _write_people(plan.staff, org_ids)
    created_seats = _write_seats(plan.seats, org_ids, people)
    users, created_users = _write_accounts(plan.accounts, orgs, people)
    company = _company(plan.units, plan.secretary, users)
    ctx.publish("orgs", company)
    members = [s for s in plan.staff if s.status != "none" and s.employee_no in people]
    ctx.report(_("组织"), total=len(orgs), created=created_orgs)
    ctx.report(_("供电所"), total=len(company.stations))
    ctx.report(_("人员"), total=len(people), created=created_people)
    ctx.report(_("党员（含预备党员）"), total=len(members))
    ctx.report(_("班子成员"), total=len(plan.seats), created=created_seats)
    ctx.report(_("演示账号"), total=len(users), created=created_users)
    for account in plan.accounts:
        name = account.staff.name if account.staff else "系统管理员"
        ctx.login(account.username, f"{name} · {account.description}")


def _write_units(units: list[Unit]) -> tuple[dict[str, Organization], int]:
    """Parents come before children and siblings in code order (``node_order_by``), so every
    sorted insert lands after its siblings and no existing path ever shifts."""
    orgs = {o.code: o for o in Organization.objects.filter(code__in=[u.code for u in units])}
    created = 0
    for unit in units:
        if unit.code in orgs:
            continue
        org = Organization(**{name: getattr(unit, name) for name in ORG_FIELDS})
        if unit.parent is None:
            orgs[unit.code] = Organization.objects.add_root(instance=org)
        else:
            orgs[unit.code] = Organization.objects.add_child(orgs[unit.parent.code], instance=org)
        created += 1
    return orgs, created


def _person(staff: Staff, org_ids: dict[str, int]) -> Person:
    pinyin, initials = pinyin_keys(staff.name)  # bulk_create skips Person.save, which sets them
    return Person(
        name=staff.name,
        name_pinyin=pinyin,
        name_initials=initials,
        gender="male" if staff.male else "female",
        birth_date=staff.birth_date,
        id_number=staff.id_number,
        employee_no=staff.employee_no,
        organization_id=org_ids[staff.unit.code],
        party_group_id=org_ids[staff.group.code] if staff.group else None,
        work_unit=staff.unit.work_unit,
        post=staff.post,
        membership_status=staff.status,
        applied_on=staff.applied_on,
        admitted_on=staff.admitted_on,
        confirmed_on=staff.confirmed_on,
        phone=staff.phone,
        email=staff.email,
    )


def _write_people(staff: list[Staff], org_ids: dict[str, int]) -> tuple[dict[str, Person], int]:
    taken = {n for row in Person.objects.values_list("employee_no", "id_number") for n in row}
    new = [
        _person(s, org_ids)
        for s in staff
        if s.employee_no not in taken and s.id_number not in taken
    ]
    Person.objects.bulk_create(new, batch_size=500)
    people_counted((None, (p.organization_id, p.membership_status)) for p in new)
    wanted = {s.employee_no for s in staff}
    rows = Person.objects.filter(employee_no__startswith=CODE).only("id", "employee_no", "user")
    return {p.employee_no: p for p in rows if p.employee_no in wanted}, len(new)


def _write_seats(seats: list[Seat], org_ids: dict[str, int], people: dict[str, Person]) -> int:
    existing = CommitteeMember.objects.filter(organization_id__in=set(org_ids.values()))
    taken = set(existing.values_list("organization_id", "person_id"))
    with_secretary = set(
        existing.filter(position="secretary").values_list("organization_id", flat=True)
    )
    new = []
    for seat in seats:
        org_id, person = org_ids[seat.unit.code], people.get(seat.staff.employee_no)
        if person is None or (org_id, person.pk) in taken:
            continue
        if seat.position == "secretary" and org_id in with_secretary:
            continue
        started_on = seat.unit.term_started_on
        new.append(
            CommitteeMember(
                organization_id=org_id,
                person_id=person.pk,
                position=seat.position,
                started_on=started_on,
            )
        )
    CommitteeMember.objects.bulk_create(new)
    return len(new)


def _write_accounts(accounts: list[Account], orgs, people) -> tuple[dict, int]:
    """The demo accounts exist only where this command made them (never in a migration).

    An existing account is left as it is (password included); only a missing role grant or
    person link is added.
    """
    User = get_user_model()
    names = [a.username for a in accounts]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    roles = {r.code: r for r in Role.objects.filter(code__in=[a.role for a in accounts])}
    missing = {a.role for a in accounts if a.role} - set(roles)
    if missing:
        raise ImproperlyConfigured(f"roles {sorted(missing)} are missing: run migrate first")
    password, created = None, 0
    for account in accounts:
        user = users.get(account.username)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hashing is slow: once
            user = User.objects.create(
                username=account.username,
                password=password,
                first_name=account.staff.name if account.staff else "系统管理员",
                is_superuser=account.superuser,
                is_staff=account.superuser,
            )
            users[account.username] = user
            created += 1
        if account.role:
            organization = orgs[account.unit.code]
            RoleAssignment.objects.get_or_create(
                user=user, role=roles[account.role], organization=organization
            )
        person = people.get(account.staff.employee_no) if account.staff else None
        if person and person.user_id is None and not Person.objects.filter(user=user).exists():
            Person.objects.filter(pk=person.pk).update(user=user)
    return users, created


def _company(units: list[Unit], secretary: Unit, users: dict) -> DemoCompany:
    fresh = {o.code: o for o in Organization.objects.filter(code__in=[u.code for u in units])}

    def pick(kind=None, unit_kind=None) -> list[Organization]:
        return [
            fresh[u.code]
            for u in units
            if u.code in fresh and kind in (None, u.kind) and unit_kind in (None, u.unit_kind)
        ]

    counties = pick("committee", "county")
    return DemoCompany(
        root=fresh[CODE],
        counties=counties,
        county_offices=pick("general_branch"),
        stations=pick(unit_kind="station"),
        station_branches=pick("branch", "station"),
        station_groups=pick("group", "station"),
        hq_branches=pick(unit_kind="hq_department"),
        urban_branches=pick(unit_kind="urban"),
        support=pick("branch", "support"),
        projects=pick(unit_kind="project"),
        demo_county=counties[0],
        secretary_branch=fresh[secretary.code],
        users=users,
    )
