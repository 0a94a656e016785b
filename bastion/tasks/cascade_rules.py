"""The 四级贯通 rules that services, selectors and pages share (pure, no query).

Who writes each level (党委管总命题—专业主谋解题—战区主建应题—支部主战答题, S4: "公司党委…编制攻坚
目标清单；各专业…制定任务书；各支撑机构（战区）…制定任务单；各支部细化制定行动方案"):

- objective (攻坚目标清单): a party committee;
- task book (任务书): a business department of the company (unit kind ``hq_department``);
- task sheet (任务单): a 战区, a county company or a support unit (unit kind ``county`` or
  ``support``), not one of its party groups;
- action plan (行动方案): a 支部 (branch, general branch or temporary branch), never a party group
  (its branch answers for it).

What each item should have below it (its *expected children*):

- an objective: at least one task book; a task book: at least one task sheet (neither names its
  addressees, so one is the least that can be missing);
- a task sheet: one action plan from every active 支部 at or below its 战区 (各支部), plus any
  other plan written under it;
- an action plan: nothing; it is complete when its own status is done.

Progress is the mean of the expected children's progress, a missing child counting 0; an item
is complete when every expected child is. Its status is derived from that (see ``settled_status``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from bastion.orgs.models.organization import OrganizationKind, UnitKind

from .models import CascadeLevel, CascadeStatus

ANSWERING_KINDS = (
    OrganizationKind.BRANCH,
    OrganizationKind.GENERAL_BRANCH,
    OrganizationKind.TEMPORARY_BRANCH,
)
WAR_ZONE_UNITS = (UnitKind.COUNTY, UnitKind.SUPPORT)


def fits_level(level: str, organization) -> bool:
    """``organization`` is of the kind that writes ``level`` (see the module docstring)."""
    kind, unit_kind = organization.kind, organization.unit_kind
    if level == CascadeLevel.OBJECTIVE:
        return kind == OrganizationKind.COMMITTEE
    if level == CascadeLevel.TASK_BOOK:
        return unit_kind == UnitKind.HQ_DEPARTMENT and kind != OrganizationKind.GROUP
    if level == CascadeLevel.TASK_SHEET:
        return unit_kind in WAR_ZONE_UNITS and kind != OrganizationKind.GROUP
    if level == CascadeLevel.ACTION_PLAN:
        return kind in ANSWERING_KINDS
    return False


def level_writers(level: str) -> str:
    """Who writes ``level``, for the refusal message."""
    return {
        CascadeLevel.OBJECTIVE: _("党委"),
        CascadeLevel.TASK_BOOK: _("公司本部专业部门（党支部）"),
        CascadeLevel.TASK_SHEET: _("县公司或支撑机构（战区）"),
        CascadeLevel.ACTION_PLAN: _("党支部（党总支、临时党支部）"),
    }[level]


def settled_status(stored: str, *, leaf: bool, complete: bool, started: bool) -> str:
    """The status shown everywhere. An action plan's is what its organization recorded; an item
    above is 已完成 exactly when every child it should have is complete, 推进中 when it was
    recorded as started (or done, before something new was expected of it) or any child has
    started, otherwise 未开始."""
    if leaf:
        return stored
    if complete:
        return CascadeStatus.DONE
    if stored != CascadeStatus.PLANNED or started:
        return CascadeStatus.IN_PROGRESS
    return CascadeStatus.PLANNED
