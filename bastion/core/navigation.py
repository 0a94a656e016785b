"""The sidebar: each installed domain app declares its own entries, so absent modules never show.

An app's AppConfig sets ``navigation = [NavSection(...)]``; an item shows when the user holds its
permission somewhere in the tree (or always, when it names none). The menu follows what the user
can do, never a role's name:

* ``also``: a second permission the user must hold too. A page about an organization's records
  as a whole (统计汇总, 会议记录, 考评方案, 接口文档) may be open to a member for their own
  branch, yet it is listed only for who looks after or supervises those records, so that a
  member's menu keeps to their own pages;
* ``otherwise``: where the item leads for a user without the permission, instead of hiding it
  (我的任务 is the task inbox for who answers for an organization, the person's own to-do list
  for everyone else).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse

from .scope import has_permission_anywhere


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    permission: str | None = None
    superuser_only: bool = False
    also: str | None = None
    otherwise: str | None = None


@dataclass(frozen=True)
class NavSection:
    label: str
    icon: str
    items: list[NavItem] = field(default_factory=list)
    order: int = 100


def visible_sections(user, current_path: str) -> list[dict]:
    sections = []
    for config in apps.get_app_configs():
        for section in getattr(config, "navigation", []):
            items = [
                {"label": item.label, "url": reverse(target), "icon": item.icon}
                for item in section.items
                if (target := _target(user, item))
            ]
            if items:
                sections.append(
                    {
                        "label": section.label,
                        "icon": section.icon,
                        "items": items,
                        "order": section.order,
                    }
                )
    _mark_active(sections, current_path)
    return sorted(sections, key=lambda s: s["order"])


def _mark_active(sections: list[dict], current_path: str) -> None:
    """Only the item whose address is the longest prefix of the page's is active: on
    /tasks/inbox/ that is 我的任务, not also 工作单 at /tasks/."""
    matches = [
        item["url"]
        for section in sections
        for item in section["items"]
        if item["url"] != "/" and current_path.startswith(item["url"])
    ]
    best = max(matches, key=len, default=None)
    for section in sections:
        for item in section["items"]:
            item["active"] = item["url"] == best
        section["active"] = any(item["active"] for item in section["items"])


def _holds(user, permission: str | None) -> bool:
    return permission is None or has_permission_anywhere(user, permission)


def _target(user, item: NavItem) -> str | None:
    """The URL name the item leads this user to, or None when it is not listed for them."""
    if item.superuser_only:
        return item.url_name if user.is_superuser else None
    if _holds(user, item.permission) and _holds(user, item.also):
        return item.url_name
    return item.otherwise
