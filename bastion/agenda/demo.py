"""The demo company's year of organisational life: meetings with attendance, dues, reviews.

Drawn from seeded randomness relative to ``ctx.today`` so that every colour shows: most
branches hold their meetings on time, some late (补开, done late), a few not at all (red alarm);
recent records wait for review and a few were sent back; every meeting of a rule that asks for
evidence carries its 会议记录 (demo_minutes); most members pay dues within the
month, some a quarter ahead, some late, and two have missed six months (自行脱党 risk).
The demo secretary's branch (大坪供电所) misses last month's 支委会, so its board opens on a
red alarm. Written once: a second run finds meetings and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from bastion.core.demo import DemoContext, rows_update
from bastion.core.periods import QUARTER, Period, add_months, month_end
from bastion.orgs.models import CommitteeMember, Person

from .demo_minutes import attach_minutes
from .demo_topics import RETURN_REASONS, TOPICS, leave_reason
from .dues_math import bracket_table, quote_from
from .models import (
    MEETING_KINDS,
    Attendance,
    DuesPayment,
    DuesProfile,
    Meeting,
    MeetingAttachment,
    Obligation,
)
from .services.dues_fulfilment import refresh_dues_obligations
from .services.obligations import generate_year

DEMO_ORDER = 20
# Shares of branches by diligence: (on time, late, missing) chances per meeting.
PROFILES = {"good": (0.93, 0.05), "average": (0.8, 0.1), "weak": (0.6, 0.2)}


def has_data() -> bool:
    return Meeting.objects.exists() or DuesPayment.objects.exists()


def build_demo(ctx: DemoContext) -> None:
    company = ctx.require("orgs")
    today = ctx.today
    years = [today.year - 1, today.year] if today.month <= 6 else [today.year]
    for year in years:
        generate_year(year)
    if not Meeting.objects.exists():
        _build_meetings(ctx, company, years)
    if not DuesPayment.objects.exists():
        _build_dues(ctx, company, years)
    _today_digests(ctx.today)
    ctx.report(_("应办事项"), total=Obligation.objects.count(), created=None)
    ctx.report(_("会议记录"), total=Meeting.objects.count(), created=None)
    ctx.report(_("会议附件"), total=MeetingAttachment.objects.count(), created=None)
    ctx.report(_("党费缴纳记录"), total=DuesPayment.objects.count(), created=None)


def _today_digests(today: dt.date) -> None:
    """Today's digest in each demo account's inbox, as the daily job would leave it; nothing
    is mailed or posted from a demo load (the mail is kept in memory and dropped)."""
    from django.test.utils import override_settings

    from bastion.core.notifications.digest import send_daily_digests

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", BASTION_WEBHOOK_URL=""
    ):
        send_daily_digests(today)


# --- meetings ----------------------------------------------------------------------------


def _rosters():
    """Members by organization id: who is expected at each organization's meetings."""
    by_org = defaultdict(list)
    rows = Person.objects.exclude(membership_status="none").values_list("pk", "organization_id")
    for pk, org_id in rows.order_by("pk"):
        by_org[org_id].append(pk)
    return by_org


def _build_meetings(ctx: DemoContext, company, years) -> None:
    rng = ctx.rng("agenda/meetings")
    today = ctx.today
    members = _rosters()
    hosts = dict(
        CommitteeMember.objects.filter(position="secretary").values_list(
            "organization_id", "person_id"
        )
    )
    obligations = list(
        Obligation.objects.filter(
            kind__in=MEETING_KINDS, period_start__lte=today, period_start__year__in=years
        ).order_by("organization_id", "period_start", "kind")
    )
    profile_of = {}
    planned = []  # (obligation, meeting)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for obligation in obligations:
        org_id = obligation.organization_id
        if org_id not in profile_of:
            profile_of[org_id] = rng.choices(["good", "average", "weak"], [6, 3, 1])[0]
        if org_id == company.secretary_branch.pk:
            profile_of[org_id] = "good"
            if obligation.kind == "committee" and obligation.period_start == last_month:
                continue  # the secretary's red alarm
        held_on = _held_on(rng, obligation, profile_of[org_id], today)
        if held_on is None:
            continue
        meeting = Meeting(
            organization_id=org_id,
            kind=obligation.kind,
            topic=rng.choice(TOPICS[obligation.kind]),
            held_on=held_on,
            place=rng.choice(["党员活动室", "供电所会议室", "红色教育基地", "线上会议"]),
            host_id=hosts.get(org_id),
            lecturer=_("支部书记") if obligation.kind == "lecture" else "",
            minutes=_("会议按议程进行，与会党员围绕主题逐一发言，形成会议决定并明确责任人。"),
        )
        _review_state(rng, meeting, today)
        planned.append((obligation, meeting))
    Meeting.objects.bulk_create([m for _o, m in planned], batch_size=1000)
    _link(planned)
    attendance = _write_attendance(rng, planned, members)
    attach_minutes(planned, attendance)


def _held_on(rng, obligation, profile, today):
    on_time, late = PROFILES[profile]
    draw = rng.random()
    current = obligation.due_on >= today
    if current and rng.random() < 0.5:
        return None  # not held yet this period
    if draw < on_time or current:
        last = min(obligation.due_on, today)
        span = (last - obligation.period_start).days
        return obligation.period_start + dt.timedelta(days=rng.randint(0, max(span, 0)))
    if draw < on_time + late:
        held = obligation.due_on + dt.timedelta(days=rng.randint(3, 25))
        return held if held <= today else None
    return None


def _review_state(rng, meeting, today):
    age = (today - meeting.held_on).days
    if age <= 20:
        meeting.status = "submitted"
    elif rng.random() < 0.03:
        meeting.status, meeting.review_note = "returned", rng.choice(RETURN_REASONS)
    else:
        meeting.status = "approved"


def _link(planned) -> None:
    linked = []
    for obligation, meeting in planned:
        obligation.meeting_id = meeting.pk
        fulfils = meeting.status in ("submitted", "approved")
        obligation.fulfilled_on = meeting.held_on if fulfils else None
        linked.append(obligation)
    rows_update(linked, ["meeting", "fulfilled_on"])
    # Raw rows bypass the obligation queryset: the roll-up's tallies are told here.
    from .services.tallies import tallies_mark

    tallies_mark({obligation.organization_id for obligation in linked})


def _write_attendance(rng, planned, members) -> list[Attendance]:
    rows = []
    for _obligation, meeting in planned:
        for person_id in members.get(meeting.organization_id, []):
            draw = rng.random()
            if draw < 0.86:
                rows.append(Attendance(meeting=meeting, person_id=person_id, status="present"))
            elif draw < 0.96:
                rows.append(
                    Attendance(
                        meeting=meeting,
                        person_id=person_id,
                        status="leave",
                        reason=leave_reason(rng),
                    )
                )
            else:
                rows.append(Attendance(meeting=meeting, person_id=person_id, status="absent"))
    Attendance.objects.bulk_create(rows, batch_size=2000)
    return rows


# --- dues --------------------------------------------------------------------------------


def _collecting_branch(org_kind, org_id, path, id_by_path):
    """A party group's members pay through the branch above it."""
    return id_by_path.get(path[:-4], org_id) if org_kind == "group" else org_id


def _build_dues(ctx: DemoContext, company, years) -> None:
    rng = ctx.rng("agenda/dues")
    today = ctx.today
    from bastion.orgs.models import Organization

    id_by_path = dict(Organization.objects.values_list("path", "pk"))
    members = list(
        Person.objects.exclude(membership_status="none")
        .filter(~Q(organization__kind="committee"))
        .values_list("pk", "organization_id", "organization__kind", "organization__path")
        .order_by("pk")
    )
    lapsed = {pk for pk, *_rest in rng.sample(members, 2)}
    secretary_branch = company.secretary_branch.pk
    profiles, payments, pairs = [], [], set()
    for year in years:
        months = [dt.date(year, m, 1) for m in range(1, 13) if dt.date(year, m, 1) <= today]
        bands = bracket_table(dt.date(year, 1, 1), ["employed"])  # read once for the year
        for pk, org_id, kind, path in members:
            base = rng.randrange(3000, 14000, 100)
            amount, _bracket = quote_from(bands, "employed", base)
            profiles.append(
                DuesProfile(
                    person_id=pk,
                    year=year,
                    category="employed",
                    base=base,
                    monthly_amount=amount,
                    starts_on=dt.date(year, 1, 1),  # the demo records the whole year's dues
                )
            )
            branch = _collecting_branch(kind, org_id, path, id_by_path)
            habit = rng.choices(["monthly", "quarterly", "late"], [24, 5, 1])[0]
            for month in months:
                pairs.add((branch, month))
                paid_on = _paid_on(rng, habit, month, today)
                if pk in lapsed and month > _months_ago(today, 7):
                    continue
                if branch == secretary_branch and pk % 5 == 0 and month >= _months_ago(today, 1):
                    continue
                if paid_on is not None:
                    payments.append(
                        DuesPayment(
                            person_id=pk,
                            organization_id=branch,
                            month=month,
                            amount=amount,
                            paid_on=paid_on,
                        )
                    )
    DuesProfile.objects.bulk_create(profiles, batch_size=2000)
    DuesPayment.objects.bulk_create(payments, batch_size=2000)
    refresh_dues_obligations(pairs)


def _months_ago(today: dt.date, months: int) -> dt.date:
    return add_months(today, -months)


def _paid_on(rng, habit, month: dt.date, today: dt.date):
    if habit == "quarterly":
        quarter_start = Period.containing(QUARTER, month).start
        paid = quarter_start + dt.timedelta(days=rng.randint(2, 12))
    elif habit == "late" and rng.random() < 0.5:
        paid = month_end(month.year, month.month) + dt.timedelta(days=rng.randint(3, 20))
    else:
        paid = month + dt.timedelta(days=rng.randint(2, 24))
    return paid if paid <= today else None
