"""The branch board (生命树), the annual map (一图) and silent branches (静默支部).

Every read here costs a fixed number of queries, whatever the size of the subtree: obligations
are fetched or counted in one query each, and the last activity of every branch below a node is
two grouped queries (meetings, dues payments) folded onto the branches in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse

from bastion.core.alerts import BADGE_CLASS, LEVELS
from bastion.core.scope import grant, subtree_q
from bastion.orgs.models import Organization

from .models import MEETING_KINDS, AlertLevel, CalendarRule, DuesPayment, Meeting, Obligation
from .selectors_agenda import alert_q

BRANCH_KINDS = ("branch", "temporary_branch", "general_branch")
# Nodes whose board is their own list of items; above them the board lists their branches.
ITEM_BOARD_KINDS = ("branch", "temporary_branch", "group")


def inactive_after_days() -> int:
    """Days without a recorded meeting or dues payment after which a branch is 静默支部
    (DOMAIN.md; seeded as the ``inactive_days`` threshold, with its source)."""
    from bastion.core.thresholds import threshold

    return threshold("inactive_days")


def is_inactive(last_activity: dt.date | None, today: dt.date, days: int | None = None) -> bool:
    """No activity on any of the last ``days`` days (today included; the threshold in force by
    default): active 29 days after a meeting, silent from the 30th day on."""
    if last_activity is None:
        return True
    return (today - last_activity).days >= (days if days is not None else inactive_after_days())


# --- links -------------------------------------------------------------------------------------


def _url(name: str, args=None, query: str = "") -> str | None:
    """``reverse`` that tolerates pages other modules have not built yet."""
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


class Links:
    """Where a board or map entry leads: its record when done, the action that does it when
    open; only to pages the user may open (the permissions are read once per request)."""

    PERMISSIONS = {
        "meeting_view": "agenda.view_meeting",
        "meeting_add": "agenda.add_meeting",
        "meeting_change": "agenda.change_meeting",
        "election_view": "agenda.view_election",
        "election_add": "agenda.add_election",
        "dues_view": "agenda.view_duespayment",
    }

    def __init__(self, user):
        self.grants = {key: grant(user, perm) for key, perm in self.PERMISSIONS.items()}

    def may(self, key: str, org: Organization) -> bool:
        return self.grants[key].covers(org)

    def attach(self, obligation: Obligation, org: Organization) -> Obligation:
        """Set ``link_url`` and ``link_is_action`` on ``obligation`` (``org`` is its own)."""
        url, action = None, False
        if obligation.fulfilled_on is not None:
            url = self._record(obligation, org)
        else:
            url, action = self._action(obligation, org), True
        obligation.link_url, obligation.link_is_action = url, action and url is not None
        return obligation

    def _record(self, obligation: Obligation, org: Organization) -> str | None:
        if obligation.meeting_id and self.may("meeting_view", org):
            return _url("agenda:meeting_detail", [obligation.meeting_id])
        if obligation.election_id and self.may("election_view", org):
            return _url("agenda:election_detail", [obligation.election_id])
        if obligation.kind == "dues" and self.may("dues_view", org):
            return self._ledger(obligation, org)
        return None

    def _action(self, obligation: Obligation, org: Organization) -> str | None:
        kind = obligation.kind
        if obligation.meeting_id:
            # Open with a record: it was sent back. Fix that record; a new one would orphan it.
            if self.may("meeting_change", org):
                return _url("agenda:meeting_edit", [obligation.meeting_id])
            return None
        if kind in MEETING_KINDS and self.may("meeting_add", org):
            query = f"?org={org.pk}&kind={kind}&obligation={obligation.pk}"
            return _url("agenda:meeting_create", query=query)
        if kind == "election" and self.may("election_add", org):
            return _url("agenda:election_create", [org.pk])
        if kind == "dues" and self.may("dues_view", org):
            return self._ledger(obligation, org)
        return None

    @staticmethod
    def _ledger(obligation: Obligation, org: Organization) -> str | None:
        year = obligation.period_start.year
        return _url("agenda:dues_ledger", query=f"?org={org.pk}&year={year}")


def decorate(obligation: Obligation, today: dt.date, links: Links, org=None) -> Obligation:
    """Colour, badge class and link on one obligation, for templates."""
    obligation.colour = obligation.alert(today)
    obligation.colour_label = AlertLevel(obligation.colour).label
    obligation.badge_class = BADGE_CLASS[obligation.colour]
    return links.attach(obligation, org or obligation.organization)


# --- the board of one branch ------------------------------------------------------------------


@dataclass
class BoardItems:
    red: list[Obligation] = field(default_factory=list)
    week: list[Obligation] = field(default_factory=list)
    month: list[Obligation] = field(default_factory=list)
    ahead: list[Obligation] = field(default_factory=list)  # later, but already in their window
    done: list[Obligation] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.red or self.week or self.month or self.ahead or self.done)


def week_end(today: dt.date) -> dt.date:
    """Sunday of today's week (weeks start on Monday)."""
    return today + dt.timedelta(days=6 - today.weekday())


def month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def board_items(scope_q: Q, today: dt.date, user, links: Links) -> BoardItems:
    """Red alarms (oldest first), open items due this week, then the rest of this month, later
    items already in their green or yellow window (a term expiring in five months, the year's
    组织生活会), and what was done this month: one query. ``scope_q`` picks the organizations."""
    first, last = month_bounds(today)
    sunday = week_end(today)
    horizon = max(sunday, last)
    open_ = Q(fulfilled_on__isnull=True)
    rows = (
        Obligation.objects.restrict(user, "view")
        .filter(scope_q, organization__is_active=True)
        .filter(
            alert_q("red", today)
            | (open_ & Q(due_on__gte=today, due_on__lte=horizon))
            | (open_ & Q(due_on__gt=horizon, green_from__lte=today))
            | Q(fulfilled_on__gte=first, fulfilled_on__lte=today)
        )
        .select_related("rule", "organization")
        .order_by("due_on", "rule__sort_order", "organization__path")
    )
    items = BoardItems()
    for obligation in rows:
        decorate(obligation, today, links)
        if obligation.fulfilled_on is not None:
            items.done.append(obligation)
        elif obligation.colour == "red":
            items.red.append(obligation)
        elif obligation.due_on <= sunday:
            items.week.append(obligation)
        elif obligation.due_on <= last:
            items.month.append(obligation)
        else:
            items.ahead.append(obligation)
    items.done.sort(key=lambda o: (o.fulfilled_on, o.pk), reverse=True)
    return items


# --- branches below a node: alarms and silence -------------------------------------------------


@dataclass
class BranchStatus:
    org: Organization
    red: int = 0
    yellow: int = 0
    last_meeting: dt.date | None = None
    last_dues: dt.date | None = None
    inactive: bool = False

    @property
    def last_activity(self) -> dt.date | None:
        dates = [d for d in (self.last_meeting, self.last_dues) if d]
        return max(dates) if dates else None


def _fold(rows, branches: dict[str, BranchStatus]):
    """Yield (branch status, row) for rows keyed by an organization path: a party group's row
    goes to the nearest branch above it."""
    step = Organization.steplen
    for path, *values in rows:
        for end in range(len(path), 0, -step):
            status = branches.get(path[:end])
            if status is not None:
                yield status, values
                break


def branch_statuses(node: Organization, today: dt.date, user) -> list[BranchStatus]:
    """Every active branch in ``node``'s subtree with its red and yellow counts, last meeting,
    last dues payment and the 静默支部 flag; most alarms first. Four queries."""
    found = Organization.objects.filter(
        subtree_q("path", node.path), kind__in=BRANCH_KINDS, is_active=True
    ).only("id", "path", "depth", "name", "short_name", "kind", "unit_kind", "numchild")
    branches = {org.path: BranchStatus(org) for org in found.order_by("path")}
    in_node = subtree_q("organization__path", node.path)
    alarms = (
        Obligation.objects.restrict(user, "view")
        .filter(in_node, organization__is_active=True, fulfilled_on__isnull=True)
        .filter(Q(due_on__lt=today) | Q(yellow_from__lte=today))
        .values("organization__path")
        .annotate(
            red=Count("id", filter=alert_q("red", today)),
            yellow=Count("id", filter=alert_q("yellow", today)),
        )
        .order_by()
        .values_list("organization__path", "red", "yellow")
    )
    for status, (red, yellow) in _fold(alarms, branches):
        status.red += red
        status.yellow += yellow
    _last_activity(node, today, branches)
    days = inactive_after_days()  # read once, not once per branch
    for status in branches.values():
        status.inactive = is_inactive(status.last_activity, today, days)
    return sorted(
        branches.values(),
        key=lambda s: (-s.red, not s.inactive, -s.yellow, s.org.path),
    )


def _last_activity(node: Organization, today: dt.date, branches: dict[str, BranchStatus]):
    """The latest meeting held and dues paid in each branch (its party groups included).

    Only a date per branch leaves the database, for a node the user may see: the flag is a
    fact about the branch, shown to whoever may see the branch's obligations.
    """
    meetings = (
        Meeting.objects.filter(subtree_q("organization__path", node.path), held_on__lte=today)
        .values("organization__path")
        .annotate(last=Max("held_on"))
        .order_by()
        .values_list("organization__path", "last")
    )
    for status, (last,) in _fold(meetings, branches):
        status.last_meeting = max(filter(None, (status.last_meeting, last)))
    dues = (
        DuesPayment.objects.filter(subtree_q("organization__path", node.path), paid_on__lte=today)
        .values("organization__path")
        .annotate(last=Max("paid_on"))
        .order_by()
        .values_list("organization__path", "last")
    )
    for status, (last,) in _fold(dues, branches):
        status.last_dues = max(filter(None, (status.last_dues, last)))


def branch_status(branch: Organization, today: dt.date) -> BranchStatus:
    """The last activity and 静默支部 flag of one branch (two queries)."""
    status = BranchStatus(branch)
    _last_activity(branch, today, {branch.path: status})
    status.inactive = is_inactive(status.last_activity, today)
    return status


# --- the annual map ----------------------------------------------------------------------------


@dataclass
class MapRow:
    code: str
    name: str
    months: list[list[Obligation]] = field(default_factory=lambda: [[] for _ in range(12)])
    done: int = 0
    expected: int = 0


@dataclass
class AnnualMap:
    org: Organization
    year: int
    rows: list[MapRow]

    @property
    def done(self) -> int:
        return sum(row.done for row in self.rows)

    @property
    def expected(self) -> int:
        return sum(row.expected for row in self.rows)


def annual_map(org: Organization, year: int, today: dt.date, user, links: Links) -> AnnualMap:
    """Rows: the calendar items in force for ``org`` in ``year`` (and any item it still has
    obligations of); columns: the twelve months; each cell the obligations due that month."""
    rules = CalendarRule.objects.in_force(dt.date(year, 12, 31)).filter(is_active=True)
    rows = {
        rule.code: MapRow(rule.code, rule.name)
        for rule in rules.order_by("sort_order", "code")
        if rule.applies_to(org)
    }
    obligations = (
        Obligation.objects.restrict(user, "view")
        .filter(
            organization=org, due_on__gte=dt.date(year, 1, 1), due_on__lte=dt.date(year, 12, 31)
        )
        .select_related("rule")
        .order_by("due_on", "rule__sort_order")
    )
    extra: dict[str, MapRow] = {}
    for obligation in obligations:
        row = rows.get(obligation.rule_code)
        if row is None:
            code = obligation.rule_code
            row = extra.setdefault(code, MapRow(code, obligation.rule.name))
        decorate(obligation, today, links, org)
        row.months[obligation.due_on.month - 1].append(obligation)
        row.expected += 1
        row.done += obligation.fulfilled_on is not None
    return AnnualMap(org, year, [*rows.values(), *extra.values()])


def legend() -> list[tuple[str, str, str]]:
    """(level, Chinese label, badge class) in display order."""
    labels = dict(AlertLevel.choices)
    return [(level, labels[level], BADGE_CLASS[level]) for level in LEVELS]
