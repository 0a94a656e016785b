"""Filing inspections (检查记录) and problems (问题清单、责任清单).

Every rule is checked before anything is written; a refusal is a ValidationError keyed by the
field with a Chinese message, a write outside the actor's scope a PermissionDenied.

Library and owner: the library level is suggested from the tier (``library_for_tier``) unless
given; the owner is the holder of that library (``owner_for``). A tier-4 problem escalates to
the committee above (``escalate``) when it is filed and when its tier becomes 4. A problem of
the same category at the same organization within a year is flagged recurring, and a recurring
problem filed as tier 1 is filed as tier 2 (多发一般); the tier stays editable afterwards.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import allows, subtree_q
from bastion.core.services import service
from bastion.orgs.models import Organization, Person

from ..models import (
    Category,
    Inspection,
    InspectionKind,
    Library,
    Problem,
    ProblemEvent,
    Source,
    State,
    Tier,
)
from .notify import notify_assigned, notify_escalated
from .rectify import escalate, is_recurring, library_for_tier, owner_for, suggested_tier

ADD_INSPECTION, CHANGE_INSPECTION = "problems.add_inspection", "problems.change_inspection"
ADD_PROBLEM, CHANGE_PROBLEM = "problems.add_problem", "problems.change_problem"
MAX_CHECKLIST = 200

INSPECTION_FIELDS = (
    "kind",
    "title",
    "inspecting_org",
    "team",
    "held_on",
    "unannounced",
    "checklist",
    "summary",
)
PROBLEM_FIELDS = (
    "description",
    "organization",
    "inspection",
    "source",
    "category",
    "tier",
    "library",
    "found_on",
    "responsible_org",
    "responsible_person",
    "measures",
    "deadline",
)


# --- inspections -----------------------------------------------------------------------------


def _check_inspection(data: dict, inspected: list[Organization], actor, permission: str) -> dict:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if data["kind"] not in InspectionKind.values:
        add("kind", _("请选择检查方式。"))
    if not (data.get("title") or "").strip():
        add("title", _("请填写检查名称。"))
    inspecting = data.get("inspecting_org")
    if inspecting is None:
        add("inspecting_org", _("请选择检查组织。"))
    elif not allows(actor, permission, inspecting):
        raise PermissionDenied(_("检查组织不在您的管理范围内。"))
    if not inspected:
        add("inspected", _("请至少选择一个被检查组织。"))
    outside = [o.name for o in inspected if not allows(actor, permission, o)]
    if outside:
        add(
            "inspected",
            _("被检查组织不在您的管理范围内：%(names)s。") % {"names": "、".join(outside)},
        )
    if inspecting is not None and inspected:
        if data["kind"] == InspectionKind.MUTUAL and any(o.pk == inspecting.pk for o in inspected):
            add("inspected", _("互查时检查组织不能同时是被检查组织。"))
        if data["kind"] == InspectionKind.SELF and any(
            not o.path.startswith(inspecting.path) for o in inspected
        ):
            add("inspected", _("自查只能检查本组织及其下级组织。"))
    held_on = data.get("held_on")
    if held_on is None:
        add("held_on", _("请填写检查日期。"))
    elif held_on > timezone.localdate():
        add("held_on", _("检查日期不能晚于今天。"))
    checklist = data.get("checklist") or []
    if not isinstance(checklist, list) or any(not isinstance(i, str) for i in checklist):
        add("checklist", _("检查清单格式不正确。"))
    elif len(checklist) > MAX_CHECKLIST:
        add("checklist", _("检查清单最多 %(n)d 项。") % {"n": MAX_CHECKLIST})
    if errors:
        raise ValidationError(errors)
    data["title"] = data["title"].strip()
    data["checklist"] = [i.strip() for i in checklist if i.strip()]
    if data["kind"] == InspectionKind.FLYING:
        data["unannounced"] = True  # 飞行巡查：不打招呼
    return data


@service
def inspection_create(*, actor, inspected, **fields) -> Inspection:
    data = {key: fields.get(key) for key in INSPECTION_FIELDS}
    data["team"] = (data["team"] or "").strip()
    data["summary"] = (data["summary"] or "").strip()
    data["unannounced"] = bool(data["unannounced"])
    inspected = list(inspected or [])
    data = _check_inspection(data, inspected, actor, ADD_INSPECTION)
    inspection = Inspection.objects.create(created_by=actor, **data)
    inspection.inspected.set(inspected)
    return inspection


@service
def inspection_update(*, actor, inspection: Inspection, inspected, **fields) -> Inspection:
    if not allows(actor, CHANGE_INSPECTION, inspection.inspecting_org):
        raise PermissionDenied(_("您无权修改该检查记录。"))
    data = {key: fields.get(key, getattr(inspection, key)) for key in INSPECTION_FIELDS}
    data["team"] = (data["team"] or "").strip()
    data["summary"] = (data["summary"] or "").strip()
    inspected = list(inspected or [])
    data = _check_inspection(data, inspected, actor, CHANGE_INSPECTION)
    found_on = {p.organization_id for p in inspection.problems.all()}
    kept = {o.pk for o in inspected}
    orphaned = [pk for pk in found_on if pk not in kept]
    if orphaned:
        names = Organization.objects.filter(pk__in=orphaned).values_list("name", flat=True)
        raise ValidationError(
            {
                "inspected": _("已有问题登记在%(names)s，不能将其移出被检查组织。")
                % {"names": "、".join(names)}
            }
        )
    for key, value in data.items():
        setattr(inspection, key, value)
    inspection.save()
    inspection.inspected.set(inspected)
    return inspection


# --- problems --------------------------------------------------------------------------------


def _check_problem(data: dict, actor, permission: str, *, pk=None) -> dict:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    data["description"] = (data.get("description") or "").strip()
    data["measures"] = (data.get("measures") or "").strip()
    if not data["description"]:
        add("description", _("请填写问题描述。"))
    org = data.get("organization")
    if org is None:
        add("organization", _("请选择问题所在组织。"))
    elif not allows(actor, permission, org):
        raise PermissionDenied(_("问题所在组织不在您的管理范围内。"))
    if data.get("category") not in Category.values:
        add("category", _("请选择问题类别。"))
    if data.get("tier") not in Tier.values:
        add("tier", _("问题层次须为 1–4。"))
    if data.get("library") and data["library"] not in Library.values:
        add("library", _("请选择问题库。"))
    inspection = data.get("inspection")
    source = data.get("source") or (Source.INSPECTION if inspection else Source.MANUAL)
    data["source"] = source
    if source not in Source.values:
        add("source", _("请选择问题来源。"))
    elif source == Source.INSPECTION and inspection is None:
        add("inspection", _("来源为检查发现时请选择来源检查。"))
    elif source != Source.INSPECTION:
        data["inspection"] = inspection = None
    if inspection is not None and org is not None:
        if not Inspection.objects.restrict(actor, "view").filter(pk=inspection.pk).exists():
            raise PermissionDenied(_("来源检查不在您的管理范围内。"))
        inspected = list(inspection.inspected.all())
        if not any(org.path.startswith(o.path) for o in inspected):
            add("organization", _("问题所在组织不是该检查的被检查组织（或其下级）。"))
    found_on, deadline = data.get("found_on"), data.get("deadline")
    if found_on is None:
        add("found_on", _("请填写发现日期。"))
    elif found_on > timezone.localdate():
        add("found_on", _("发现日期不能晚于今天。"))
    if deadline is None:
        add("deadline", _("请填写整改时限。"))
    elif found_on is not None and deadline < found_on:
        add("deadline", _("整改时限不能早于发现日期。"))
    responsible = data.get("responsible_org")
    if responsible is None:
        add("responsible_org", _("请选择责任组织。"))
    elif org is not None and not responsible.path.startswith(org.path):
        add("responsible_org", _("责任组织须为问题所在组织本身或其下级组织。"))
    person = data.get("responsible_person")
    if person is not None and responsible is not None:
        person_org = Organization.objects.filter(pk=person.organization_id).first()
        if person_org is None or not person_org.path.startswith(responsible.path):
            add(
                "responsible_person",
                _("责任人“%(name)s”不在责任组织“%(org)s”的名册中。")
                % {"name": person.name, "org": responsible.name},
            )
    if errors:
        raise ValidationError(errors)
    return data


@service
def problem_create(*, actor, notify: bool = True, **fields) -> Problem:
    """File a problem and tell its responsible side (``notify=False``: the caller tells them,
    as an import does once for all its rows); a tier-4 problem's new owner is told at once."""
    data = {key: fields.get(key) for key in PROBLEM_FIELDS}
    data = _check_problem(data, actor, ADD_PROBLEM)
    org = data["organization"]
    data["recurring"] = is_recurring(org, data["category"], data["found_on"])
    data["tier"] = suggested_tier(org, data["category"], data["found_on"], data["tier"])
    data["library"] = data["library"] or library_for_tier(data["tier"])
    problem = Problem(created_by=actor, state=State.PLANNED, **data)
    problem.owner = owner_for(org, problem.library)
    if problem.tier == Tier.ESCALATE:
        escalate(problem)
    problem.save()
    ProblemEvent.objects.create(
        problem=problem, from_state="", to_state=State.PLANNED, reason=_("登记问题"), actor=actor
    )
    if notify:
        notify_assigned([problem], actor=actor)
    if problem.tier == Tier.ESCALATE:
        notify_escalated(problem, actor=actor)
    return problem


@service
def problem_update(*, actor, problem: Problem, **fields) -> Problem:
    if not allows(actor, CHANGE_PROBLEM, problem.organization):
        raise PermissionDenied(_("您无权修改该问题。"))
    if problem.state == State.CLOSED:
        raise ValidationError({"state": _("已销号的问题不能修改；如问题复发请先重新打开。")})
    before = {key: getattr(problem, key) for key in PROBLEM_FIELDS}
    data = {key: fields.get(key, before[key]) for key in PROBLEM_FIELDS}
    data = _check_problem(data, actor, CHANGE_PROBLEM, pk=problem.pk)
    data["library"] = data["library"] or library_for_tier(data["tier"])
    for key, value in data.items():
        setattr(problem, key, value)
    org = problem.organization
    problem.recurring = is_recurring(org, problem.category, problem.found_on, exclude=problem.pk)
    moved = before["organization"] != org or before["library"] != problem.library
    if moved:
        problem.owner = owner_for(org, problem.library)
    if problem.tier == Tier.ESCALATE and before["tier"] != Tier.ESCALATE:
        if not moved:
            problem.owner = owner_for(org, problem.library)
        escalate(problem)
    problem.save()
    if before["responsible_org"] != problem.responsible_org:
        notify_assigned([problem], actor=actor)
    if problem.tier == Tier.ESCALATE and before["tier"] != Tier.ESCALATE:
        notify_escalated(problem, actor=actor)
    return problem


def responsible_people(org: Organization):
    """The roster of ``org`` (its own people and those of its groups) for the picker."""
    return Person.objects.filter(subtree_q("organization__path", org.path)).order_by("name")
