"""The problems' messages, all through the kernel's one service
(``bastion.core.notifications.services.notification_send``).

Who is told (``core.notifications.holders.nearest_holders``: the people acting for the nearest
organization at or above, so a station's secretaries when it has some, else its committee):

* the **responsible side**: holders of ``problems.change_problem`` on the responsible
  organization, and the responsible person (责任人) when they have an account;
* the **verifying side**: holders of ``problems.verify_problem`` on the problem's organization;
* the **owner**: holders of ``problems.change_problem`` on the organization whose library now
  holds the problem.

Nobody is told of their own action. Events (``Notification.event``), each once per person:

* ``problems.assigned`` (``notify_assigned``): filed against a responsible organization, or
  moved to another one; an import tells each person once, listing all their problems.
* ``problems.submitted`` / ``problems.rejected`` (``notify_moved``): a rectification submitted
  for verification (verifying side), or rejected at verification (responsible side).
* ``problems.overdue`` (``notify_overdue``): the deadline passed before the rectification was
  submitted; once per problem and deadline (the daily job, ``overdue.problems_overdue_handle``).
* ``problems.escalated`` (``notify_escalated``): the problem went to the next library level
  (tier 4 when filed, or overdue past the ``problem_escalate_days`` rule): its new owner.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from bastion.core.notifications.holders import nearest_holders
from bastion.core.notifications.models import NotificationLevel
from bastion.core.notifications.services import Recipient, notification_send

from ..models import Problem, ProblemEvent, State

RECTIFY, VERIFY = "problems.change_problem", "problems.verify_problem"
EVENT_ASSIGNED = "problems.assigned"
EVENT_SUBMITTED = "problems.submitted"
EVENT_REJECTED = "problems.rejected"
EVENT_OVERDUE = "problems.overdue"
EVENT_ESCALATED = "problems.escalated"
MAX_LINES = 50


# --- who ------------------------------------------------------------------------------------


def responsible_side(problems: list[Problem]) -> dict[int, set[int]]:
    """problem id → the users who rectify it (two queries; the problems carry their
    ``responsible_org`` and ``responsible_person``)."""
    holders = nearest_holders(RECTIFY, {p.responsible_org.path for p in problems})
    people = {}
    for problem in problems:
        users = set(holders[problem.responsible_org.path])
        person = problem.responsible_person
        if person is not None and person.user_id:
            users.add(person.user_id)
        people[problem.pk] = users
    return people


def verifying_side(problems: list[Problem]) -> dict[int, set[int]]:
    holders = nearest_holders(VERIFY, {p.organization.path for p in problems})
    return {p.pk: set(holders[p.organization.path]) for p in problems}


def owner_side(problems: list[Problem]) -> dict[int, set[int]]:
    holders = nearest_holders(RECTIFY, {p.owner.path for p in problems})
    return {p.pk: set(holders[p.owner.path]) for p in problems}


# --- the events -----------------------------------------------------------------------------


def notify_assigned(problems: list[Problem], *, actor) -> int:
    """Tell the responsible side of ``problems`` (just filed, or given a new responsible
    organization) that they must rectify them; one message per person."""
    if not problems:
        return 0
    problems = sorted(problems, key=lambda p: p.pk)
    if len(problems) == 1:
        key = f"{EVENT_ASSIGNED}:{problems[0].pk}:{problems[0].responsible_org_id}"
    else:
        key = f"{EVENT_ASSIGNED}:{problems[0].pk}-{problems[-1].pk}:{len(problems)}"
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            problems,
            responsible_side(problems),
            actor=actor,
            event=EVENT_ASSIGNED,
            key=key,
            level=NotificationLevel.YELLOW,
            one=(
                _("新的整改问题：%(problem)s"),
                _("%(org)s：%(problem)s。整改时限 %(deadline)s，请制定措施并按期整改。"),
            ),
            many=(
                _("新的整改问题 %(n)s 项"),
                _("以下 %(n)s 个问题由您负责整改，请制定措施并按期整改。"),
            ),
            note=_("待整改"),
        )


def notify_moved(problem: Problem, *, actor, step: ProblemEvent) -> int:
    """A rectification submitted for verification (the verifying side is told) or rejected at
    verification (the responsible side is told, with the reason). ``step`` is the move's
    ``ProblemEvent``: one message per person and move."""
    if problem.state == State.SUBMITTED:
        event, side, level = EVENT_SUBMITTED, verifying_side, NotificationLevel.INFO
    elif problem.state == State.REJECTED:
        event, side, level = EVENT_REJECTED, responsible_side, NotificationLevel.YELLOW
    else:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        if event == EVENT_SUBMITTED:
            texts = (_("整改待验收：%(problem)s"), _("%(org)s 已提交整改佐证，请验收：%(problem)s"))
        else:
            texts = (
                _("整改验收未通过：%(problem)s"),
                _("%(org)s：%(problem)s。原因：%(reason)s。请重新整改并提交验收。"),
            )
        return _send(
            [problem],
            side([problem]),
            actor=actor,
            event=event,
            key=f"{event}:{step.pk}",
            level=level,
            one=texts,
            params={"reason": step.reason or _("未填写")},
            note=problem.get_state_display(),
        )


def overdue_key(problem: Problem) -> str:
    return f"{EVENT_OVERDUE}:{problem.pk}:{problem.deadline.isoformat()}"


def notify_overdue(problem: Problem, people: set[int], today) -> int:
    """The deadline passed and the problem is not rectified: its responsible side, once per
    problem and deadline. ``people`` is the problem's ``responsible_side``."""
    days = (today - problem.deadline).days
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            [problem],
            {problem.pk: people},
            actor=None,
            event=EVENT_OVERDUE,
            key=overdue_key(problem),
            level=NotificationLevel.RED,
            one=(
                _("整改逾期：%(problem)s"),
                _(
                    "%(org)s：%(problem)s。整改时限 %(deadline)s，已逾期 %(days)s 天，"
                    "请尽快整改并提交验收。"
                ),
            ),
            params={"days": days},
            note=_("已逾期 %(days)s 天") % {"days": days},
        )


def notify_escalated(problem: Problem, *, actor, reason: str = "") -> int:
    """The problem went to the next library level: its new owner must act on it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            [problem],
            owner_side([problem]),
            actor=actor,
            event=EVENT_ESCALATED,
            key=f"{EVENT_ESCALATED}:{problem.pk}:{problem.owner_id}",
            level=NotificationLevel.RED,
            one=(
                _("问题提级：%(problem)s"),
                _("%(org)s：%(problem)s。该问题已提交%(library)s，请研究解决。%(reason)s"),
            ),
            params={"library": problem.get_library_display(), "reason": reason},
            note=problem.get_library_display(),
        )


# --- one send -------------------------------------------------------------------------------


def _send(
    problems, people_of, *, actor, event, key, level, one, many=None, params=None, note=""
) -> int:
    """One message per person, listing the problems they are told of."""
    by_person: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        for user_id in people_of.get(problem.pk, ()):
            if actor is None or user_id != actor.pk:
                by_person[user_id].append(problem)
    if not by_person:
        return 0
    recipients = [
        _recipient(
            user_id,
            listed,
            level=level,
            one=one,
            many=many or one,
            params=params or {},
            note=note,
            event=event,
        )
        for user_id, listed in by_person.items()
    ]
    notes = notification_send(
        actor=actor,
        recipients=recipients,
        event=event,
        title=recipients[0].title,
        level=level,
        dedupe_key=key,
        channels=("email",),
    )
    return len(notes)


def _params(problem: Problem, params: dict) -> dict:
    return {
        "problem": problem.description[:40],
        "org": problem.responsible_org.name,
        "deadline": problem.deadline.isoformat(),
        **params,
    }


def _recipient(user_id, listed, *, level, one, many, params, note, event) -> Recipient:
    lines = [
        {
            "level": level,
            "org": p.responsible_org.name,
            "text": p.description[:80],
            "date": p.deadline.isoformat(),
            "note": note,
            "url": p.get_absolute_url(),
        }
        for p in listed[:MAX_LINES]
    ]
    section = {
        "group": event.replace(".", "_"),
        "title": _("问题整改"),
        "count_text": _("%(n)s 项") % {"n": len(listed)},
        "level": level,
        "total": len(listed),
        "lines": lines,
        "more": len(listed) - len(lines),
    }
    if len(listed) == 1:
        values = _params(listed[0], params)
        title, body, url = one[0] % values, one[1] % values, listed[0].get_absolute_url()
    else:
        values = {"n": len(listed), **params}
        title, body, url = many[0] % values, many[1] % values, reverse("problems:problem_list")
    return Recipient(
        user_id, title=title[:200], body=body, url=url, items=[section], subjects=listed
    )
