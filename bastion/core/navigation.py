"""The sidebar: each installed domain app declares its own entries, so absent modules never show.

An app's AppConfig sets ``navigation = [NavSection(...)]``; an item shows when the user holds its
permission somewhere in the tree (or always, when it names none).
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
                {"label": item.label, "url": reverse(item.url_name), "icon": item.icon}
                for item in section.items
                if _visible(user, item)
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


def _visible(user, item: NavItem) -> bool:
    if item.superuser_only:
        return user.is_superuser
    return item.permission is None or has_permission_anywhere(user, item.permission)
