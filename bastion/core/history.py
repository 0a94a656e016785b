"""An object's change history (who, when, before → after), read from the audit log."""

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

# django-auditlog names its actions in English only.
ACTIONS = {
    LogEntry.Action.CREATE: _("新增"),
    LogEntry.Action.UPDATE: _("修改"),
    LogEntry.Action.DELETE: _("删除"),
    LogEntry.Action.ACCESS: _("查看"),
}
BOOLEANS = {"True": _("是"), "False": _("否")}


def history_entries(obj):
    return (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor__person__organization")
        .order_by("-timestamp")
    )


def render_history(request, obj, *, back_url: str, title: str):
    page = Paginator(history_entries(obj), 30).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "action": ACTIONS.get(entry.action, entry.get_action_display()),
            "reason": (entry.additional_data or {}).get("reason", ""),
            "changes": _display_changes(entry),
        }
        for entry in page
    ]
    return render(
        request,
        "core/history.html",
        {"object": obj, "rows": rows, "page": page, "back_url": back_url, "title": title},
    )


def _display_changes(entry) -> list[tuple[str, str, str]]:
    """(field label, before, after) with choice labels and verbose names resolved."""
    shown = entry.changes_display_dict or {}
    result = []
    for label, values in shown.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = values
        else:
            before, after = "", values
        result.append((label, _blank(before), _blank(after)))
    return result


def _blank(value) -> str:
    if value in (None, "None", ""):
        return "—"
    return str(BOOLEANS.get(str(value), value))
