"""The agenda's part of the daily digest: the alerts where a person acts and the meetings they
review. Registered on ``AgendaConfig`` (``digest_sources``, ``digest_recipients``); the digest
itself (registry, storing, sending) is the kernel's: ``bastion/core/notifications/digest.py``.

The agenda's sections are ``red``, ``yellow``, ``green``, ``branches`` and ``review``, each
``{"group", "title", "count_text", "level", "total", "lines", "more", "summary"}``
(``branches`` adds ``totals`` by colour); a line is ``{"level", "org", "text", "date", "note",
"url"}`` (branch lines add ``counts``). They are stored as the notification's ``items`` so the
inbox, the e-mail and the webhook all show the same thing.

Users who hold their grants on a committee or general branch get one line per branch (counts by
colour and the worst item) instead of one line per item, and every digest lists at most
``BASTION_DIGEST_MAX_LINES`` lines; the rest is counted ("另有 N 项").
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from bastion.core.notifications import digest
from bastion.core.scope import ALL, Grant, grant
from bastion.orgs.models import Organization, Role

from ..models import MEETING_KIND_CHOICES, Meeting, MeetingStatus, Obligation

# Roles that can act on the calendar: they record meetings, dues or elections, or review them.
ACT_PERMISSIONS = (
    "agenda.add_meeting",
    "agenda.add_duespayment",
    "agenda.add_election",
    "agenda.review_meeting",
)
REVIEW_PERMISSION = "agenda.review_meeting"
# Grants held on these kinds of organization see their own items line by line.
BRANCH_LEVEL_KINDS = {"branch", "temporary_branch", "group"}
ITEM_LEVELS = ("red", "yellow", "green")
SEVERITY = {"red": 3, "yellow": 2, "green": 1}
DEFAULT_MAX_LINES = 50


def max_lines() -> int:
    return digest.max_lines(DEFAULT_MAX_LINES)


def digest_recipients():
    """Active users holding, somewhere, a role that can act on the calendar."""
    role_ids = [
        role.pk
        for role in Role.objects.only("id", "permissions")
        if set(role.permissions or ()) & set(ACT_PERMISSIONS)
    ]
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role_id__in=role_ids)
        .distinct()
        .order_by("pk")
    )


def acting_grant(user) -> Grant:
    """Where ``user`` can act on the calendar: any of ``ACT_PERMISSIONS``."""
    grants = [grant(user, permission) for permission in ACT_PERMISSIONS]
    if any(held.everywhere for held in grants):
        return Grant(ALL)
    return Grant([path for held in grants for path in held.paths])


def agenda_sections(user, today: dt.date) -> list[dict]:
    """The agenda's digest sections for ``user`` on ``today`` (its ``digest_sources`` entry)."""
    acting = acting_grant(user)
    if not acting:
        return []
    obligations = alerted_obligations(user, acting, today)
    reviews = review_queue(user)
    review_total = reviews.count() if reviews is not None else 0
    if _summarise(acting):
        sections = _summary_sections(obligations, today, review_total)
    else:
        sections = _item_sections(obligations, today, review_total)
    if review_total:
        sections[-1]["lines"] = _review_lines(reviews, sections[-1]["limit"])
    for section in sections:
        section["more"] = section["total"] - len(section["lines"])
        del section["limit"]
    return sections


# --- what is due --------------------------------------------------------------------------


def alerted_obligations(user, acting: Grant, today: dt.date):
    """Open obligations where ``user`` acts that are red, yellow, or turned green today,
    annotated with ``level`` and ``severity``."""
    queryset = Obligation.objects.restrict(user, "view").filter(
        Q(due_on__lt=today) | Q(yellow_from__lte=today) | Q(green_from=today),
        acting.q("organization__path"),
        fulfilled_on__isnull=True,
        organization__is_active=True,
    )
    red, yellow = Q(due_on__lt=today), Q(yellow_from__lte=today)
    return queryset.annotate(
        level=Case(
            When(red, then=Value("red")), When(yellow, then=Value("yellow")), default=Value("green")
        ),
        severity=Case(
            When(red, then=Value(3)),
            When(yellow, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )


def review_queue(user):
    """Submitted meetings strictly below a node where ``user`` reviews (None: not a reviewer)."""
    reviewer = grant(user, REVIEW_PERMISSION)
    if not reviewer:
        return None
    queryset = Meeting.objects.filter(status=MeetingStatus.SUBMITTED)
    if reviewer.everywhere:
        return queryset
    return queryset.filter(reviewer.q("organization__path", strictly_below=True))


def _summarise(acting: Grant) -> bool:
    """Grants above branch level (a county, the company) get one line per branch."""
    if acting.everywhere:
        return True
    kinds = Organization.objects.filter(path__in=acting.paths).values_list("kind", flat=True)
    return any(kind not in BRANCH_LEVEL_KINDS for kind in kinds)


def _section(group: str, total: int, level: str | None = None) -> dict:
    titles = {
        "red": _("红色告警（已逾期）"),
        "yellow": _("黄色提醒（临近截止）"),
        "green": _("绿色通知（今日起）"),
        "branches": _("各支部情况"),
        "review": _("待审核的会议记录"),
    }
    units = {"branches": _("%(n)s 个支部"), "review": _("%(n)s 条")}
    return {
        "group": group,
        "title": titles[group],
        "count_text": units.get(group, _("%(n)s 项")) % {"n": total},
        "level": level or (group if group in SEVERITY else "info"),
        "total": total,
        "lines": [],
        "limit": 0,
        "summary": _summary({group: total}) if group != "branches" else "",
    }


def _summary(counts: dict) -> str:
    """The digest's one-line body for these counts: "红色告警 2 项，黄色提醒 1 项"."""
    labels = {
        "red": _("红色告警 %(n)s 项"),
        "yellow": _("黄色提醒 %(n)s 项"),
        "green": _("今日绿色通知 %(n)s 项"),
        "review": _("待审核会议记录 %(n)s 条"),
    }
    return _("，").join(labels[key] % {"n": counts[key]} for key in labels if counts.get(key))


def allot(sizes: list[int], cap: int) -> list[int]:
    """Share ``cap`` lines fairly between sections of ``sizes`` (a small one leaves the rest)."""
    limits = [0] * len(sizes)
    remaining = cap
    while remaining > 0:
        open_ = [i for i, size in enumerate(sizes) if limits[i] < size]
        if not open_:
            break
        share = max(1, remaining // len(open_))
        for i in open_:
            give = min(share, sizes[i] - limits[i], remaining)
            limits[i] += give
            remaining -= give
            if not remaining:
                break
    return limits


def _limit(sections: list[dict]) -> list[dict]:
    for section, limit in zip(
        sections, allot([s["total"] for s in sections], max_lines()), strict=True
    ):
        section["limit"] = limit
    return sections


# --- a branch's own items, line by line ---------------------------------------------------

LINE_FIELDS = (
    "id",
    "level",
    "severity",
    "due_on",
    "period_label",
    "organization_id",
    "organization__name",
    "rule__name",
)


def _item_sections(obligations, today: dt.date, review_total: int) -> list[dict]:
    rows = obligations.order_by().values("level").annotate(n=Count("id"))
    counts = {row["level"]: row["n"] for row in rows}
    sections = [_section(level, counts[level]) for level in ITEM_LEVELS if counts.get(level)]
    if review_total:
        sections.append(_section("review", review_total))
    _limit(sections)
    for section in sections:
        if section["group"] in SEVERITY and section["limit"]:
            rows = (
                obligations.filter(level=section["group"])
                .order_by("due_on", "organization__path", "rule__sort_order", "id")
                .values(*LINE_FIELDS)[: section["limit"]]
            )
            section["lines"] = [obligation_line(row, today) for row in rows]
    return sections


def obligation_line(row: dict, today: dt.date, *, org_name: str | None = None) -> dict:
    due_on = row["due_on"]
    level = row["level"]
    if level == "red":
        note = _("已逾期 %(days)s 天") % {"days": (today - due_on).days}
    elif level == "yellow":
        left = (due_on - today).days
        note = _("今天截止") if left == 0 else _("还剩 %(days)s 天") % {"days": left}
    else:
        note = _("进入绿色通知期")
    text = _("%(rule)s（%(period)s）") % {"rule": row["rule__name"], "period": row["period_label"]}
    if org_name and org_name != row["organization__name"]:
        text = f"{row['organization__name']} · {text}"
    return {
        "level": level,
        "org": org_name or row["organization__name"],
        "text": text,
        "date": due_on.isoformat(),
        "note": note,
        "url": org_url(row["organization_id"]),
    }


# --- above branch level: one line per branch ----------------------------------------------


def _summary_sections(obligations, today: dt.date, review_total: int) -> list[dict]:
    branches = _branch_counts(obligations)
    ranked = sorted(
        branches.values(),
        key=lambda b: (*(-b["counts"][level] for level in ITEM_LEVELS), b["path"]),
    )
    sections = []
    if ranked:
        totals = {level: sum(b["counts"][level] for b in ranked) for level in ITEM_LEVELS}
        section = _section("branches", len(ranked), level=_worst_level(totals))
        section["totals"] = totals
        section["summary"] = _summary(totals)
        sections.append(section)
    if review_total:
        sections.append(_section("review", review_total))
    _limit(sections)
    if ranked:
        listed = ranked[: sections[0]["limit"]]
        sections[0]["lines"] = _branch_lines(obligations, listed, today)
    return sections


def _branch_counts(obligations) -> dict[str, dict]:
    """Counts by colour per branch; a party group's items count for the branch above it."""
    rows = (
        obligations.order_by()
        .values("organization_id", "organization__path", "organization__kind", "organization__name")
        .annotate(
            red=Count("id", filter=Q(level="red")),
            yellow=Count("id", filter=Q(level="yellow")),
            green=Count("id", filter=Q(level="green")),
        )
    )
    step = Organization.steplen
    branches: dict[str, dict] = {}
    for row in rows:
        path = row["organization__path"]
        own = row["organization__kind"] != "group" or len(path) <= step
        branch_path = path if own else path[:-step]
        branch = branches.setdefault(
            branch_path,
            {
                "path": branch_path,
                "id": None,
                "name": "",
                "org_ids": [],
                "counts": dict.fromkeys(ITEM_LEVELS, 0),
            },
        )
        if own:
            branch["id"], branch["name"] = row["organization_id"], row["organization__name"]
        branch["org_ids"].append(row["organization_id"])
        for level in ITEM_LEVELS:
            branch["counts"][level] += row[level]
    unnamed = [path for path, branch in branches.items() if branch["id"] is None]
    for org in Organization.objects.filter(path__in=unnamed).values("id", "path", "name"):
        branches[org["path"]]["id"], branches[org["path"]]["name"] = org["id"], org["name"]
    return branches


def _worst_level(counts: dict) -> str:
    return next((level for level in ITEM_LEVELS if counts[level]), "info")


def _branch_lines(obligations, listed: list[dict], today: dt.date) -> list[dict]:
    """One line per listed branch with its worst item: one query for all of them."""
    branch_of = {org_id: b for b in listed for org_id in b["org_ids"]}
    worst_rows = (
        obligations.filter(organization_id__in=list(branch_of))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("organization_id")],
                order_by=[F("severity").desc(), F("due_on").asc(), F("id").asc()],
            )
        )
        .filter(rank=1)
        .values(*LINE_FIELDS)
    )
    worst: dict[str, dict] = {}
    for row in worst_rows:
        path = branch_of[row["organization_id"]]["path"]
        current = worst.get(path)
        if current is None or (-row["severity"], row["due_on"]) < (
            -current["severity"],
            current["due_on"],
        ):
            worst[path] = row
    lines = []
    for branch in listed:
        row = worst.get(branch["path"])
        if row is None:  # the item changed between the two queries
            continue
        line = obligation_line(row, today, org_name=branch["name"])
        line["counts"] = branch["counts"]
        line["url"] = org_url(branch["id"]) if branch["id"] else line["url"]
        lines.append(line)
    return lines


# --- meetings to review -------------------------------------------------------------------


def _review_lines(reviews, limit: int) -> list[dict]:
    if not limit:
        return []
    kinds = dict(MEETING_KIND_CHOICES)
    rows = reviews.order_by("held_on", "id").values(
        "id", "organization_id", "organization__name", "kind", "topic", "held_on"
    )[:limit]
    return [
        {
            "level": "info",
            "org": row["organization__name"],
            "text": f"{kinds.get(row['kind'], row['kind'])}：{row['topic']}",
            "date": row["held_on"].isoformat(),
            "note": _("待审核"),
            "url": meeting_url(row["id"], row["organization_id"]),
        }
        for row in rows
    ]


# --- links --------------------------------------------------------------------------------


def org_url(org_id: int) -> str:
    """The organization's board (生命树): what it owes this month, with the colours."""
    return f"{reverse('agenda:board')}?{urlencode({'org': org_id})}"


def meeting_url(meeting_id: int, org_id: int) -> str:
    """The meeting's page; the organization's board if the meeting pages are not installed."""
    try:
        return reverse("agenda:meeting_detail", args=[meeting_id])
    except NoReverseMatch:
        return org_url(org_id)
