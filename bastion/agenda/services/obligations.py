"""Obligations: generated from the calendar rules, fulfilled by the records that do the work.

``generate_year`` writes one obligation per applicable organization, rule and period; it is
idempotent and re-dates open obligations when a rule version changes. Fulfilment is never
ticked by hand: meetings, dues payments and elections call the ``refresh_*`` functions here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q

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
from ..periods import Period, alert_windows, due_date, periods_in_year, term_period

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


def version_for(versions: list[CalendarRule], period: Period) -> CalendarRule | None:
    """The version in force when the period falls due (its last day)."""
    for rule in versions:  # newest first
        if rule.effective_from <= period.end:
            return rule
    return None


def term_years_by_kind(on: dt.date) -> dict[str, int]:
    years: dict[str, int] = {}
    for term_rule in TermRule.objects.filter(effective_from__lte=on).order_by("effective_from"):
        years[term_rule.org_kind] = term_rule.years
    return years


def _planned(rule: CalendarRule, org: Organization, period: Period, due: dt.date) -> Obligation:
    green_from, yellow_from = alert_windows(due, rule.green_days, rule.yellow_days)
    return Obligation(
        rule=rule,
        rule_code=rule.code,
        kind=rule.kind,
        organization=org,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        due_on=due,
        green_from=green_from,
        yellow_from=yellow_from,
    )


def plan_year(year: int, organizations, versions, term_years) -> dict[tuple, Obligation]:
    """Every obligation the rules call for in ``year``, keyed (organization id, code, start)."""
    planned: dict[tuple, Obligation] = {}
    for code, rule_list in versions.items():
        newest = rule_list[0]
        if newest.recurrence == "per_term":
            _plan_terms(planned, code, rule_list, organizations, term_years, year)
            continue
        for period in periods_in_year(newest.recurrence, year, due_on=newest.due_on):
            rule = version_for(rule_list, period)
            if rule is None or not rule.is_active:
                continue
            due = due_date(rule.recurrence, period, due_month=rule.due_month, due_day=rule.due_day)
            for org in organizations:
                if rule.applies_to(org):
                    planned[(org.pk, code, period.start)] = _planned(rule, org, period, due)
    return planned


def _plan_terms(planned, code, rule_list, organizations, term_years, year):
    """Per-term rules: one obligation for each organization's current term (its election)."""
    for org in organizations:
        years = term_years.get(org.kind)
        period = term_period(org.term_started_on, org.term_ends_on, years or 3)
        if period is None or period.start.year > year:
            continue
        rule = version_for(rule_list, period)
        if rule is None or not rule.is_active or not rule.applies_to(org):
            continue
        planned[(org.pk, code, period.start)] = _planned(rule, org, period, period.end)


WINDOW_FIELDS = ["rule", "due_on", "green_from", "yellow_from", "period_end", "period_label"]


@transaction.atomic
def generate_year(year: int, *, organization_ids=None, prune_from: dt.date | None = None):
    """Create the missing obligations of ``year`` and re-date open ones whose rule changed.

    ``prune_from``: open obligations of periods ending on or after this date that the rules no
    longer call for are removed (after a rule is retired or narrowed). Fulfilled ones stay.
    """
    orgs = Organization.objects.filter(is_active=True).only(
        "id", "path", "kind", "unit_kind", "term_started_on", "term_ends_on"
    )
    if organization_ids is not None:
        orgs = orgs.filter(pk__in=organization_ids)
    orgs = list(orgs)
    planned = plan_year(year, orgs, rule_versions(), term_years_by_kind(dt.date(year, 12, 31)))
    existing = Obligation.objects.filter(
        Q(period_start__year=year) | Q(kind="election", period_end__gte=dt.date(year, 1, 1))
    )
    if organization_ids is not None:
        existing = existing.filter(organization_id__in=organization_ids)
    result = GenerationResult()
    to_update, to_remove = [], []
    for obligation in existing.only("id", "organization_id", "rule_code", "period_start",
                                    "fulfilled_on", *WINDOW_FIELDS):  # fmt: skip
        key = (obligation.organization_id, obligation.rule_code, obligation.period_start)
        plan = planned.pop(key, None)
        if plan is None:
            if (
                prune_from
                and obligation.fulfilled_on is None
                and obligation.period_end >= prune_from
            ):
                to_remove.append(obligation.pk)
            continue
        if obligation.fulfilled_on is None and _windows_differ(obligation, plan):
            for name in WINDOW_FIELDS:
                setattr(obligation, name, getattr(plan, name))
            to_update.append(obligation)
    Obligation.objects.bulk_create(planned.values(), batch_size=BATCH, ignore_conflicts=True)
    Obligation.objects.bulk_update(to_update, WINDOW_FIELDS, batch_size=BATCH)
    Obligation.objects.filter(pk__in=to_remove).delete()
    result.created, result.updated, result.removed = len(planned), len(to_update), len(to_remove)
    result.fulfilled = link_existing_records(year, organization_ids)
    return result


def _windows_differ(obligation: Obligation, plan: Obligation) -> bool:
    return any(
        getattr(obligation, f if f != "rule" else "rule_id")
        != getattr(plan, f if f != "rule" else "rule_id")
        for f in WINDOW_FIELDS
    )


# --- fulfilment ---------------------------------------------------------------------------


def link_existing_records(year: int, organization_ids=None) -> int:
    """Attach records made before their obligations existed (new rules, new organizations)."""
    count = _link_meetings(year, organization_ids)
    from .dues_fulfilment import refresh_dues_obligations

    open_dues = Obligation.objects.filter(
        kind="dues", period_start__year=year, fulfilled_on__isnull=True
    )
    if organization_ids is not None:
        open_dues = open_dues.filter(organization_id__in=organization_ids)
    pairs = set(open_dues.values_list("organization_id", "period_start"))
    count += refresh_dues_obligations(pairs)
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
    open_ = Obligation.objects.filter(kind="election", fulfilled_on__isnull=True)
    if organization_ids is not None:
        open_ = open_.filter(organization_id__in=organization_ids)
    latest = dict(
        Election.objects.filter(organization_id__in=open_.values("organization_id"))
        .values_list("organization_id")
        .annotate(last=Max("held_on"))
    )
    linked = 0
    for obligation in open_:
        held = latest.get(obligation.organization_id)
        if held and held >= obligation.period_start:
            election = Election.objects.filter(
                organization_id=obligation.organization_id, held_on=held
            ).first()
            obligation.election, obligation.fulfilled_on = election, held
            obligation.save(update_fields=["election", "fulfilled_on"])
            linked += 1
    return linked


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
    ).update(election=election, fulfilled_on=election.held_on)
    generate_year(election.term_starts_on.year, organization_ids=[election.organization_id])
