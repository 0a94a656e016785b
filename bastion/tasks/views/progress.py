"""One-click progress (一键统计进度) of one task: the issuer's view of every recipient.

Scope: the task must be visible to the user (``Task.objects.restrict(user, "view")``), else 404;
the rows are the task's assignments the user may see (``Assignment.objects.restrict``). The
one-click reminder needs ``tasks.dispatch_task`` and the export ``tasks.export_task`` on the
issuer (404 otherwise). ``?within=`` narrows to a subtree of the issuer (404 outside it),
``?state=`` to a state (or 逾期未反馈 / 逾期反馈), ``?sort=`` orders the recipients table.
Every page costs the same number of queries for 5 recipients or 3,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.excel import XLSX_CONTENT_TYPE
from bastion.core.pages import CountedPaginator
from bastion.core.scope import allows
from bastion.orgs.models import Organization
from bastion.orgs.selectors import breadcrumb

from .. import selectors
from ..exports import export_feedback_filename, export_feedback_xlsx
from ..filters import ProgressFilter
from ..models import Assignment, AssignmentState, Task, TaskStatus
from ..selectors_progress import (
    BADGE,
    DEFAULT_SORT,
    SORTS,
    STATE_FILTERS,
    breakdown,
    late_rows,
    parent_names,
    sorted_rows,
    within_choices,
)
from ..selectors_tally import tally_for
from ..selectors_totals import field_totals, totalled_fields
from ..services import flow, notify

PAGE_SIZE = 50
LATE_LIST_SIZE = 20
STATE_LABELS = dict(AssignmentState.choices)
GROUP_KINDS = {"group"}  # shown with the branch above them: every branch has a 第一党小组


@dataclass
class Filters:
    within: Organization | None  # None: the whole task (the issuer's subtree)
    state: str
    sort: str
    filterset: ProgressFilter = field(repr=False, compare=False)

    @property
    def rows(self):
        """The task's assignments the user may see, inside the chosen subtree (any state)."""
        return self.filterset.subtree

    @property
    def listed(self):
        """The same rows in the chosen state: the recipients table and the export."""
        return self.filterset.qs

    def params(self, **changes) -> dict:
        params = {
            "within": self.within.pk if self.within else "",
            "state": self.state,
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        params.update(changes)
        return {k: v for k, v in params.items() if v not in (None, "")}

    def query(self, **changes) -> str:
        params = self.params(**changes)
        return "?" + urlencode(params) if params else ""


def _reverse(name: str, *args) -> str:
    """A link to a page another area owns; empty while that page is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _url_maker(name: str):
    """``pk -> url`` for a page with one integer argument: reversed once, not once a row."""
    sentinel = 2147483647
    pattern = _reverse(name, sentinel)
    if not pattern:
        return lambda pk: ""
    head, tail = pattern.rsplit(str(sentinel), 1)
    return lambda pk: f"{head}{pk}{tail}"


def scoped_task(request, pk: int, action: str = "view") -> Task:
    queryset = Task.objects.restrict(request.user, action).select_related("issuer")
    return get_object_or_404(queryset, pk=pk)


def read_filters(request, task: Task, data) -> Filters:
    """The filters of the query string (``ProgressFilter``, as the API and the export read
    them); a subtree outside the issuer's answers 404, an unknown state is left out."""
    filterset = ProgressFilter(data, task=task, request=request)
    cleaned = filterset.cleaned
    within = cleaned.get("within")
    if within is not None and within.pk == task.issuer_id:
        within = None
    sort = data.get("sort") or DEFAULT_SORT
    return Filters(
        within=within,
        state=cleaned.get("state") or "",
        sort=sort if sort in SORTS else DEFAULT_SORT,
        filterset=filterset,
    )


def counts_context(task: Task, progress, filters: Filters) -> dict:
    base = reverse("tasks:progress", args=[task.pk])
    cards = [
        {
            "state": state,
            "label": label,
            "count": progress.by_state.get(state, 0),
            "badge": BADGE[state],
            "url": base + filters.query(state=state, page=""),
        }
        for state, label in AssignmentState.choices
    ]
    chart = [{"name": str(c["label"]), "value": c["count"], "state": c["state"]} for c in cards]
    return {
        "task": task,
        "progress": progress,
        "state_cards": cards,
        "chart": chart,
        "overdue_url": base + filters.query(state="overdue"),
        "late_url": base + filters.query(state="late"),
        "counts_url": reverse("tasks:progress_counts", args=[task.pk]) + filters.query(),
        "is_overdue": timezone.localdate() > task.due_on,
    }


@login_required
def progress_view(request, pk: int):
    task = scoped_task(request, pk)
    filters = read_filters(request, task, request.GET)
    today = timezone.localdate()
    rows = filters.rows
    node = filters.within or task.issuer
    # The stored figures when the reader sees the whole subtree; else count what they see.
    tally = tally_for(request.user, task, node, today)
    progress = (
        tally.progress() if tally else selectors.progress(task, assignments=rows, today=today)
    )
    base = reverse("tasks:progress", args=[task.pk])

    listed = sorted_rows(filters.listed, filters.sort)
    if tally:
        paginator = CountedPaginator(listed, PAGE_SIZE, count=tally.count(filters.state))
    else:
        paginator = Paginator(listed, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    assignment_url = _url_maker("tasks:assignment_detail")
    late = late_rows(rows, task, today, LATE_LIST_SIZE)
    _mark_unreachable(task, late)
    shown = [*page, *late]
    parents = parent_names(shown)
    for row in shown:
        _decorate(row, assignment_url, parents)
    read = notify.dispatch_receipts(task, [row.pk for row in page])  # 已读/未读: one query
    for row in page:
        row.receipt = read.get(row.pk)
    fields = totalled_fields(task)
    parts = tally.breakdown(fields) if tally else breakdown(rows, task, node, today, fields)
    for part in parts:
        part.drill_url = "" if part.own else base + filters.query(within=part.org.pk, page="")
    visible_orgs = Organization.objects.restrict(request.user, "view")
    crumbs = [
        {"org": org, "url": base + filters.query(within=org.pk, page="")}
        for org in (breadcrumb(node, visible_orgs) if filters.within else [])
        if org.path.startswith(task.issuer.path)
    ]
    context = counts_context(task, progress, filters)
    context.update(
        filters=filters,
        node=node,
        crumbs=crumbs,
        choices=within_choices(visible_orgs, task, filters.within),
        state_filters=STATE_FILTERS,
        page=page,
        sort_links=_sort_links(base, filters),
        late=late,
        breakdown=parts,
        totalled_fields=fields,
        field_totals=tally.field_totals(fields) if tally else field_totals(rows, fields),
        states=AssignmentState.choices,
        task_url=_reverse("tasks:task_detail", task.pk),
        can_remind=task.status == TaskStatus.DISPATCHED
        and allows(request.user, "tasks.dispatch_task", task.issuer),
        can_export=allows(request.user, "tasks.export_task", task.issuer),
        export_url=reverse("tasks:progress_export", args=[task.pk]) + filters.query(),
        remind_url=reverse("tasks:progress_remind", args=[task.pk]),
    )
    return render(request, "tasks/progress/progress.html", context)


def _mark_unreachable(task: Task, late: list[Assignment]) -> None:
    """Late recipients nobody can be told about (no account holds a role that answers the
    task): a 催办 would not reach them, so the list says so before anyone clicks."""
    if not late:
        return
    rows = Assignment.objects.filter(pk__in=[row.pk for row in late])
    nobody = {org_id for org_id, _name in notify.unreachable_recipients(task, rows)}
    for row in late:
        row.unreachable = row.organization_id in nobody


def _decorate(row: Assignment, assignment_url, parents: dict[str, str]) -> None:
    org = row.organization
    row.parent_name = parents.get(org.path[: -Organization.steplen], "")
    row.is_group = org.kind in GROUP_KINDS
    row.state_label = STATE_LABELS.get(row.state, row.state)
    row.badge = BADGE.get(row.state, "bg-secondary-lt")
    row.url = assignment_url(row.pk)


def _sort_links(base: str, filters: Filters) -> dict:
    """Column headers toggle between ascending and descending."""
    links = {}
    for key in ("state", "submitted"):
        target = f"-{key}" if filters.sort == key else key
        links[key] = {
            "url": base + filters.query(sort=target, page=""),
            "active": filters.sort.lstrip("-") == key,
            "descending": filters.sort == f"-{key}",
        }
    links["org"] = {"url": base + filters.query(sort="", page=""), "active": filters.sort == "org"}
    return links


@login_required
def progress_counts(request, pk: int):
    """The headline counts alone: the page polls it every 30 seconds (htmx)."""
    task = scoped_task(request, pk)
    filters = read_filters(request, task, request.GET)
    today = timezone.localdate()
    tally = tally_for(request.user, task, filters.within or task.issuer, today)
    if tally:
        progress = tally.progress()
    else:
        progress = selectors.progress(task, assignments=filters.rows, today=today)
    context = counts_context(task, progress, filters)
    return render(request, "tasks/progress/_counts.html", context)


@login_required
@require_POST
def progress_remind(request, pk: int):
    """一键催办: a reminder to every recipient still owing an answer past the due date;
    with ``kind=due``, 一键提醒: before the deadline, to every recipient yet to answer."""
    task = scoped_task(request, pk, "dispatch")
    filters = read_filters(request, task, request.POST)
    back = reverse("tasks:progress", args=[task.pk]) + filters.query()
    if task.status != TaskStatus.DISPATCHED:
        messages.error(request, _("工作单未派发或已结束，不能催办。"))
        return redirect(back)
    if request.POST.get("kind") == "due":  # 一键提醒, before the deadline
        unreachable = notify.unreachable_recipients(task, notify.due_assignments(task))
        count = notify.task_remind_due(actor=request.user, task=task)
        if count:
            messages.success(request, _("已向 %(n)s 个未反馈组织发送提醒。") % {"n": count})
        else:
            messages.info(request, _("当前没有需要提醒的组织。"))
    else:
        unreachable = notify.unreachable_recipients(task, flow.late_assignments(task))
        count = flow.task_remind_late(task=task, actor=request.user)
        if count:
            messages.success(request, _("已向 %(n)s 个逾期组织发送催办。") % {"n": count})
        else:
            messages.info(request, _("当前没有逾期未反馈的组织，无需催办。"))
    if unreachable:
        messages.warning(request, notify.unreachable_message(unreachable))
    return redirect(back)


@login_required
def progress_export(request, pk: int):
    """All feedback as Excel, one row per recipient the user may see, with the page's filters."""
    task = scoped_task(request, pk, "export")
    filters = read_filters(request, task, request.GET)
    data = export_feedback_xlsx(task, filters.listed, actor=request.user)
    return HttpResponse(
        data,
        content_type=XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(True, export_feedback_filename(task))
        },
    )
