"""Reads of the scoring pages (我的评分): which targets a user may score, as which groups, and
which they have already scored.

Who may score whom follows the tree (``services.scores.evaluator_groups``), which is pure Python
over cached grant paths once a target carries its organization and person: so a page loads the
targets the user's ``score_target`` grants reach in one query, decides in Python, and loads the
user's own scores in one more. The cost in queries is the same for 10 targets or 10,000.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from bastion.core.scope import has_permission_anywhere
from bastion.orgs.models import Person

from .models import KeyEvent, Round, RoundState, Score, Target
from .services.key_events import entrant, is_arena
from .services.scores import SCORE, evaluator_groups, is_own_target, scorable_items

# What evaluator_groups reads of a target: enough to count, without names or results.
DECIDING_FIELDS = ("id", "round_id", "organization_id", "person_id", "organization__path",
                   "person__user_id", "person__organization_id")  # fmt: skip


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
    "Assignment", "RoundCard", "assignments", "done_pairs", "home_cards", "is_own_target",
    "may_enter", "may_score_anywhere", "next_pending", "open_rounds", "own_event", "person_of",
    "round_groups", "round_targets", "usable_groups",
]  # fmt: skip
