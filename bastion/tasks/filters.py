"""One FilterSet for each list of the task module, shared by its page, its API and its export.

Organization parameters go through the scope door (``bastion.core.filters``): an id outside the
requester's scope answers 404 on the page, in the API and in the export alike.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.filters import (
    OrganizationFilter,
    ScopedFilterSet,
    SwitchFilter,
    WithinFilter,
    choice_filter,
    documented,
)
from bastion.core.forms import BootstrapFormMixin
from bastion.core.orgtree import permitted_organizations
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization

from .models import Assignment, AssignmentState, Priority, Task, TaskStatus
from .selectors import due_soon_days, inbox_q
from .selectors_progress import STATE_FILTERS, filter_state

ANSWER = "tasks.change_assignment"


class FilterForm(BootstrapFormMixin, forms.Form):
    """The form a page renders for a FilterSet: Tabler's classes on every widget."""


# --- task sheets: the list page and ``GET /api/v1/tasks/`` -------------------------------------


class TaskFilter(ScopedFilterSet):
    issuer = OrganizationFilter(
        field_name="issuer",
        label=_("派发组织"),
        description=_("派发组织编号：只列该组织派发的工作单。"),
    )
    within = WithinFilter(
        path_field="issuer__path",
        label=_("派发组织（含下级）"),
        description=_("组织编号：列该组织及其下级组织派发的工作单。"),
    )
    status = choice_filter(_("状态"), TaskStatus.choices, empty_label=_("全部"))
    priority = choice_filter(_("紧急程度"), Priority.choices, empty_label=_("全部"))
    q = django_filters.CharFilter(
        label=_("标题"), field_name="title", lookup_expr="icontains", max_length=100
    )

    class Meta:
        model = Task
        fields = ["issuer", "within", "status", "priority", "q"]
        form = FilterForm


# --- assignments: ``GET /api/v1/assignments/`` ---------------------------------------------------


class OverdueFilter(SwitchFilter):
    """``overdue=1``: past the due date and still owing an answer (the inbox's 逾期 group: a
    closed task is owed no more); ``overdue=0``: the others."""

    def condition(self):
        return inbox_q("overdue", timezone.localdate(), due_soon_days())


class AssignmentFilter(ScopedFilterSet):
    task = documented(
        django_filters.NumberFilter(field_name="task_id"),
        "integer",
        _("工作单编号"),
    )
    state = choice_filter(_("承办状态"), AssignmentState.choices)
    within = WithinFilter(description=_("组织编号：列承办组织在该组织及其下级中的记录。"))
    overdue = documented(
        OverdueFilter(),
        "boolean",
        _("为 1 时只列已过截止日期仍未反馈的记录；为 0 时列其余记录。"),
    )

    class Meta:
        model = Assignment
        fields = ["task", "state", "within", "overdue"]


# --- one task's recipients: the progress page, its counts, its export and the API's ----------


class ProgressFilter(ScopedFilterSet):
    """The recipients of one task that the reader may see, ``within`` a subtree of the issuer
    (404 outside it) and in a ``state`` (one of the five, or 逾期未反馈 / 逾期反馈).

    ``subtree`` is the rows narrowed by ``within`` alone (the counts, the breakdown and the
    late list); ``qs`` adds the state (the recipients table and the export)."""

    within = WithinFilter(
        label=_("范围"),
        description=_("组织编号：只统计承办组织在该组织及其下级中的记录。"),
    )
    state = choice_filter(_("状态"), STATE_FILTERS, method="filter_state")

    class Meta:
        model = Assignment
        fields = ["within", "state"]
        form = FilterForm

    def __init__(self, data=None, *, task, request, **kwargs):
        self.task = task
        self.today = timezone.localdate()
        rows = Assignment.objects.restrict(request.user, "view").filter(task=task)
        super().__init__(data, queryset=rows, request=request, **kwargs)
        self.filters["within"].queryset = Organization.objects.restrict(
            request.user, "view"
        ).filter(subtree_q("path", task.issuer.path))

    def filter_state(self, queryset, name, value):
        return filter_state(queryset, self.task, value, self.today)

    @property
    def cleaned(self) -> dict:
        """The valid parameters (a bad ``within`` is a 404 here; a bad state is left out)."""
        self.errors  # noqa: B018 - raises 404 for an organization outside the scope
        return self.form.cleaned_data

    @property
    def subtree(self):
        """The task's visible recipients inside the chosen subtree, in any state."""
        return self.filters["within"].filter(self.queryset.all(), self.cleaned.get("within"))


# --- the recipient's inbox (我的任务) ----------------------------------------------------------


def answering_organizations(request):
    """The organizations the requester answers for (``tasks.change_assignment``)."""
    if request is None:
        return Organization.objects.none()
    return permitted_organizations(request.user, ANSWER)


class InboxFilter(ScopedFilterSet):
    """``org=``: the inbox of one organization the user answers for, with its subtree."""

    org = WithinFilter(label=_("承办组织"), queryset=answering_organizations)

    class Meta:
        model = Assignment
        fields = ["org"]
        form = FilterForm
