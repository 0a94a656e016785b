"""Reads of the scoring pages (我的评分): which targets a user may score, as which groups, and
which they have already scored.

Who may score whom follows the tree (``evaluator_groups``), which is pure Python
over cached grant paths once a target carries its organization and person: so a page loads the
targets the user's ``score_target`` grants reach in one query, decides in Python, and loads the
user's own scores in one more. The cost in queries is the same for 10 targets or 10,000.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.local_names import local_name
from bastion.core.scope import Grant, allows, grant, has_permission_anywhere
from bastion.orgs.models import Organization, Person
from bastion.orgs.models.person import MembershipStatus

from .models import (
    MANUAL_KINDS,
    EvaluatorKind,
    KeyEvent,
    Round,
    RoundState,
    SchemeStyle,
    Score,
    Target,
)

# What evaluator_groups reads of a target: enough to count, without names or results.
DECIDING_FIELDS = (
    "id",
    "round_id",
    "organization_id",
    "person_id",
    "organization__path",
    "person__user_id",
    "person__organization_id",
)


# --- who may score whom, and when ------------------------------------------------------------

SCORE = "evaluation.score_target"
AS_COMMITTEE = "evaluation.score_as_committee"
AS_BUSINESS = "evaluation.score_as_business"


def _covers(held: Grant, path: str, *, strictly_above: bool = False) -> bool:
    """``held`` covers ``path`` (with ``strictly_above``: through a grant above it)."""
    return held.covers(path[: -Organization.steplen] if strictly_above else path)


def is_own_target(user, target: Target) -> bool:
    return bool(target.person_id) and target.person.user_id == user.pk


def evaluator_groups(user, target: Target) -> set[str]:
    """The evaluator groups ``user`` may score ``target`` as (empty: none).

    Who may act as which group follows the tree, so no roster has to be kept:

    - 自评 (self): the member themself, or for an organization the holder of a grant to score
      as the committee on exactly that organization (its secretary, not every member);
    - 互评 (peers): another member of the same branch; for an organization, the holder of such
      a grant on a sibling organization;
    - 上级党组织 (higher): a grant to score as the committee on an organization above the
      target (for a member, on their branch or above);
    - 业务部门 (business): a grant to score as a business department covering the target, held
      by someone who does not score as the committee there;
    - 服务对象 (public): the survey result, entered by someone who may score as the committee.
    """
    path = target.organization.path
    if not grant(user, SCORE).covers(path):
        return set()
    groups = set()
    own = is_own_target(user, target)
    committee = grant(user, AS_COMMITTEE)
    if target.person_id:
        if own:
            groups.add(EvaluatorKind.SELF)
        person = getattr(user, "person", None)
        if not own and person is not None and person.organization_id == target.organization_id:
            groups.add(EvaluatorKind.PEERS)
    else:
        # The organization's own committee scores itself; a sibling's committee, as a peer.
        if path in committee.nodes:
            groups.add(EvaluatorKind.SELF)
        parent = path[: -Organization.steplen]
        if any(p != path and len(p) == len(path) and p.startswith(parent) for p in committee.nodes):
            groups.add(EvaluatorKind.PEERS)
    if not own and _covers(committee, path, strictly_above=not target.person_id):
        groups.update({EvaluatorKind.HIGHER, EvaluatorKind.PUBLIC})
    # A committee holds the business permission only so that it may grant the business role.
    business = grant(user, AS_BUSINESS).covers(path)
    if not own and business and not committee.covers(path):
        groups.add(EvaluatorKind.BUSINESS)
    return groups


def scheme_group_names(round_: Round) -> list[str]:
    """The names of the round's evaluator groups, in the scheme's order (自评、互评 …)."""
    names = []
    for group in round_.snapshot.get("groups", []):
        try:
            names.append(str(EvaluatorKind(group["kind"]).label))
        except ValueError:
            names.append(local_name(group) or str(group["kind"]))
    return names


def quoted(names: list[str]) -> str:
    return "".join(f"“{name}”" for name in names)


def own_target_refusal(round_: Round) -> str:
    """Why a member may not rate their own target, naming the scheme's real groups: the only
    way to rate oneself is the scheme's 自评, when it has one."""
    groups = quoted(scheme_group_names(round_))
    kinds = {g["kind"] for g in round_.snapshot.get("groups", [])}
    if EvaluatorKind.SELF in kinds:
        return _("不能给自己评分：本方案的评价主体为%(groups)s，本人只能以“%(self)s”评价自己。") % {
            "groups": groups,
            "self": EvaluatorKind.SELF.label,
        }
    return _("不能给自己评分：本方案的评价主体为%(groups)s，不含自评，本人不参加对自己的评价。") % {
        "groups": groups
    }


def unknown_group_refusal(round_: Round, group: str) -> str:
    try:
        name = str(EvaluatorKind(group).label)
    except ValueError:
        name = group
    return _("本方案没有“%(group)s”这一评价主体；本方案的评价主体为%(groups)s。") % {
        "group": name,
        "groups": quoted(scheme_group_names(round_)),
    }


def scorable_items(round_: Round, group: str) -> list[dict]:
    """The manual items of the round's scheme that ``group`` scores."""
    return [
        item
        for item in round_.snapshot["indicators"]
        if item["kind"] in MANUAL_KINDS and (not item["scored_by"] or group in item["scored_by"])
    ]


def scoring_open(round_: Round, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return round_.state == RoundState.SCORING and round_.opens_on <= today <= round_.closes_on


# --- the arena (打擂台) -------------------------------------------------------------------------

ADD_EVENT = "evaluation.add_keyevent"
MEMBER_STATUSES = {MembershipStatus.FULL, MembershipStatus.PROBATIONARY}


def is_arena(round_: Round) -> bool:
    return round_.snapshot.get("style") == SchemeStyle.ARENA


def entrant(actor, round_: Round):
    """The actor's Person if they may take part in ``round_``'s arena, else PermissionDenied.

    A member (full or probationary) whose branch lies in the round's subtree and who holds
    ``add_keyevent`` covering that branch."""
    if not is_arena(round_):
        raise PermissionDenied(_("该轮次不是打擂台考评，不能提交关键事件。"))
    person = getattr(actor, "person", None)
    if person is None:
        raise PermissionDenied(_("您的账号没有关联党员档案，不能提交关键事件。"))
    if person.membership_status not in MEMBER_STATUSES:
        raise PermissionDenied(_("只有党员（含预备党员）才能提交关键事件。"))
    path = person.organization.path
    if not path.startswith(round_.organization.path):
        raise PermissionDenied(_("您所在的支部不在本轮打擂台的范围内。"))
    if not allows(actor, ADD_EVENT, path):
        raise PermissionDenied(_("您无权为所在支部提交关键事件。"))
    return person


def check_open(round_: Round, today: dt.date | None = None) -> None:
    """ValidationError unless the round takes key events today (its scoring window)."""
    if scoring_open(round_, today):
        return
    if round_.state != RoundState.SCORING:
        raise ValidationError(_("本轮打擂台已结束，不能再提交关键事件。"))
    raise ValidationError(
        _("本轮打擂台的提交时间为 %(start)s 至 %(end)s。")
        % {"start": round_.opens_on, "end": round_.closes_on}
    )


@dataclass
class Assignment:
    """One target the user may score, the groups they may act as, those already done."""

    target: Target
    groups: list[str]
    done: set[str] = field(default_factory=set)

    @property
    def is_done(self) -> bool:
        return all(group in self.done for group in self.groups)


@dataclass
class RoundCard:
    """A round on 我的评分, with the user's counts and, for an arena, their own key event."""

    round: Round
    pending: int = 0
    scored: int = 0
    arena: bool = False
    can_submit: bool = False
    my_event: KeyEvent | None = None

    @property
    def shown(self) -> bool:
        return bool(self.pending or self.scored or self.can_submit or self.my_event)


def round_groups(round_: Round) -> list[str]:
    """The round's evaluator groups that have at least one item to score, in scheme order."""
    kinds = [group["kind"] for group in round_.snapshot.get("groups", [])]
    return [kind for kind in kinds if scorable_items(round_, kind)]


def usable_groups(user, target: Target, kinds: list[str]) -> list[str]:
    allowed = evaluator_groups(user, target)
    return [kind for kind in kinds if kind in allowed]


def person_of(user) -> Person | None:
    """The user's Person (Django caches it, or its absence, on the user: one query at most),
    with the organization loaded for the arena checks."""
    person = getattr(user, "person", None)
    if person is not None:
        person.organization  # noqa: B018 - load it once, entrant() reads its path
    return person


def scorable_targets(user, rounds):
    """Targets of ``rounds`` inside the user's scoring scope, ready for evaluator_groups.
    Arena targets count only once their key event is in."""
    arena_ids = [r.pk for r in rounds if is_arena(r)]
    return (
        Target.objects.restrict(user, "score")
        .filter(round__in=rounds)
        .filter(~Q(round__in=arena_ids) | Q(key_event__isnull=False))
        .select_related("organization", "person")
    )


def done_pairs(user, rounds) -> set[tuple[int, str]]:
    """(target id, group) pairs the user has scored at least one item of."""
    rows = Score.objects.filter(round__in=rounds, evaluator=user)
    return set(rows.values_list("target_id", "group").distinct())


def assignments(user, round_: Round, targets) -> list[Assignment]:
    """The targets (a queryset) the user may score in ``round_``, their own never listed for
    other groups; not yet scored first."""
    person_of(user)
    kinds = round_groups(round_)
    done = done_pairs(user, [round_])
    found = []
    for target in targets:
        groups = usable_groups(user, target, kinds)
        if groups:
            mine = {g for g in groups if (target.pk, g) in done}
            found.append(Assignment(target=target, groups=groups, done=mine))
    found.sort(key=lambda a: a.is_done)
    return found


def round_targets(user, round_: Round, query: str = ""):
    """The queryset behind ``assignments`` for one round, filtered by a search text."""
    targets = scorable_targets(user, [round_])
    if is_arena(round_):
        targets = targets.select_related("key_event").exclude(person__user=user)
    query = (query or "").strip()
    if query:
        condition = Q(organization__name__icontains=query) | Q(person__name__icontains=query)
        key = query.lower().replace(" ", "")
        if key.isascii() and key.isalpha():
            condition |= Q(person__name_initials__startswith=key)
            condition |= Q(person__name_pinyin__startswith=key)
        condition |= Q(key_event__title__icontains=query)
        targets = targets.filter(condition)
    return targets.order_by("organization__path", "person__name", "pk")


def open_rounds(user, today: dt.date) -> list[Round]:
    return list(
        Round.objects.restrict(user, "view")
        .filter(state=RoundState.SCORING, opens_on__lte=today, closes_on__gte=today)
        .select_related("organization")
        .order_by("closes_on", "pk")
    )


def home_cards(user, today: dt.date) -> list[RoundCard]:
    """我的评分: the open rounds where the user has someone to score or, in an arena, an event
    to submit; a fixed number of queries whatever the number of rounds and targets."""
    rounds = open_rounds(user, today)
    if not rounds:
        return []
    person_of(user)
    cards = {r.pk: RoundCard(round=r, arena=is_arena(r)) for r in rounds}
    kinds = {r.pk: round_groups(r) for r in rounds}
    done = done_pairs(user, rounds)
    targets = scorable_targets(user, rounds).exclude(
        Q(round__in=[r.pk for r in rounds if is_arena(r)]) & Q(person__user=user)
    )
    for target in targets.only(*DECIDING_FIELDS):
        groups = usable_groups(user, target, kinds[target.round_id])
        if not groups:
            continue
        card = cards[target.round_id]
        if all((target.pk, g) in done for g in groups):
            card.scored += 1
        else:
            card.pending += 1
    _add_arena(user, [c for c in cards.values() if c.arena])
    return [card for card in cards.values() if card.shown]


def _add_arena(user, cards: list[RoundCard]) -> None:
    if not cards or not has_permission_anywhere(user, "evaluation.add_keyevent"):
        return
    events = KeyEvent.objects.filter(
        round__in=[c.round for c in cards], target__person__user=user
    ).only("pk", "round_id", "title", "happened_on")
    by_round = defaultdict(lambda: None, {e.round_id: e for e in events})
    for card in cards:
        card.my_event = by_round[card.round.pk]
        card.can_submit = may_enter(user, card.round)


def may_enter(user, round_: Round) -> bool:
    """Whether the user may submit a key event in the arena ``round_`` (no query once the
    user's person is loaded)."""
    try:
        entrant(user, round_)
    except PermissionDenied:
        return False
    return True


def may_score_anywhere(user) -> bool:
    return has_permission_anywhere(user, SCORE)


def own_event(user, round_: Round) -> KeyEvent | None:
    return (
        KeyEvent.objects.filter(round=round_, target__person__user=user)
        .select_related("target")
        .first()
    )


def next_pending(found: list[Assignment], after: int | None = None) -> Assignment | None:
    """The first target not fully scored (other than ``after``), to offer after a submit."""
    return next((a for a in found if not a.is_done and a.target.pk != after), None)


__all__ = [
    "AS_BUSINESS",
    "AS_COMMITTEE",
    "SCORE",
    "Assignment",
    "RoundCard",
    "assignments",
    "check_open",
    "done_pairs",
    "entrant",
    "evaluator_groups",
    "home_cards",
    "is_arena",
    "is_own_target",
    "may_enter",
    "may_score_anywhere",
    "next_pending",
    "open_rounds",
    "own_event",
    "person_of",
    "round_groups",
    "round_targets",
    "scorable_items",
    "scoring_open",
    "usable_groups",
]
