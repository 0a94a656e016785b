"""Obligations: generated from the calendar rules, fulfilled by the records that do the work.

``generate_year`` writes one obligation per applicable organization, rule and period; it is
idempotent and re-dates open obligations when a rule version changes. Fulfilment is never
ticked by hand: meetings, dues payments and elections call the ``refresh_*`` functions here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q

from bastion.core.periods import Period, months_before
from bastion.orgs.models import Organization

from ..models import (
    FULFILLING_STATUSES,
    MEETING_KINDS,
    CalendarRule,
    Election,
    Meeting,
    Obligation,
    TermRule,
)
from ..periods import alert_windows, due_date, obligation_label, periods_in_year, term_period
from .tallies import tallies_deferred, tallies_mark

BATCH = 2000


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    fulfilled: int = 0


def rule_versions() -> dict[str, list[CalendarRule]]:
    """Every version of every rule, newest first per code (one query)."""
    versions: dict[str, list[CalendarRule]] = defaultdict(list)
    for rule in CalendarRule.objects.order_by("code", "-effective_from"):
        versions[rule.code].append(rule)
    return versions


def rule_due_date(rule: CalendarRule, period: Period) -> dt.date:
    """The due date of ``period`` by ``rule`` (a day, or one of the month's solar terms)."""
    return due_date(
        rule.recurrence,
        period,
        due_month=rule.due_month,
        due_day=rule.due_day,
        due_term=rule.due_term,
    )


def version_for(versions: list[CalendarRule], period: Period) -> CalendarRule | None:
    """The version in force when the period falls due (its last day)."""
    for rule in versions:  # newest first
        if rule.effective_from <= period.end:
            return rule
    return None


def term_rules_by_kind(on: dt.date) -> dict[str, TermRule]:
    """The term rule in force on ``on`` for each organization kind."""
    rules: dict[str, TermRule] = {}
    for term_rule in TermRule.objects.filter(effective_from__lte=on).order_by("effective_from"):
        rules[term_rule.org_kind] = term_rule
    return rules


def term_years_by_kind(on: dt.date) -> dict[str, int]:
    return {kind: rule.years for kind, rule in term_rules_by_kind(on).items()}


class Planned(NamedTuple):
    """One obligation the rules call for: a light row, made into a database row only if new."""

    rule: CalendarRule
    organization_id: int
    period: Period
    due_on: dt.date
    green_from: dt.date
    yellow_from: dt.date

    @property
    def label(self) -> str:
        return obligation_label(self.rule.recurrence, self.period)

    def window(self) -> tuple:
        """The values of ``WINDOW_FIELDS`` (the rule as its id)."""
        period = self.period
        return (
            self.rule.pk,
            self.due_on,
            self.green_from,
            self.yellow_from,
            period.end,
            self.label,
        )

    def to_obligation(self) -> Obligation:
        return Obligation(
            rule=self.rule,
            rule_code=self.rule.code,
            kind=self.rule.kind,
            organization_id=self.organization_id,
            period_start=self.period.start,
            period_end=self.period.end,
            period_label=self.label,
            due_on=self.due_on,
            green_from=self.green_from,
            yellow_from=self.yellow_from,
        )


def _planned(rule: CalendarRule, org: Organization, period: Period, due: dt.date) -> Planned:
    green_from, yellow_from = alert_windows(due, rule.green_days, rule.yellow_days)
    return Planned(rule, org.pk, period, due, green_from, yellow_from)


def plan_rows(
    year: int, organizations, versions, term_years, reminders=None
) -> dict[tuple, Planned]:
    """Every obligation the rules call for in ``year``, keyed (organization id, code, start)."""
    planned: dict[tuple, Planned] = {}
    for code, rule_list in versions.items():
        newest = rule_list[0]
        if newest.recurrence == "per_term":
            _plan_terms(planned, code, rule_list, organizations, term_years, year, reminders)
            continue
        for period in periods_in_year(newest.recurrence, year, due_on=newest.due_on):
            rule = version_for(rule_list, period)
            if rule is None or not rule.is_active:
                continue
            due = rule_due_date(rule, period)
            green_from, yellow_from = alert_windows(due, rule.green_days, rule.yellow_days)
            for org in organizations:
                if rule.applies_to(org) and not _founded_after(org, period):
                    planned[(org.pk, code, period.start)] = Planned(
                        rule, org.pk, period, due, green_from, yellow_from
                    )
    return planned


def _founded_after(org: Organization, period: Period) -> bool:
    """An organization founded mid-year owes nothing for periods that ended before it existed."""
    return org.established_on is not None and period.end < org.established_on


def plan_year(year: int, organizations, versions, term_years) -> dict[tuple, Obligation]:
    """``plan_rows`` as unsaved ``Obligation`` instances."""
    planned = plan_rows(year, organizations, versions, term_years)
    return {key: plan.to_obligation() for key, plan in planned.items()}


def _plan_terms(planned, code, rule_list, organizations, term_years, year, reminders=None):
    """Per-term rules: one obligation for each organization's current term (its election).

    The yellow reminder starts ``remind_months`` before expiry when the kind's term rule says
    so (TermRule, the one place that number lives); else the calendar rule's days apply.
    """
    for org in organizations:
        years = term_years.get(org.kind)
        if years is None and not (org.term_started_on and org.term_ends_on):
            continue  # no term length for this kind and no full dates: nothing to derive
        period = term_period(org.term_started_on, org.term_ends_on, years or 0)
        if period is None or period.start.year > year:
            continue
        rule = version_for(rule_list, period)
        if rule is None or not rule.is_active or not rule.applies_to(org):
            continue
        plan = _planned(rule, org, period, period.end)
        months = (reminders or {}).get(org.kind)
        if months:
            yellow_from = months_before(period.end, months)
            green_from = min(plan.green_from, yellow_from)
            plan = plan._replace(green_from=green_from, yellow_from=yellow_from)
        planned[(org.pk, code, period.start)] = plan


WINDOW_FIELDS = ["rule", "due_on", "green_from", "yellow_from", "period_end", "period_label"]
KEY_FIELDS = ["organization_id", "rule_code", "period_start"]
CHUNK = 900  # ids per ``IN (...)``: below every SQLite build's variable limit


@transaction.atomic
def generate_year(year: int, *, organization_ids=None, prune_from: dt.date | None = None):
    """Create the missing obligations of ``year`` and re-date open ones whose rule changed.

    ``prune_from``: open obligations of periods ending on or after this date that the rules no
    longer call for are removed (after a rule is retired or narrowed). Fulfilled ones stay.

    A province has ~100,000 obligations a year, so rows travel as tuples: existing keys are
    read with ``values_list``, new rows are inserted in batches of plain values, and re-dated
    rows are updated with one ``UPDATE`` per distinct new window. The roll-up's tallies are
    recounted once at the end, for the organizations touched (``tallies_deferred``).
    """
    with tallies_deferred():
        return _generate_year(year, organization_ids, prune_from)


def _generate_year(year: int, organization_ids, prune_from: dt.date | None):
    orgs = Organization.objects.filter(is_active=True).only(
        "id", "path", "kind", "unit_kind", "established_on", "term_started_on", "term_ends_on"
    )
    if organization_ids is not None:
        orgs = orgs.filter(pk__in=organization_ids)
    term_rules = term_rules_by_kind(dt.date(year, 12, 31))
    planned = plan_rows(
        year,
        list(orgs),
        rule_versions(),
        {kind: rule.years for kind, rule in term_rules.items()},
        {kind: rule.remind_months for kind, rule in term_rules.items()},
    )
    terms = {key for key, plan in planned.items() if plan.rule.recurrence == "per_term"}
    to_update, to_remove = _compare_existing(year, organization_ids, planned, prune_from)
    _forget_stored_elections(year, organization_ids, planned)
    result = GenerationResult()
    result.created = _insert(planned.values())
    for window, ids in to_update.items():
        result.updated += _update_window(window, ids)
    for chunk in _chunks(to_remove):
        result.removed += Obligation.objects.filter(pk__in=chunk).delete()[0]
    result.fulfilled = link_existing_records(year, organization_ids)
    result.removed += _remove_replaced_terms(terms)
    return result


def _remove_replaced_terms(terms: set[tuple]) -> int:
    """An organization owes one election: its current term's. Once its term dates change, the
    open obligation of the term it no longer has is removed (keyed (org, code, start), as
    ``terms``). Runs after the linking, so a term an election has closed is kept as history."""
    if not terms:
        return 0
    codes = sorted({code for _org, code, _start in terms})
    org_ids = {org_id for org_id, _code, _start in terms}
    stale = []
    rows = Obligation.objects.filter(rule_code__in=codes, fulfilled_on__isnull=True)
    rows = rows.filter(election__isnull=True, meeting__isnull=True).order_by()
    if len(org_ids) <= CHUNK:
        rows = rows.filter(organization_id__in=sorted(org_ids))
    for pk, *key in rows.values_list("pk", *KEY_FIELDS):
        if key[0] in org_ids and tuple(key) not in terms:
            stale.append(pk)
    return sum(Obligation.objects.filter(pk__in=chunk).delete()[0] for chunk in _chunks(stale))


@transaction.atomic
def term_obligation_sync(organization: Organization, today: dt.date) -> int:
    """After a committee's term dates were edited: regenerate its 换届 obligation at once and
    remove the one it replaces (the daily job would leave both until then). Only the per-term
    rules are planned; nothing is written when the open obligation already matches the term.
    Returns how many obligations were removed."""
    years = term_years_by_kind(today).get(organization.kind)
    period = term_period(organization.term_started_on, organization.term_ends_on, years or 0)
    mine = Obligation.objects.filter(organization=organization, kind="election")
    open_terms = set(
        mine.filter(fulfilled_on__isnull=True).values_list("period_start", "period_end")
    )
    if open_terms == ({(period.start, period.end)} if period else set()):
        return 0
    year = max(today.year, period.start.year) if period else today.year
    term_rules = term_rules_by_kind(dt.date(year, 12, 31))
    planned: dict[tuple, Planned] = {}
    for code, rule_list in rule_versions().items():
        if rule_list[0].recurrence == "per_term":
            _plan_terms(
                planned,
                code,
                rule_list,
                [organization],
                {kind: rule.years for kind, rule in term_rules.items()},
                year,
                {kind: rule.remind_months for kind, rule in term_rules.items()},
            )
    stored = {
        (org_id, code, start): (pk, fulfilled_on)
        for pk, org_id, code, start, fulfilled_on in mine.values_list(
            "pk", *KEY_FIELDS, "fulfilled_on"
        )
    }
    for key, plan in planned.items():
        if key not in stored:
            _insert([plan])
        elif stored[key][1] is None:
            _update_window(plan.window(), [stored[key][0]])
    _link_elections([organization.pk])
    if planned:
        return _remove_replaced_terms(set(planned))
    return mine.filter(fulfilled_on__isnull=True, election__isnull=True).delete()[0]


def _existing(year: int, organization_ids):
    existing = Obligation.objects.filter(
        Q(period_start__year=year) | Q(kind="election", period_end__gte=dt.date(year, 1, 1))
    )
    if organization_ids is not None:
        existing = existing.filter(organization_id__in=organization_ids)
    return existing


def _compare_existing(year, organization_ids, planned, prune_from):
    """Pop stored obligations from ``planned``; return re-dates (window → ids) and removals."""
    to_update: dict[tuple, list[int]] = defaultdict(list)
    to_remove: list[int] = []
    columns = ["id", *KEY_FIELDS, "fulfilled_on", "rule_id", *WINDOW_FIELDS[1:]]
    rows = _existing(year, organization_ids).order_by().values_list(*columns)
    for pk, org_id, code, start, fulfilled_on, *window in rows:
        plan = planned.pop((org_id, code, start), None)
        if plan is None:
            if prune_from and fulfilled_on is None and window[4] >= prune_from:
                to_remove.append(pk)
            continue
        if fulfilled_on is None and tuple(window) != plan.window():
            to_update[plan.window()].append(pk)
    return to_update, to_remove


def _forget_stored_elections(year, organization_ids, planned) -> None:
    """A term that ended before ``year`` without an election still owes its (overdue) election:
    it is planned again, but its row is stored already and must not count as created."""
    stored = Obligation.objects.filter(kind="election", period_end__lt=dt.date(year, 1, 1))
    if organization_ids is not None:
        stored = stored.filter(organization_id__in=organization_ids)
    for key in stored.order_by().values_list(*KEY_FIELDS):
        planned.pop(key, None)


def _insert(rows) -> int:
    """Insert planned rows that are not stored yet; a row stored meanwhile is left alone.

    Plain ``executemany`` on ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite ≥ 3.24, PostgreSQL):
    ``bulk_create`` spends most of its time building model instances and compiling values.
    """
    from django.db import connection

    ops = connection.ops
    quote = ops.quote_name
    meta = Obligation._meta
    columns = [
        "rule_id",
        "rule_code",
        "kind",
        "organization_id",
        "period_start",
        "period_end",
        "period_label",
        "due_on",
        "green_from",
        "yellow_from",
    ]
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING".format(
        quote(meta.db_table),
        ", ".join(quote(meta.get_field(c.removesuffix("_id")).column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    day = ops.adapt_datefield_value
    params = []
    for plan in rows:
        rule, period = plan.rule, plan.period
        params.append(
            (
                rule.pk,
                rule.code,
                rule.kind,
                plan.organization_id,
                day(period.start),
                day(period.end),
                plan.label,
                day(plan.due_on),
                day(plan.green_from),
                day(plan.yellow_from),
            )
        )
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])
    tallies_mark({row[3] for row in params})  # past the queryset: the tallies are told here
    return len(params)


def _update_window(window: tuple, ids: list[int]) -> int:
    values = dict(zip(["rule_id", *WINDOW_FIELDS[1:]], window, strict=True))
    return sum(Obligation.objects.filter(pk__in=chunk).update(**values) for chunk in _chunks(ids))


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# --- fulfilment ---------------------------------------------------------------------------


def link_existing_records(year: int, organization_ids=None) -> int:
    """Attach records made before their obligations existed (new rules, new organizations)."""
    count = _link_meetings(year, organization_ids)
    from .dues_fulfilment import refresh_dues_obligations

    open_dues = Obligation.objects.filter(
        kind="dues", period_start__year=year, fulfilled_on__isnull=True
    ).order_by()
    if organization_ids is not None:
        open_dues = open_dues.filter(organization_id__in=organization_ids)
    count += refresh_dues_obligations(open_dues.values_list("organization_id", "period_start"))
    count += _link_elections(organization_ids)
    return count


def _link_meetings(year: int, organization_ids) -> int:
    open_ = Obligation.objects.filter(
        kind__in=MEETING_KINDS, period_start__year=year, meeting__isnull=True
    )
    meetings = Meeting.objects.filter(
        held_on__year__in=[year, year + 1], status__in=FULFILLING_STATUSES, kind__in=MEETING_KINDS
    ).exclude(obligations__isnull=False)
    if organization_ids is not None:
        open_ = open_.filter(organization_id__in=organization_ids)
        meetings = meetings.filter(organization_id__in=organization_ids)
    by_key: dict[tuple, list] = defaultdict(list)
    for meeting in meetings.order_by("held_on").only("id", "organization_id", "kind", "held_on"):
        by_key[(meeting.organization_id, meeting.kind)].append(meeting)
    if not by_key:
        return 0
    open_ = open_.filter(organization_id__in=meetings.order_by().values("organization_id"))
    linked = []
    for obligation in open_.order_by("period_start"):
        candidates = by_key.get((obligation.organization_id, obligation.kind), [])
        for meeting in candidates:
            if obligation.period_start <= meeting.held_on <= obligation.period_end:
                obligation.meeting_id, obligation.fulfilled_on = meeting.pk, meeting.held_on
                candidates.remove(meeting)
                linked.append(obligation)
                break
    Obligation.objects.bulk_update(linked, ["meeting", "fulfilled_on"], batch_size=BATCH)
    return len(linked)


def _link_elections(organization_ids) -> int:
    """An election fulfils an open term obligation it was held in, but never the term it began
    itself (an election approved on the day it is held starts a term on that very day)."""
    open_ = Obligation.objects.filter(kind="election", fulfilled_on__isnull=True)
    if organization_ids is not None:
        open_ = open_.filter(organization_id__in=organization_ids)
    open_ = list(open_.filter(organization_id__in=Election.objects.values("organization_id")))
    if not open_:
        return 0
    elections = defaultdict(list)
    for row in Election.objects.filter(
        organization_id__in={o.organization_id for o in open_}
    ).order_by("held_on", "pk"):
        elections[row.organization_id].append(row)
    linked = []
    for obligation in open_:
        for election in elections[obligation.organization_id]:
            if election_fulfils(election, obligation.period_start):
                obligation.election, obligation.fulfilled_on = election, election.held_on
                linked.append(obligation)
                break
    Obligation.objects.bulk_update(linked, ["election", "fulfilled_on"], batch_size=BATCH)
    return len(linked)


def election_fulfils(election: Election, term_start: dt.date) -> bool:
    return election.held_on >= term_start and election.term_starts_on > term_start


def open_obligations_for_meeting(organization, kind: str, held_on: dt.date):
    """Obligations a meeting of ``kind`` held on ``held_on`` may fulfil: its own period's, or
    an earlier open one (a make-up meeting, 补开). Never a period that starts later."""
    return (
        Obligation.objects.filter(organization=organization, kind=kind, period_start__lte=held_on)
        .filter(Q(meeting__isnull=True) | Q(fulfilled_on__isnull=True))
        .order_by("-period_start")
    )


def default_obligation_for_meeting(organization, kind: str, held_on: dt.date):
    """The period containing the meeting if open, else the oldest open overdue one."""
    candidates = list(open_obligations_for_meeting(organization, kind, held_on))
    for obligation in candidates:
        if obligation.period_start <= held_on <= obligation.period_end:
            return obligation
    return candidates[-1] if candidates else None


def link_meeting(meeting: Meeting, obligation: Obligation | None) -> None:
    """Make ``meeting`` the record of ``obligation`` (or of nothing) and set the dates."""
    Obligation.objects.filter(meeting=meeting).exclude(
        pk=obligation.pk if obligation else None
    ).update(meeting=None, fulfilled_on=None)
    if obligation is None:
        return
    fulfils = meeting.status in FULFILLING_STATUSES
    obligation.meeting = meeting
    obligation.fulfilled_on = meeting.held_on if fulfils else None
    obligation.save(update_fields=["meeting", "fulfilled_on"])


def refresh_meeting_obligations(meeting: Meeting) -> None:
    """After a status change (returned, resubmitted, approved): re-read the fulfilment date."""
    fulfils = meeting.status in FULFILLING_STATUSES
    Obligation.objects.filter(meeting=meeting).update(
        fulfilled_on=meeting.held_on if fulfils else None
    )


def refresh_election_obligations(election: Election) -> None:
    """An election fulfils the open term obligation of its organization and starts the next."""
    Obligation.objects.filter(
        organization=election.organization,
        kind="election",
        fulfilled_on__isnull=True,
        period_start__lte=election.held_on,
        period_start__lt=election.term_starts_on,
    ).update(election=election, fulfilled_on=election.held_on)
    generate_year(election.term_starts_on.year, organization_ids=[election.organization_id])
