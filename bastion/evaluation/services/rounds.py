"""A round's life: open (targets from the scheme's target kind), compute, publish, close.

Opening copies the scheme into the round (``snapshot``), so later edits of the scheme never touch
it. Computing reads every score in one aggregate query and every data source once, runs the
engine per target and writes the results with one bulk update; it can run again until the round
is closed (after an upheld appeal, say). Publishing awards the titles and lifts watch-list titles
the new results earn off.
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
from bastion.orgs.models.organization import OrganizationKind, UnitKind
from bastion.orgs.models.person import MembershipStatus

from .. import engine, sources, titles
from ..models import (
    Round,
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
from .notify import round_opened_notify, titles_won_notify

BRANCH_KINDS = [OrganizationKind.BRANCH, OrganizationKind.TEMPORARY_BRANCH]
RESULT_FIELDS = [
    "total",
    "rank",
    "rank_within_parent",
    "vetoed",
    "missing",
    "contributions",
    "titles",
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
        orgs = subtree.filter(unit_kind=UnitKind.STATION, kind__in=BRANCH_KINDS)
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
    spec = engine.SchemeSpec.from_snapshot(round_.snapshot)
    targets = list(Target.objects.filter(round=round_).select_related("organization"))
    manual = _group_means(round_)
    data = sources.computed_values(round_, spec, targets)
    outcomes = {t.pk: engine.evaluate(spec, manual.get(t.pk, {}), data[t.pk]) for t in targets}
    ranks = engine.competition_ranks((pk, o.total) for pk, o in outcomes.items())
    parent_ranks = _ranks_within_parent(targets, outcomes)
    rows = [_title_row(t, outcomes[t.pk], round_) for t in targets]
    given = titles.assign(round_.snapshot.get("titles", []), rows)
    for target in targets:
        outcome = outcomes[target.pk]
        target.total, target.vetoed, target.missing = outcome.total, outcome.vetoed, outcome.missing
        target.contributions = outcome.contributions
        target.rank, target.rank_within_parent = ranks[target.pk], parent_ranks[target.pk]
        target.titles = given.get(target.pk, [])
    _write_results(targets)
    return len(targets)


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


def _parent_key(target: Target):
    """Members are ranked within their branch, organizations within their parent."""
    if target.person_id:
        return target.organization_id
    path = target.organization.path
    return path[: -Organization.steplen]


def _ranks_within_parent(targets, outcomes) -> dict[int, int]:
    groups = defaultdict(list)
    for target in targets:
        groups[_parent_key(target)].append((target.pk, outcomes[target.pk].total))
    ranks = {}
    for members in groups.values():
        ranks.update(engine.competition_ranks(members))
    return ranks


def _title_row(target: Target, outcome: engine.Outcome, round_: Round) -> titles.Row:
    percents = {code: engine.dec(row["percent"]) for code, row in outcome.contributions.items()}
    return titles.Row(
        key=target.pk,
        group=_parent_key(target),
        total=outcome.total,
        vetoed=outcome.vetoed,
        percents=percents,
    )


@service
def round_publish(*, actor, round_: Round, today: dt.date | None = None) -> int:
    """Publish computed results: titles are awarded, the appeal window opens. Returns the
    number of titles awarded."""
    if not Round.objects.restrict(actor, "publish").filter(pk=round_.pk).exists():
        raise PermissionDenied(_("您无权发布该考评轮次的结果。"))
    if round_.state != RoundState.COMPUTED:
        raise ValidationError(_("只有已计算、尚未发布的轮次才能发布。"))
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


@service
def round_close(*, actor, round_: Round) -> Round:
    """Archive a published round: no more appeals or recomputation."""
    _require_change(actor, round_)
    if round_.state != RoundState.PUBLISHED:
        raise ValidationError(_("只有已发布的轮次才能归档。"))
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state"])
    return round_
