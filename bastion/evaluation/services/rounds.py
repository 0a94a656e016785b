"""A round's life: open (targets from the scheme's target kind), compute, publish, close.

Opening copies the scheme into the round (``snapshot``), so later edits of the scheme never touch
it. Computing reads every score in one aggregate query and every data source once, runs the
engine per target and writes the results with one bulk update; it can run again until the round
is closed (after an upheld appeal, say). Publishing awards the titles and lifts watch-list titles
the new results earn off.

Data first (issue 14): computing checks every data-fed indicator (``selectors_readiness``) and
applies the managers' decisions: an indicator *excluded for everyone* drops out for every target;
a target still lacking data gets no top or bottom title. Publishing refuses while an indicator
with missing data has no decision or waits for its data, and refuses results computed on data
or decisions that have changed since.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import ensure_in_scope
from bastion.core.services import service
from bastion.orgs.models import Organization, Person, RoleAssignment
from bastion.orgs.models.organization import OrganizationKind
from bastion.orgs.models.person import MembershipStatus

from .. import (
    engine,
    selectors_benchmarks,
    selectors_readiness,
    selectors_results,
    selectors_rounds,
    sources,
    titles,
)
from ..models import (
    DataDecision,
    Round,
    RoundDataDecision,
    RoundState,
    Scheme,
    SchemeStyle,
    Score,
    Target,
    TargetKind,
    TitleAward,
    TitleKind,
)
from ..selectors_schemes import scheme_snapshot
from .notify import round_data_awaited_notify, round_opened_notify, titles_won_notify

BRANCH_KINDS = [OrganizationKind.BRANCH, OrganizationKind.TEMPORARY_BRANCH]
RESULT_FIELDS = [
    "total",
    "rank",
    "rank_within_parent",
    "vetoed",
    "missing",
    "contributions",
    "titles",
    "data_incomplete",
]


@service
def round_open(
    *,
    actor,
    scheme: Scheme,
    organization: Organization,
    period_label: str,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    appeal_days: int = 5,
    name: str = "",
) -> Round:
    """Open a round of ``scheme`` over ``organization``'s subtree for one period."""
    if not Organization.objects.restrict(actor, "view").filter(pk=organization.pk).exists():
        raise PermissionDenied(_("考评范围不在您的管辖范围内。"))
    if not Scheme.objects.restrict(actor, "view").filter(pk=scheme.pk).exists():
        raise PermissionDenied(_("您不能使用该考评方案。"))
    if not scheme.is_active:
        raise ValidationError({"scheme": _("该考评方案已停用。")})
    round_ = Round(
        scheme=scheme,
        organization=organization,
        period_label=period_label.strip(),
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        appeal_days=appeal_days,
        created_by=actor,
        name=name.strip() or f"{scheme.name}（{period_label.strip()}）",
        name_en=_english_round_name(scheme, period_label) if not name.strip() else "",
        snapshot=scheme_snapshot(scheme),
    )
    _validate_dates(round_)
    round_.full_clean()
    round_.save()
    ensure_in_scope(actor, round_, "add")
    if scheme.style != SchemeStyle.ARENA:  # arena targets join by submitting a key event
        Target.objects.bulk_create(_targets_for(round_), batch_size=2000)
    round_opened_notify(actor=actor, round_=round_)  # from the first scoring day on
    return round_


def _english_round_name(scheme: Scheme, period_label: str) -> str:
    return f"{scheme.name_en} ({period_label.strip()})" if scheme.name_en else ""


def _validate_dates(round_: Round) -> None:
    if round_.period_end < round_.period_start:
        raise ValidationError({"period_end": _("考评期间的结束日期不能早于开始日期。")})
    if round_.closes_on < round_.opens_on:
        raise ValidationError({"closes_on": _("评分截止日期不能早于评分开始日期。")})


def _targets_for(round_: Round) -> list[Target]:
    kind = round_.scheme.target_kind
    subtree = Organization.objects.filter(path__startswith=round_.organization.path, is_active=True)
    if kind == TargetKind.BRANCH:
        orgs = subtree.filter(kind__in=BRANCH_KINDS)
        return [Target(round=round_, organization=org) for org in orgs.only("pk")]
    if kind == TargetKind.STATION:
        orgs = selectors_benchmarks.stations_only(subtree)
        return [Target(round=round_, organization=org) for org in orgs.only("pk")]
    if kind == TargetKind.MEMBER:
        people = Person.objects.filter(
            organization__in=subtree,
            membership_status__in=[MembershipStatus.FULL, MembershipStatus.PROBATIONARY],
        ).values_list("pk", "organization_id")
        return [Target(round=round_, person_id=p, organization_id=o) for p, o in people]
    grants = RoleAssignment.objects.filter(
        role__code="first_secretary", organization__in=subtree, user__person__isnull=False
    ).values_list("user__person", "organization_id")
    return [Target(round=round_, person_id=p, organization_id=o) for p, o in set(grants)]


def _require_change(actor, round_: Round) -> None:
    if not Round.objects.restrict(actor, "change").filter(pk=round_.pk).exists():
        raise PermissionDenied(_("您无权管理该考评轮次。"))


@service
def round_compute(*, actor, round_: Round) -> int:
    """Compute every target's result; return how many targets were computed."""
    _require_change(actor, round_)
    if round_.state == RoundState.CLOSED:
        raise ValidationError(_("该轮次已归档，不能重新计算。"))
    count = round_results_compute(actor=actor, round_=round_)
    if round_.state == RoundState.PUBLISHED:  # published titles follow the new results
        round_titles_award(actor=actor, round_=round_, today=timezone.localdate())
    round_.computed_at = timezone.now()
    if round_.state == RoundState.SCORING:
        round_.state = RoundState.COMPUTED
    round_.save(update_fields=["computed_at", "state"])
    return count


def round_results_compute(*, actor, round_: Round) -> int:
    """The engine over all targets of ``round_``: a fixed number of queries for any size.

    A step of ``round_compute`` that ``appeal_answer`` and ``score_correct`` run too: it checks
    nothing, the calling service has (``actor`` is whom it runs for; None for a system job)."""
    readiness = selectors_readiness.round_readiness(round_)
    spec = engine.SchemeSpec.from_snapshot(round_.snapshot, excluded=readiness.excluded_codes)
    targets = list(Target.objects.filter(round=round_).select_related("organization"))
    manual = _group_means(round_)
    data = sources.computed_values(round_, spec, targets)
    outcomes = {t.pk: engine.evaluate(spec, manual.get(t.pk, {}), data[t.pk]) for t in targets}
    ranks = engine.competition_ranks((pk, o.total) for pk, o in outcomes.items())
    parents = _parent_keys(round_, targets)
    parent_ranks = _ranks_within_parent(targets, outcomes, parents)
    incomplete = readiness.incomplete_targets() | _unmeasured(spec, outcomes)
    rows = [_title_row(t, outcomes[t.pk], parents, incomplete) for t in targets]
    given = titles.assign(round_.snapshot.get("titles", []), rows)
    for target in targets:
        outcome = outcomes[target.pk]
        target.total, target.vetoed, target.missing = outcome.total, outcome.vetoed, outcome.missing
        target.contributions = outcome.contributions
        target.rank, target.rank_within_parent = ranks[target.pk], parent_ranks[target.pk]
        target.titles = given.get(target.pk, [])
        target.data_incomplete = target.pk in incomplete
    _write_results(targets)
    round_.data_check = readiness.fingerprint()
    # Frozen with the results: scoring is closed and only another computation changes them.
    round_.summary = _summary(round_, targets)
    round_.save(update_fields=["data_check", "summary"])
    return len(targets)


def _summary(round_: Round, targets: list[Target]) -> dict:
    return {
        "results": selectors_results.stored_summary(targets),
        "scoring": selectors_rounds.compute_summary(round_),
    }


def round_summaries_rebuild() -> dict:
    """The registry's rebuilder (``EvaluationConfig.aggregate_rebuilders``): the stored summary
    of every computed round, from its targets as they are (nothing is recomputed)."""
    rounds = list(Round.objects.exclude(state=RoundState.SCORING))
    for round_ in rounds:
        targets = list(Target.objects.filter(round=round_).only("total", "titles"))
        round_.summary = _summary(round_, targets)
    Round.objects.bulk_update(rounds, ["summary"], batch_size=200)
    return {"rounds": len(rounds)}


def _unmeasured(spec: engine.SchemeSpec, outcomes: dict) -> set[int]:
    """Targets whose total rests on no value at all (every weighted item missing, excluded or
    with nothing to do): their 0.00 ties everyone alike and earns no rank title."""
    leaves = [item.code for item in spec.leaves]
    return {
        pk
        for pk, outcome in outcomes.items()
        if leaves
        and not any(
            code in outcome.contributions
            and not outcome.contributions[code]["missing"]
            and not outcome.contributions[code].get("excluded")
            for code in leaves
        )
    }


def _write_results(targets: list[Target]) -> None:
    """One prepared UPDATE run for every target (executemany): Django's bulk_update builds a
    CASE per field and row, which costs seconds for a few thousand targets."""
    fields = [Target._meta.get_field(name) for name in RESULT_FIELDS]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Target._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(Target._meta.pk.column),
    )
    rows = [
        [field.get_db_prep_save(getattr(target, field.attname), connection) for field in fields]
        + [target.pk]
        for target in targets
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _group_means(round_: Round) -> dict[int, dict[str, dict]]:
    rows = (
        Score.objects.filter(round=round_)
        .values("target_id", "indicator", "group")
        .annotate(mean=Avg("value"))
        .values_list("target_id", "indicator", "group", "mean")
    )
    means: dict[int, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for target_id, indicator, group, mean in rows:
        means[target_id][indicator][group] = engine.dec(mean)
    return means


def _parent_keys(round_: Round, targets: list[Target]) -> dict[int, object]:
    """target id → what it is ranked within. Members within their branch, organizations within
    their parent; stations within the committee above them (the county), so that a small
    station organised as a 党小组 under a station branch or a 党总支 competes with the county's
    other stations, as the 流动红旗 per county wants. One query for the stations' ancestors."""
    keys: dict[int, object] = {}
    step = Organization.steplen
    for target in targets:
        path = target.organization.path
        keys[target.pk] = target.organization_id if target.person_id else path[:-step]
    if round_.scheme.target_kind != TargetKind.STATION:
        return keys
    prefixes = {
        t.organization.path[:i]
        for t in targets
        for i in range(step, len(t.organization.path), step)
    }
    committees = set(
        Organization.objects.filter(path__in=prefixes, kind=OrganizationKind.COMMITTEE).values_list(
            "path", flat=True
        )
    )
    for target in targets:
        path = target.organization.path
        above = [path[:i] for i in range(len(path) - step, 0, -step) if path[:i] in committees]
        keys[target.pk] = above[0] if above else path[:-step]
    return keys


def _ranks_within_parent(targets, outcomes, parents) -> dict[int, int]:
    groups = defaultdict(list)
    for target in targets:
        groups[parents[target.pk]].append((target.pk, outcomes[target.pk].total))
    ranks = {}
    for members in groups.values():
        ranks.update(engine.competition_ranks(members))
    return ranks


def _title_row(target: Target, outcome: engine.Outcome, parents, incomplete) -> titles.Row:
    percents = {code: engine.dec(row["percent"]) for code, row in outcome.contributions.items()}
    return titles.Row(
        key=target.pk,
        group=parents[target.pk],
        total=outcome.total,
        vetoed=outcome.vetoed,
        percents=percents,
        incomplete=target.pk in incomplete,
    )


@service
def round_publish(*, actor, round_: Round, today: dt.date | None = None) -> int:
    """Publish computed results: titles are awarded, the appeal window opens. Returns the
    number of titles awarded."""
    if not Round.objects.restrict(actor, "publish").filter(pk=round_.pk).exists():
        raise PermissionDenied(_("您无权发布该考评轮次的结果。"))
    if round_.state != RoundState.COMPUTED:
        raise ValidationError(_("只有已计算、尚未发布的轮次才能发布。"))
    _require_data_settled(round_)
    today = today or timezone.localdate()
    round_.state = RoundState.PUBLISHED
    round_.published_at = timezone.now()
    round_.appeal_until = today + dt.timedelta(days=round_.appeal_days)
    round_.save(update_fields=["state", "published_at", "appeal_until"])
    return round_titles_award(actor=actor, round_=round_, today=today)


def round_titles_award(*, actor, round_: Round, today: dt.date) -> int:
    """Replace this round's awards with the computed titles and lift watch-list titles.

    A step of ``round_publish`` (and of recomputing a published round): it checks nothing, the
    calling service has (``actor`` is whom it runs for; None for a system job)."""
    TitleAward.objects.filter(round=round_).delete()
    targets = list(Target.objects.filter(round=round_).exclude(titles=[]))
    awards = [
        TitleAward(
            scheme_id=round_.scheme_id,
            round=round_,
            rule_code=title["code"],
            kind=title["kind"],
            name=title["name"],
            name_en=title.get("name_en", ""),
            stars=title.get("stars"),
            organization_id=target.organization_id,
            person_id=target.person_id,
            total=target.total,
            awarded_on=today,
        )
        for target in targets
        for title in target.titles
    ]
    TitleAward.objects.bulk_create(awards, batch_size=2000)
    _lift_watch(round_, today)
    titles_won_notify(actor=actor, round_=round_, awards=awards)  # once per person and round
    return len(awards)


def _lift_watch(round_: Round, today: dt.date) -> None:
    """An open watch title of an earlier round of this scheme is lifted when this round gave
    the same target at least the rule's lift score and did not put it on the list again."""
    lift_scores = {
        r["code"]: r.get("lift_score")
        for r in round_.snapshot.get("titles", [])
        if r["kind"] == TitleKind.WATCH
    }
    open_awards = TitleAward.objects.filter(
        scheme_id=round_.scheme_id,
        kind=TitleKind.WATCH,
        lifted_on__isnull=True,
        round__period_start__lt=round_.period_start,
    )
    results = {
        (t.organization_id, t.person_id): t
        for t in Target.objects.filter(round=round_).only(
            "organization", "person", "total", "titles"
        )
    }
    lifted = []
    for award in open_awards:
        target = results.get((award.organization_id, award.person_id))
        if target is None or target.total is None:
            continue
        still_watched = any(t["kind"] == TitleKind.WATCH for t in target.titles)
        lift = lift_scores.get(award.rule_code)
        if not still_watched and (lift is None or target.total >= engine.dec(lift)):
            award.lifted_by, award.lifted_on = round_, today
            lifted.append(award)
    TitleAward.objects.bulk_update(lifted, ["lifted_by", "lifted_on"])


def _require_data_settled(round_: Round) -> None:
    """Checked again at publishing: data may have come or gone since the computation."""
    readiness = selectors_readiness.round_readiness(round_)
    if readiness.blocking:
        raise ValidationError(readiness.blocking_message())
    if round_.data_check != readiness.fingerprint():
        raise ValidationError(_("计算后数据或缺数处理决定已有变化，请重新计算、核对后再发布。"))


@service
def round_data_decide(
    *, actor, round_: Round, indicator: str, decision: str, note: str = ""
) -> RoundDataDecision:
    """Record what to do about one data-fed indicator whose data is missing or partial:
    ``exclude`` it for every target (applied at the next computation) or ``wait`` for the data.
    A second decision on the same indicator replaces the first (the audit log keeps both)."""
    if not Round.objects.restrict(actor, "publish").filter(pk=round_.pk).exists():
        raise PermissionDenied(_("您无权决定该考评轮次的缺数处理。"))
    if round_.state not in (RoundState.SCORING, RoundState.COMPUTED):
        raise ValidationError(_("该轮次已发布，不能再改变缺数处理决定。"))
    if decision not in DataDecision.values:
        raise ValidationError({"decision": _("请选择“全员剔除该指标”或“等待数据”。")})
    readiness = selectors_readiness.round_readiness(round_)
    item = next((i for i in readiness.with_gaps if i.code == indicator), None)
    if item is None:
        raise ValidationError(
            {"indicator": _("指标“%(code)s”没有缺数，无需决定。") % {"code": indicator}}
        )
    gaps = [
        {"organization": gap.organization_id, "label": gap.label, "state": gap.state}
        for gap in item.gaps
    ]
    record = item.decision or RoundDataDecision(round=round_, indicator=indicator)
    record.indicator_name = item.name
    record.decision, record.note, record.gaps = decision, note.strip(), gaps
    record.decided_by = actor
    record.full_clean()
    record.save()
    if decision == DataDecision.WAIT:
        round_data_awaited_notify(actor=actor, round_=round_, decision=record)  # who supplies it
    return record


@service
def round_close(*, actor, round_: Round) -> Round:
    """Archive a published round: no more appeals or recomputation."""
    _require_change(actor, round_)
    if round_.state != RoundState.PUBLISHED:
        raise ValidationError(_("只有已发布的轮次才能归档。"))
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state"])
    return round_
