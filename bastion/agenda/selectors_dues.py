"""Dues reads: the monthly ledger of a branch and the totals of each subtree below a node.

The status of a member's month is a pure function of dates (``classify``); so is the six-month
alarm (``dues_arrears.unpaid_runs``: any run of unpaid months that long, from the month the
member started owing). The ledger costs the same few queries for any number of members;
the totals are GROUP BY queries on the materialized-path prefix, like ``orgs.selectors``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, Substr
from django.utils.translation import gettext_lazy as _

from bastion.core.periods import month_end
from bastion.core.scope import subtree_q
from bastion.core.thresholds import ThresholdCode, threshold
from bastion.orgs.models import Organization, Person
from bastion.orgs.models.person import MembershipStatus

from .dues_arrears import unpaid_runs, with_arrears
from .models import DuesPayment, DuesProfile, Obligation
from .services.dues_fulfilment import owed_from_expr, owes, roster_q

ZERO = Decimal("0.00")
PAID, AHEAD, LATE, UNPAID, DUE, NOT_YET, NONE = (
    "paid",
    "ahead",
    "late",
    "unpaid",
    "due",
    "not_yet",
    "none",
)
STATUS_LABELS = {
    PAID: _("按月缴纳"),
    AHEAD: _("提前缴纳"),
    LATE: _("逾期补缴"),
    UNPAID: _("未缴"),
    DUE: _("本月待缴"),
    NOT_YET: _("未到期"),
    NONE: _("无需缴纳"),
}
STATUS_CLASS = {
    PAID: "bg-green-lt",
    AHEAD: "bg-teal-lt",
    LATE: "bg-orange-lt",
    UNPAID: "bg-red-lt",
    DUE: "bg-yellow-lt",
    NOT_YET: "",
    NONE: "text-secondary",
}
ALARM_TEXT = _("连续%(n)d个月及以上未缴纳党费（自行脱党风险）")


# --- pure date arithmetic ---------------------------------------------------------------------


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def classify(month: dt.date, paid_on: dt.date | None, today: dt.date) -> str:
    """The status of one member's month: paid within it, ahead of it, late, or not paid yet
    (unpaid once the month has ended, due during it, not yet before it starts)."""
    last_day = month_end(month.year, month.month)
    if paid_on is not None:
        if paid_on < month:
            return AHEAD
        if paid_on > last_day:
            return LATE
        return PAID
    if today < month:
        return NOT_YET
    if today <= last_day:
        return DUE
    return UNPAID


def last_complete_month(today: dt.date) -> dt.date:
    return add_months(today.replace(day=1), -1)


def reference_month(year: int, today: dt.date) -> dt.date:
    """The month the alarm is judged at: the last complete one, or December of a past year."""
    return min(last_complete_month(today), dt.date(year, 12, 1))


def months_to_date(year: int, today: dt.date) -> int:
    """How many months of ``year`` have started by ``today`` (0-12)."""
    if today.year < year:
        return 0
    return 12 if today.year > year else today.month


# --- the rule as data -------------------------------------------------------------------------


def missed_months_alarm_threshold(today: dt.date | None = None) -> int:
    """Unpaid months in a row that raise the red alarm (自行脱党 risk): the ``Threshold`` row
    ``dues_missed_months`` in force, seeded with its source. The only place that reads it."""
    return threshold(ThresholdCode.DUES_MISSED_MONTHS, today)


# --- the ledger -------------------------------------------------------------------------------


@dataclass
class Cell:
    month: dt.date
    status: str
    payment: DuesPayment | None = None

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def css(self) -> str:
        return STATUS_CLASS[self.status]


@dataclass
class LedgerRow:
    person: Person
    profile: DuesProfile | None
    cells: list[Cell]
    on_roster: bool = True
    missed: int = 0  # the longest run of unpaid months up to the reference month
    months_owed: int = 0  # unpaid months owed in all up to the reference month
    alarm: bool = False
    paid_total: Decimal = ZERO
    expected_total: Decimal = ZERO
    unpaid_months: int = 0


@dataclass
class Ledger:
    branch: Organization
    year: int
    today: dt.date
    threshold: int
    months: list[dt.date]
    rows: list[LedgerRow]
    expected: list[Decimal] = field(default_factory=list)
    collected: list[Decimal] = field(default_factory=list)
    obligations: list[Obligation | None] = field(default_factory=list)
    without_profile: int = 0

    @property
    def alarms(self) -> list[LedgerRow]:
        return [row for row in self.rows if row.alarm]

    @property
    def expected_total(self) -> Decimal:
        """Expected for the months started so far (later columns show the plan)."""
        return sum(self.expected[: months_to_date(self.year, self.today)], ZERO)

    @property
    def collected_total(self) -> Decimal:
        return sum(self.collected, ZERO)

    @property
    def columns(self) -> list[tuple[dt.date, Decimal, Decimal, Obligation | None]]:
        return list(zip(self.months, self.expected, self.collected, self.obligations, strict=True))


def ledger_people(branch: Organization, year: int, visible_people):
    """Members on the branch's roster, and anyone whose dues for ``year`` it collected."""
    collected_here = DuesPayment.objects.filter(organization=branch, month__year=year)
    return visible_people.filter(
        (roster_q(branch) & ~Q(membership_status=MembershipStatus.NONE))
        | Q(pk__in=collected_here.values("person_id"))
    )


def build_ledger(
    *,
    branch: Organization,
    year: int,
    people,
    profiles,
    payments,
    today: dt.date,
    obligations=None,
) -> Ledger:
    """``people``, ``profiles``, ``payments`` (and ``obligations``, to mark the months the
    branch's dues obligation was done) are querysets already narrowed to what the viewer may
    see: the scope door is the caller's. Each is read once."""
    threshold = missed_months_alarm_threshold(today)
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    reference = reference_month(year, today)
    people = list(
        people.select_related("organization")
        .annotate(owed_from=owed_from_expr())
        .order_by("organization__path", "name")
    )
    # Any unpaid run counts, so a member's payments are read from the month they owe from.
    starts = [p.owed_from.replace(day=1) for p in people if p.owed_from]
    window_start = min([months[0], *starts])
    roster = {p.pk for p in people if p.is_party_member and _on_roster(p, branch)}
    wanted = [p.pk for p in people]
    by_person = {p.person_id: p for p in profiles.filter(year=year, person__in=wanted)}
    paid: dict[int, dict[dt.date, DuesPayment]] = {p.pk: {} for p in people}
    payments = payments.filter(person__in=wanted, month__gte=window_start, month__lte=months[-1])
    for payment in payments:
        paid[payment.person_id][payment.month] = payment
    ledger = Ledger(branch, year, today, threshold, months, [])
    for person in people:
        row = _row(person, by_person.get(person.pk), paid[person.pk], ledger, roster, reference)
        ledger.rows.append(row)
    _month_totals(ledger)
    ledger.obligations = _obligations(obligations, branch, months)
    return ledger


def _on_roster(person: Person, branch: Organization) -> bool:
    org = person.organization
    return org.pk == branch.pk or (org.kind == "group" and org.path.startswith(branch.path))


def _row(person, profile, payments, ledger: Ledger, roster, reference) -> LedgerRow:
    on_roster = person.pk in roster
    cells = []
    for month in ledger.months:
        payment = payments.get(month)
        if payment is None and not (on_roster and owes(person.owed_from, month)):
            cells.append(Cell(month, NONE))
            continue
        cells.append(
            Cell(month, classify(month, payment and payment.paid_on, ledger.today), payment)
        )
    row = LedgerRow(person, profile, cells, on_roster=on_roster)
    row.paid_total = sum((c.payment.amount for c in cells if c.payment), ZERO)
    row.unpaid_months = sum(c.status == UNPAID for c in cells)
    if on_roster:
        row.missed, row.months_owed = unpaid_runs(set(payments), person.owed_from, reference)
        row.alarm = row.missed >= ledger.threshold
        started = months_to_date(ledger.year, ledger.today)
        owed = [c for c in cells[:started] if c.status != NONE]
        row.expected_total = (profile.monthly_amount if profile else ZERO) * len(owed)
    return row


def _month_totals(ledger: Ledger) -> None:
    ledger.without_profile = sum(1 for r in ledger.rows if r.on_roster and r.profile is None)
    for index in range(12):
        expected = collected = ZERO
        for row in ledger.rows:
            cell = row.cells[index]
            if cell.payment:
                collected += cell.payment.amount
            if row.on_roster and row.profile and cell.status != NONE:
                expected += row.profile.monthly_amount
        ledger.expected.append(expected)
        ledger.collected.append(collected)


def _obligations(obligations, branch, months: list[dt.date]) -> list[Obligation | None]:
    if obligations is None:
        return [None] * len(months)
    rows = obligations.filter(organization=branch, kind="dues", period_start__in=months)
    found = {o.period_start: o for o in rows}
    return [found.get(month) for month in months]


# --- totals per subtree -----------------------------------------------------------------------


def _prefix(field_name: str, depth: int):
    return Substr(field_name, 1, depth * Organization.steplen)


def owed_months(admitted_field: str, year: int, until_month: int):
    """SQL: months of ``year`` from January to ``until_month`` (0-12) a member owes, counted
    from the month of ``admitted_field`` (the member's owed-from day)."""
    if until_month <= 0:
        return Value(0, output_field=IntegerField())
    return Case(
        When(**{f"{admitted_field}__isnull": True}, then=Value(until_month)),
        When(**{f"{admitted_field}__lt": dt.date(year, 1, 1)}, then=Value(until_month)),
        When(
            **{f"{admitted_field}__lte": month_end(year, until_month)},
            then=Value(until_month + 1) - ExtractMonth(admitted_field),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


def payments_between(start: dt.date, end: dt.date):
    """SQL: how many months the outer person paid from ``start`` to ``end``."""
    paid = (
        DuesPayment.objects.filter(person=OuterRef("pk"), month__gte=start, month__lte=end)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(paid, output_field=IntegerField()), 0)


def subtree_dues_totals(parent: Organization, year: int, today: dt.date, threshold: int) -> dict:
    """For each child subtree of ``parent`` (keyed by the child's path; people placed on the
    parent itself come under the parent's own path): expected and collected amounts of
    ``year``, members, members with an unpaid month, members in the red alarm.
    Three GROUP BY queries, whatever the size of the subtree."""
    depth = parent.depth + 1
    totals: dict[str, dict] = {}

    def slot(prefix):
        return totals.setdefault(
            prefix, {"expected": ZERO, "collected": ZERO, "unpaid": 0, "alarms": 0, "members": 0}
        )

    for row in _expected_by_prefix(parent, depth, year, today):
        slot(row["prefix"])["expected"] = row["expected"] or ZERO
    for row in _collected_by_prefix(parent, depth, year):
        slot(row["prefix"])["collected"] = row["collected"] or ZERO
    for row in _members_by_prefix(parent, depth, year, today, threshold):
        slot(row["prefix"]).update(
            members=row["members"], unpaid=row["unpaid"], alarms=row["alarms"]
        )
    return totals


def _expected_by_prefix(parent, depth, year, today):
    """Σ monthly amount × months owed to date, over the year's profiles of present members."""
    owed = owed_months("owed_from", year, months_to_date(year, today))
    amount = ExpressionWrapper(
        F("monthly_amount") * owed, output_field=DecimalField(max_digits=12, decimal_places=2)
    )
    return (
        DuesProfile.objects.filter(subtree_q("person__organization__path", parent.path), year=year)
        .exclude(person__membership_status=MembershipStatus.NONE)
        .annotate(owed_from=owed_from_expr("person__"))
        .annotate(prefix=_prefix("person__organization__path", depth))
        .values("prefix")
        .annotate(expected=Sum(amount))
    )


def _collected_by_prefix(parent, depth, year):
    """What the branches of each subtree collected for the months of ``year``."""
    return (
        DuesPayment.objects.filter(subtree_q("organization__path", parent.path), month__year=year)
        .annotate(prefix=_prefix("organization__path", depth))
        .values("prefix")
        .annotate(collected=Sum("amount"))
    )


def members_in_alarm(people, today: dt.date):
    """Members of ``people`` (a queryset the caller has scoped) with the red dues alarm as of
    ``today``: a run of unpaid months as long as the threshold anywhere up to the last complete
    month, annotated with ``months_owed`` and ``longest_unpaid_run``. One query; for
    notifications, boards and dashboards."""
    reference = last_complete_month(today)
    return with_arrears(people.exclude(membership_status=MembershipStatus.NONE), reference).filter(
        longest_unpaid_run__gte=missed_months_alarm_threshold(today)
    )


def _members_by_prefix(parent, depth, year, today, threshold):
    reference = reference_month(year, today)
    until = reference.month if reference.year == year else 0
    people = Person.objects.filter(subtree_q("organization__path", parent.path)).exclude(
        membership_status=MembershipStatus.NONE
    )
    return (
        with_arrears(people, reference)
        .annotate(
            prefix=_prefix("organization__path", depth),
            owed=owed_months("owed_from", year, until),
            paid_to_date=payments_between(dt.date(year, 1, 1), reference),
        )
        .values("prefix")
        .annotate(
            members=Count("pk"),
            unpaid=Count("pk", filter=Q(paid_to_date__lt=F("owed"))),
            alarms=Count("pk", filter=Q(longest_unpaid_run__gte=threshold)),
        )
    )
