"""Writing the 四级贯通 cascade (S4): 党委管总命题 → 专业主谋解题 → 战区主建应题 → 支部主战答题.

Rules kept here, whatever page or API calls them:

- Levels follow each other: an objective (攻坚目标清单) has no parent; a task book hangs under an
  objective, a task sheet under a task book, an action plan under a task sheet; nothing under an
  action plan.
- Where the responsible organization may sit: task books (专业, the business departments, which
  are HQ branches) and task sheets (战区: support units and county companies) anywhere in the
  objective's committee subtree — a 战区 is not under the department that wrote the task book;
  an action plan inside its task sheet's subtree (a branch under its county's task sheet).
- The actor holds ``tasks.add_cascadeitem`` (``change`` to edit, ``delete`` to delete) over the
  item's organization.
- A task sheet states 方向、目标、措施、时限、责任 (人员 is optional).
- 时限 is never later than the parent's; left blank it takes the parent's. Moving a parent's 时限
  earlier than a child's is refused.
- Each level is written by the organizations of its level (``cascade_rules.fits_level``): an
  objective by a party committee, a task book by a business department, a task sheet by a 战区
  (county company or support unit), an action plan by a 支部. A station branch writes no task book.
- ``root`` is set here: None on an objective (the model's convention, see
  ``CascadeItem.get_absolute_url``), the objective on every item below it.
- A parent is marked done only when its roll-up is complete: every child it should have exists
  and is done (``cascade_rules``; a task sheet waits for every 支部 of its 战区). The status shown
  is derived from the roll-up anyway (``selectors_cascade.roll_up``); refusing here tells the
  writer what is missing. A done item takes no new children, and a child of a done parent cannot
  be reopened (the parent must be reopened first).
- An item is deleted only without children and without linked task sheets (工作单).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from bastion.core.scope import allows, ensure_in_scope
from bastion.core.services import service
from bastion.orgs.models import Organization
from bastion.orgs.models.organization import OrganizationKind

from .. import selectors_cascade
from ..cascade_rules import fits_level, level_writers
from ..models import LEVEL_ORDER, LEVEL_ROLE, CascadeItem, CascadeLevel, CascadeStatus

TEXT_FIELDS = (
    "title",
    "description",
    "direction",
    "goal",
    "people",
    "measures",
    "responsibility",
)
EDITABLE = (*TEXT_FIELDS, "deadline")


def sheet_required() -> dict[str, str]:
    """The fields a task sheet must state (方向、目标、措施、时限、责任), with their labels."""
    return {
        "direction": _("方向"),
        "goal": _("目标"),
        "measures": _("措施"),
        "deadline": _("时限"),
        "responsibility": _("责任"),
    }


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def root_of(item: CascadeItem) -> CascadeItem:
    """The objective at the top of ``item``'s cascade (the item itself for an objective)."""
    return item.root if item.root_id else item


def anchor_of(parent: CascadeItem) -> Organization:
    """The organization whose subtree holds the children of ``parent``: a task sheet's own
    organization for action plans; the objective's committee for task books and task sheets."""
    if parent.level == CascadeLevel.TASK_SHEET:
        return parent.organization
    return root_of(parent).organization


def can(user, action: str, organization: Organization) -> bool:
    return allows(user, f"tasks.{action}_cascadeitem", organization)


def _require(actor, action: str, organization: Organization, message: str) -> None:
    if not can(actor, action, organization):
        raise PermissionDenied(message)


def _clean_values(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown cascade item fields: {sorted(unknown)}")
    cleaned = {}
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        cleaned[name] = value
    return cleaned


def _check_level(parent: CascadeItem | None, level: str) -> None:
    if level not in LEVEL_ORDER:
        raise ValidationError({"level": _("未知的层级。")})
    if parent is None:
        if level != CascadeLevel.OBJECTIVE:
            raise ValidationError(
                {
                    "level": _("只有攻坚目标清单是第一级；%(level)s必须挂在上级事项之下。")
                    % {"level": CascadeLevel(level).label}
                }
            )
        return
    expected = next_level(parent.level)
    if expected is None:
        raise ValidationError({"level": _("行动方案是最末一级，不能再向下分解。")})
    if level != expected:
        raise ValidationError(
            {
                "level": _("“%(parent)s”是%(parent_level)s，其下一级只能是%(expected)s。")
                % {
                    "parent": parent.title,
                    "parent_level": parent.get_level_display(),
                    "expected": CascadeLevel(expected).label,
                }
            }
        )


def _check_organization(parent: CascadeItem | None, organization: Organization) -> None:
    if not organization.is_active:
        raise ValidationError(
            {
                "organization": _("“%(org)s”已撤销，不能承担四级贯通事项。")
                % {"org": organization.name}
            }
        )
    if parent is None:
        if organization.kind != OrganizationKind.COMMITTEE:
            raise ValidationError(
                {
                    "organization": _("攻坚目标清单由党委编制（党委管总命题），“%(org)s”不是党委。")
                    % {"org": organization.name}
                }
            )
        return
    anchor = anchor_of(parent)
    if not organization.path.startswith(anchor.path):
        message = _("%(level)s的责任组织必须是“%(anchor)s”或其下级组织，“%(org)s”不在其中。")
        raise ValidationError(
            {
                "organization": message
                % {
                    "level": CascadeLevel(next_level(parent.level)).label,
                    "anchor": anchor.name,
                    "org": organization.name,
                }
            }
        )
    level = next_level(parent.level)
    if not fits_level(level, organization):
        raise ValidationError(
            {
                "organization": _("%(level)s由%(writers)s编制（%(role)s），“%(org)s”不是。")
                % {
                    "level": CascadeLevel(level).label,
                    "writers": level_writers(level),
                    "role": LEVEL_ROLE[level],
                    "org": organization.name,
                }
            }
        )


def _check_content(item: CascadeItem) -> None:
    """Model rules, the task sheet's required fields, the deadline against the parent's."""
    errors: dict[str, list[str]] = {}
    try:
        item.full_clean(exclude=["parent", "root", "organization", "created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if item.level == CascadeLevel.TASK_SHEET:
        for name, label in sheet_required().items():
            if not getattr(item, name) and name not in errors:
                errors[name] = [_("任务单必须写明%(field)s。") % {"field": label}]
    parent = item.parent
    if parent is not None and parent.deadline and item.deadline and item.deadline > parent.deadline:
        errors.setdefault("deadline", []).append(
            _("时限不能晚于上级事项“%(parent)s”的时限 %(date)s。")
            % {"parent": parent.title, "date": parent.deadline.isoformat()}
        )
    if errors:
        raise ValidationError(errors)


def _check_children_deadline(item: CascadeItem) -> None:
    if not item.pk or not item.deadline:
        return
    later = list(
        item.children.filter(deadline__gt=item.deadline)
        .order_by("deadline", "id")
        .values_list("title", "deadline")[:5]
    )
    if later:
        names = "、".join(f"“{title}”（{date.isoformat()}）" for title, date in later)
        raise ValidationError(
            {
                "deadline": _("下级事项%(items)s的时限晚于新时限，请先调整下级事项。")
                % {"items": names}
            }
        )


@service
def cascade_item_create(
    *, actor, parent: CascadeItem | None = None, level: str, organization: Organization, **fields
) -> CascadeItem:
    """Add one item to a cascade: an objective (no parent) or the next level under ``parent``."""
    values = _clean_values(fields)
    _check_level(parent, level)
    _require(
        actor,
        "add",
        organization,
        _("您无权为“%(org)s”编制四级贯通事项。") % {"org": organization.name},
    )
    if parent is not None and parent.status == CascadeStatus.DONE:
        raise ValidationError(
            _("上级事项“%(parent)s”已完成，不能再添加下级事项。") % {"parent": parent.title}
        )
    _check_organization(parent, organization)
    if parent is not None and not values.get("deadline") and parent.deadline:
        values["deadline"] = parent.deadline
    item = CascadeItem(
        level=level,
        parent=parent,
        root=root_of(parent) if parent is not None else None,
        organization=organization,
        created_by=actor,
        **values,
    )
    _check_content(item)
    item.save()
    ensure_in_scope(actor, item, "add")
    return item


@service
def cascade_item_update(
    *, actor, item: CascadeItem, organization: Organization | None = None, **fields
) -> CascadeItem:
    """Change an item's text and 时限; its organization only while it has no children."""
    _require(actor, "change", item.organization, _("您无权修改该事项。"))
    values = _clean_values(fields)
    if organization is not None and organization.pk != item.organization_id:
        if item.children.exists():
            raise ValidationError({"organization": _("该事项已有下级事项，不能更换责任组织。")})
        _require(
            actor,
            "change",
            organization,
            _("您无权把事项交给“%(org)s”。") % {"org": organization.name},
        )
        _check_organization(item.parent, organization)
        item.organization = organization
    if "deadline" in values and not values["deadline"] and item.parent_id:
        values["deadline"] = item.parent.deadline  # blank follows the parent, as on create
    for name, value in values.items():
        setattr(item, name, value)
    _check_content(item)
    _check_children_deadline(item)
    item.save()
    ensure_in_scope(actor, item, "change")
    return item


@service
def cascade_item_set_status(
    *, actor, item: CascadeItem, status: str, progress_note: str | None = None
) -> CascadeItem:
    """Record progress. Done only when every child is done; a done parent keeps its children
    done (a child is reopened only after its parent)."""
    _require(actor, "change", item.organization, _("您无权更新该事项的进展。"))
    if status not in CascadeStatus.values:
        raise ValidationError({"status": _("未知的进展状态。")})
    if status == CascadeStatus.DONE and item.level != CascadeLevel.ACTION_PLAN:
        _check_complete(item)
    elif item.status == CascadeStatus.DONE and item.parent_id:
        parent = item.parent
        if parent.status == CascadeStatus.DONE:
            raise ValidationError(
                {
                    "status": _(
                        "上级事项“%(parent)s”已标记完成，不能重新打开本事项；"
                        "请先将上级事项改为推进中。"
                    )
                    % {"parent": parent.title}
                }
            )
    item.status = status
    fields = ["status", "updated_at"]
    if progress_note is not None:
        item.progress_note = progress_note.strip()
        fields.append("progress_note")
    item.save(update_fields=fields)
    return item


def _check_complete(item: CascadeItem) -> None:
    """Refuse 已完成 while the item's roll-up is below 100 %, naming what holds it back."""
    node = selectors_cascade.settled_node(item)
    if node.rollup.is_complete:
        return
    holding = [
        f"“{child.item.title}”（{child.rollup.percent}%）"
        for child in node.children
        if not child.rollup.is_complete
    ]
    missing = [_("尚无%(name)s") % {"name": name} for name in node.rollup.missing]
    if item.level == CascadeLevel.TASK_SHEET:
        missing = [_("%(org)s尚未编制行动方案") % {"org": name} for name in node.rollup.missing]
    reasons = [*holding, *missing]
    shown = "、".join(reasons[:5]) + (_("等") if len(reasons) > 5 else "")
    raise ValidationError(
        {
            "status": _(
                "该事项推进进度为 %(percent)s%%，未完成：%(reasons)s；全部完成后才能标记为已完成。"
            )
            % {"percent": node.rollup.percent, "reasons": shown}
        }
    )


@service
def cascade_item_delete(*, actor, item: CascadeItem) -> None:
    """Delete an item that has no children and no linked 工作单."""
    _require(actor, "delete", item.organization, _("您无权删除该事项。"))
    children = item.children.count()
    if children:
        raise ValidationError(
            _("该事项下还有 %(n)s 项下级事项，请先删除下级事项。") % {"n": children}
        )
    tasks = item.tasks.count()
    if tasks:
        raise ValidationError(_("已有 %(n)s 份工作单关联该事项，不能删除。") % {"n": tasks})
    item.delete()
