"""An object's change history (who, when, before → after), read from the audit log.

An organization's page also lists the changes of what belongs to it (its committee seats, its
people, meetings, problems, ...): every audited model that declares ``scope_path_field`` is
found in the audit registry, and its entries are listed where the reader may open the object
(its own scope door). A model that puts its owner's id in ``additional_data`` (through
``get_additional_data``) keeps its entries on the owner's page after the row is deleted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from auditlog.diff import get_mask_function
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .scope import allows, permission_name

# django-auditlog names its actions in English only: every page shows these labels instead.
ACTIONS = {
    LogEntry.Action.CREATE: _("新增"),
    LogEntry.Action.UPDATE: _("修改"),
    LogEntry.Action.DELETE: _("删除"),
    LogEntry.Action.ACCESS: _("查看"),
}
BOOLEANS = {"True": _("是"), "False": _("否")}
# Changes written by services under names that are not model fields.
EXTRA_LABELS = {"parent": _("上级组织")}
PAGE_SIZE = 30


@dataclass(frozen=True)
class Dependents:
    """The entries of ``model`` listed on an owner's page: its rows that belong to the owner now
    (``owned``, a queryset of pks, already through the reader's door) and, where ``key`` is
    given, every entry whose ``additional_data[key]`` is the owner's id (deleted rows too)."""

    model: type[models.Model]
    owned: models.QuerySet | None = None
    key: str | None = None

    @property
    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)

    def condition(self, owner) -> Q:
        parts = []
        if self.owned is not None:
            parts.append(Q(object_id__in=self.owned))
        if self.key:
            parts.append(Q(**{f"additional_data__{self.key}": owner.pk}))
        if not parts:
            return Q(pk__in=[])
        either = parts[0] if len(parts) == 1 else parts[0] | parts[1]
        return Q(content_type=self.content_type) & either


def action_label(action) -> str:
    return ACTIONS.get(action, _("其他"))


def organization_dependents(user, org, *, stamped: dict | None = None) -> list[Dependents]:
    """Every audited model whose rows belong to ``org`` through its ``scope_path_field``, each
    through the reader's ``view`` door. ``stamped`` maps a model to its ``additional_data`` key
    holding the organization's id: those entries stay listed after a delete, for a reader who
    holds the model's ``view`` permission over ``org``."""
    stamped = stamped or {}
    granted = _permissions_some_role_holds()
    result = []
    for model in sorted(auditlog.get_models(), key=lambda m: m._meta.label):
        path_field = getattr(model, "scope_path_field", None)
        if not path_field or path_field == "path" or not hasattr(model.objects, "restrict"):
            continue
        key = stamped.get(model)
        if key and not allows(user, permission_name(model, "view"), org):
            key = None
        result.append(Dependents(model, _owned(user, model, org, granted), key))
    return result


def _owned(user, model, org, granted: set[str]):
    """The pks of ``model``'s rows that belong to ``org`` and that ``user`` may open. A model
    whose ``view`` permission no role holds (a meeting's attendance, its files) is opened with
    the row it belongs to, the first step of its scope path."""
    path_field = model.scope_path_field
    hops = []
    door = model
    while permission_name(door, "view") not in granted and "__" in path_field:
        hop, rest = path_field.split("__", 1)
        parent = door._meta.get_field(hop).related_model
        # Up to a row that has its own door, never to the organization itself: what no role
        # may view stays hidden.
        if getattr(parent, "scope_path_field", "path") == "path":
            break
        if not hasattr(getattr(parent, "objects", None), "restrict"):
            break
        hops.append(hop)
        door, path_field = parent, rest
    rows = door.objects.restrict(user, "view").filter(**{path_field: org.path})
    if hops:
        rows = model._base_manager.filter(**{"__".join(hops) + "__in": rows.values("pk")})
    return rows.order_by().values("pk")


def _permissions_some_role_holds() -> set[str]:
    """Every permission any role gives (one query over the few roles)."""
    role_model = django_apps.get_model(settings.BASTION_ROLE_MODEL)
    held = set()
    for permissions in role_model.objects.values_list("permissions", flat=True):
        held.update(permissions or [])
    return held


def history_entries(obj, dependents: Sequence[Dependents] = ()):
    """The entries of ``obj`` and of its ``dependents``, newest first: one query."""
    condition = Q(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    for dependent in dependents:
        condition |= dependent.condition(obj)
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor__person__organization", "content_type")
        .order_by("-timestamp", "-id")
    )


def render_history(
    request, obj, *, back_url: str, title: str, dependents: Sequence[Dependents] = ()
):
    kinds = _kinds(obj, dependents)
    chosen = _chosen_kind(request, kinds)
    if chosen is not None:
        dependents = [d for d in dependents if d.content_type.pk == chosen]
    entries = history_entries(obj, dependents)
    if chosen is not None:
        entries = entries.filter(content_type_id=chosen)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page)
    names = _related_names(entries)
    rows = [
        {
            "entry": entry,
            "action": action_label(entry.action),
            "reason": (entry.additional_data or {}).get("reason", ""),
            "changes": _display_changes(entry, names),
            "subject": _subject(entry, obj),
        }
        for entry in entries
    ]
    return render(
        request,
        "core/history.html",
        {
            "object": obj,
            "rows": rows,
            "page": page,
            "back_url": back_url,
            "title": title,
            "show_subject": bool(dependents) or chosen is not None,
            "kinds": kinds if len(kinds) > 1 else [],
            "chosen_kind": chosen,
        },
    )


def _kinds(obj, dependents) -> list[tuple[int, str]]:
    """(content type id, name) of what the page holds entries of, for the filter: the page's
    own kind first (one query, and none on a page of one object alone)."""
    if not dependents:
        return []
    own = ContentType.objects.get_for_model(obj)
    kinds = [(own.pk, str(type(obj)._meta.verbose_name))]
    kinds += [(d.content_type.pk, str(d.model._meta.verbose_name)) for d in dependents]
    present = set(
        history_entries(obj, dependents)
        .order_by()
        .values_list("content_type_id", flat=True)
        .distinct()
    )
    return [(pk, name) for pk, name in kinds if pk in present]


def _chosen_kind(request, kinds) -> int | None:
    """The kind asked for, if it is one of the page's (anything else lists everything)."""
    value = request.GET.get("kind", "")
    if not value.isdigit():
        return None
    chosen = int(value)
    return chosen if chosen in {pk for pk, _name in kinds} else None


def _subject(entry, obj) -> str:
    """Which object changed, on a page that lists more than one ("" for the page's own)."""
    model = entry.content_type.model_class()
    if model is type(obj) and entry.object_id == obj.pk:
        return ""
    kind = model._meta.verbose_name if model else entry.content_type.model
    return f"{kind} · {entry.object_repr}"


def _display_changes(entry, names: dict) -> list[tuple[str, str, str]]:
    """(field label, before, after) with choice labels, names and verbose names resolved."""
    model = entry.content_type.model_class()
    result = []
    for name, values in (entry.changes_dict or {}).items():
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = values
        else:
            before, after = "", _many_to_many(values)
        field = _field(model, name)
        if field is not None and field.primary_key:
            continue  # the row's own id says nothing to a reader
        label = field.verbose_name if field else EXTRA_LABELS.get(name, name)
        result.append(
            (
                str(label),
                shown_value(model, name, before, names),
                shown_value(model, name, after, names),
            )
        )
    return result


def shown_value(model, name: str, value, names: dict | None = None) -> str:
    """A logged value as a reader sees it: masked fields through the model's audit mask
    (ID numbers 6 + 4), names for references, labels for choices, 是/否, local times."""
    if value in (None, "None", ""):
        return "—"
    value = str(value)
    if model is not None and name in _mask_fields(model):
        return get_mask_function(_mask_callable(model))(value)
    field = _field(model, name)
    if field is None:
        return str(BOOLEANS.get(value, value))
    if field.many_to_one or field.one_to_one:
        return (names or {}).get((field.related_model, value), value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(BOOLEANS.get(value, value))
    if isinstance(field, models.DateTimeField):
        return _local_time(value)
    return value


def _local_time(value: str) -> str:
    """Logged times are UTC, with or without an offset: shown in the site's time zone."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _related_names(entries) -> dict:
    """{(related model, pk as logged): name} for every reference on a page: one query per
    referenced model, however many entries (auditlog's own display costs one per value)."""
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if field is None or not (field.many_to_one or field.one_to_one):
                continue
            if isinstance(values, list | tuple):
                wanted[field.related_model].update(
                    str(v) for v in values if v not in (None, "None", "")
                )
    names = {}
    for related, keys in wanted.items():
        pks = [pk for pk in keys if pk.isdigit()]
        for obj in related._base_manager.filter(pk__in=pks):
            names[(related, str(obj.pk))] = str(obj)
    return names


def _field(model, name: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


def _registered(model) -> bool:
    return auditlog.contains(model)


def _mask_fields(model) -> list[str]:
    return auditlog.get_model_fields(model)["mask_fields"] if _registered(model) else []


def _mask_callable(model) -> str | None:
    return auditlog.get_model_fields(model)["mask_callable"]


def _many_to_many(values) -> str:
    if isinstance(values, dict):
        return "、".join(str(item) for item in values.get("objects", []))
    return str(values)
