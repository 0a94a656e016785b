"""Query filters of the task API. Organization choices go through the scope door: an id outside
the requester's scope is a 400 on that parameter, as in the organization and agenda APIs."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.agenda.api.filters import choice_filter, documented, within_filter
from bastion.orgs.filters import WithinFilter, _scoped_orgs

from ..models import Assignment, AssignmentState, Task, TaskStatus
from ..selectors import due_soon_days, inbox_q

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}


class TaskFilter(django_filters.FilterSet):
    issuer = documented(
        django_filters.ModelChoiceFilter(queryset=_scoped_orgs, field_name="issuer"),
        "integer",
        _("派发组织编号：只列该组织派发的工作单。"),
    )
    within = documented(
        WithinFilter(queryset=_scoped_orgs, path_field="issuer__path"),
        "integer",
        _("组织编号：列该组织及其下级组织派发的工作单。"),
    )
    status = choice_filter(_("工作单状态"), TaskStatus.choices)

    class Meta:
        model = Task
        fields = ["issuer", "within", "status"]


class SwitchField(forms.CharField):
    """``1`` / ``0`` (also true/false, yes/no) → True / False; empty → None."""

    def clean(self, value):
        raw = (super().clean(value) or "").strip().lower()
        if not raw:
            return None
        if raw in TRUE_VALUES:
            return True
        if raw in FALSE_VALUES:
            return False
        raise ValidationError(_("取值“%(value)s”无效，只能为 1 或 0。"), params={"value": value})


class OverdueFilter(django_filters.Filter):
    """``overdue=1``: past the due date and still owing an answer (the inbox's 逾期 group: a
    closed task is owed no more); ``overdue=0``: the others."""

    field_class = SwitchField

    def filter(self, qs, value):
        if value is None:
            return qs
        overdue = inbox_q("overdue", timezone.localdate(), due_soon_days())
        return qs.filter(overdue) if value else qs.exclude(overdue)


class AssignmentFilter(django_filters.FilterSet):
    task = documented(
        django_filters.NumberFilter(field_name="task_id"),
        "integer",
        _("工作单编号"),
    )
    state = choice_filter(_("承办状态"), AssignmentState.choices)
    within = within_filter(_("组织编号：列承办组织在该组织及其下级中的记录。"))
    overdue = documented(
        OverdueFilter(),
        "boolean",
        _("为 1 时只列已过截止日期仍未反馈的记录；为 0 时列其余记录。"),
    )

    class Meta:
        model = Assignment
        fields = ["task", "state", "within", "overdue"]
