"""Pages of meetings (三会一课 and other organisational life): list and review queue, record,
detail with attendance, evidence and quorum, edit, review, files, history, attendance rates.

Every page goes through the scope door; anything outside it is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.alerts import BADGE_CLASS
from bastion.core.history import render_history
from bastion.core.scope import allows, has_permission_anywhere
from bastion.orgs.models import Organization
from bastion.orgs.selectors import default_organization, nearby_choices

from .. import quorum
from .. import selectors_meetings as selectors
from ..filters import MeetingFilter
from ..forms_meetings import AttachForm, MeetingForm, ReviewForm
from ..models import MEETING_KINDS, AlertLevel, Meeting, MeetingAttachment, Obligation
from ..services import meetings as services

PAGE_SIZE = 50


def _int_or_404(value):
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def scoped_meeting(request, pk, action="view") -> Meeting:
    queryset = Meeting.objects.restrict(request.user, action).select_related(
        "organization",
        "host",
        "recorded_by__person__organization",
        "reviewed_by__person__organization",
    )
    return get_object_or_404(queryset, pk=pk)


# --- list -----------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    user = request.user
    data = request.GET.copy()
    unfiltered = "within" not in data and not data.get("all") and not data.get("mine")
    if unfiltered and request.current_org:
        # The organization switcher narrows the list to the chosen subtree by default.
        data["within"] = str(request.current_org.pk)
    visible = Meeting.objects.restrict(user, "view")
    meeting_filter = MeetingFilter(data, queryset=visible, request=request)
    meetings = selectors.with_list_counts(
        meeting_filter.qs.select_related("organization", "host").order_by("-held_on", "-id")
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    lacking = services.lacking_evidence(page.object_list)
    for meeting in page.object_list:
        meeting.lacks_evidence = meeting.pk in lacking
    filters = meeting_filter.form.cleaned_data
    selected = filters.get("within")
    can_review_any = has_permission_anywhere(user, selectors.REVIEW_PERMISSION)
    return render(
        request,
        "agenda/meetings/meeting_list.html",
        {
            "form": meeting_filter.form,
            "page": page,
            "within_options": nearby_choices(user, selected),
            "within_selected": selected.pk if selected else None,
            "mine": bool(filters.get("mine")),
            "can_review_any": can_review_any,
            "queue_count": selectors.review_queue(user, visible).count() if can_review_any else 0,
            "can_add": has_permission_anywhere(user, "agenda.add_meeting"),
        },
    )


# --- create and edit ------------------------------------------------------------------------


def _prefill(request):
    """``?org=&kind=&obligation=``: the organization (in the add scope), kind, obligation."""
    user = request.user
    addable = Organization.objects.permitted(user, "agenda.add_meeting")
    org_id = request.POST.get("organization") or request.GET.get("org")
    org = get_object_or_404(addable, pk=_int_or_404(org_id)) if org_id else None
    obligation = None
    if request.GET.get("obligation"):
        visible = Obligation.objects.restrict(user, "view").filter(kind__in=MEETING_KINDS)
        obligation = get_object_or_404(
            visible.select_related("organization"), pk=_int_or_404(request.GET["obligation"])
        )
        if org is None:
            org = get_object_or_404(addable, pk=obligation.organization_id)
        if obligation.organization_id != org.pk:
            raise Http404
    kind = request.GET.get("kind")
    if obligation is not None:
        kind = obligation.kind
    return org, (kind if kind in MEETING_KINDS else None), obligation


@login_required
def meeting_create(request):
    user = request.user
    if not has_permission_anywhere(user, "agenda.add_meeting"):
        raise Http404
    org, kind, obligation = _prefill(request)
    form = None
    if org is not None:
        initial = {"kind": kind, "held_on": timezone.localdate()}
        if obligation is not None:
            initial["obligation"] = str(obligation.pk)
        form = MeetingForm(
            request.POST or None, request.FILES or None, organization=org, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            try:
                meeting = services.meeting_record(
                    actor=user, organization=org, **form.service_fields()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("已记录会议“%(topic)s”。") % {"topic": meeting.topic})
                return redirect(meeting)
    return render(
        request,
        "agenda/meetings/meeting_form.html",
        {
            "form": form,
            "organization": org,
            "org_options": nearby_choices(user, org, "agenda.add_meeting"),
            "kind": kind,
            "kind_choices": Meeting._meta.get_field("kind").choices,
            "assembly_ratio": quorum.assembly_ratio(),
        },
    )


@login_required
def meeting_edit(request, pk):
    meeting = scoped_meeting(request, pk, "change")
    attendance = list(meeting.attendance.all())
    current = Obligation.objects.filter(meeting=meeting).order_by("period_start").first()
    initial = {
        "kind": meeting.kind,
        "topic": meeting.topic,
        "held_on": meeting.held_on,
        "place": meeting.place,
        "host": str(meeting.host_id) if meeting.host_id else "",
        "lecturer": meeting.lecturer,
        "minutes": meeting.minutes,
        "obligation": str(current.pk) if current else "",
    }
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        organization=meeting.organization,
        meeting=meeting,
        attendance=attendance,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        changes = form.service_fields()
        if changes["obligation"] == current and changes["held_on"] != meeting.held_on:
            # The date moved and the link was left as it was: let the service re-match it.
            del changes["obligation"]
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **changes)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("已保存会议记录，等待上级审核。"))
            return redirect(meeting)
    return render(
        request,
        "agenda/meetings/meeting_form.html",
        {
            "form": form,
            "organization": meeting.organization,
            "meeting": meeting,
            "assembly_ratio": quorum.assembly_ratio(),
        },
    )


# --- detail and review ----------------------------------------------------------------------


def _detail_context(request, meeting: Meeting, *, review_form=None, attach_form=None) -> dict:
    user, org = request.user, meeting.organization
    today = timezone.localdate()
    obligations = [
        {"obligation": o, "level": o.alert(today)}
        for o in meeting.obligations.select_related("rule").order_by("period_start")
    ]
    for row in obligations:
        row["label"] = AlertLevel(row["level"]).label
        row["badge"] = BADGE_CLASS[row["level"]]
    reviewable = selectors.can_review(user, org) and meeting.status == "submitted"
    return {
        "meeting": meeting,
        "attendance": meeting.attendance.select_related("person")
        .annotate(status_order=selectors.ATTENDANCE_ORDER)
        .order_by("status_order", "person__name"),
        "attachments": list(meeting.attachments.all()),
        "obligations": obligations,
        "quorum": quorum.check(meeting),
        "can_change": allows(user, "agenda.change_meeting", org),
        "can_delete": allows(user, "agenda.delete_meeting", org) and meeting.status != "approved",
        "can_review": reviewable,
        # Shown to everyone who sees the record, so the branch knows what holds its review.
        "missing_evidence": services.missing_evidence(meeting)
        if meeting.status == "submitted"
        else "",
        "review_form": review_form or (ReviewForm() if reviewable else None),
        "attach_form": attach_form or AttachForm(),
    }


@login_required
def meeting_detail(request, pk):
    meeting = scoped_meeting(request, pk)
    return render(request, "agenda/meetings/meeting_detail.html", _detail_context(request, meeting))


@login_required
@require_POST
def meeting_review(request, pk):
    meeting = scoped_meeting(request, pk)
    if not selectors.can_review(request.user, meeting.organization):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == ReviewForm.APPROVE
        try:
            services.meeting_review(
                meeting=meeting, actor=request.user, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            done = _("已审核通过。") if approve else _("已退回，支部修改后将重新提交。")
            messages.success(request, done)
            return redirect(meeting)
    context = _detail_context(request, meeting, review_form=form)
    context["can_review"] = True
    return render(request, "agenda/meetings/meeting_detail.html", context)


def _apply(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_POST
def meeting_delete(request, pk):
    meeting = scoped_meeting(request, pk, "delete")
    try:
        services.meeting_delete(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(meeting)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("已删除会议记录，对应的应办事项已重新打开。"))
    return redirect("agenda:meeting_list")


@login_required
def meeting_history(request, pk):
    meeting = scoped_meeting(request, pk, "change")
    return render_history(
        request, meeting, back_url=meeting.get_absolute_url(), title=_("会议记录")
    )


# --- files ----------------------------------------------------------------------------------


@login_required
@require_POST
def meeting_attach(request, pk):
    meeting = scoped_meeting(request, pk, "change")
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = services.meeting_attach(
                meeting=meeting, actor=request.user, files=form.cleaned_data["files"]
            )
        except ValidationError as exc:
            _apply(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("已上传 %(count)s 个附件。") % {"count": len(stored)})
            return redirect(meeting)
    context = _detail_context(request, meeting, attach_form=form)
    return render(request, "agenda/meetings/meeting_detail.html", context)


def _visible_attachment(request, pk, action="view") -> MeetingAttachment:
    visible = Meeting.objects.restrict(request.user, action)
    queryset = MeetingAttachment.objects.filter(meeting__in=visible)
    return get_object_or_404(queryset, pk=pk)


@login_required
def meeting_attachment(request, pk):
    """Download (or, for photos with ``?inline=1``, show) a file: only inside the scope."""
    attachment = _visible_attachment(request, pk)
    return attachment.response(inline=request.GET.get("inline") == "1")


@login_required
@require_POST
def meeting_attachment_delete(request, pk):
    attachment = _visible_attachment(request, pk, "change")
    meeting = attachment.meeting
    try:
        services.meeting_detach(attachment=attachment, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.original_name})
    return redirect(meeting)


# --- attendance rates -----------------------------------------------------------------------


@login_required
def attendance_rates(request):
    user = request.user
    permission = "agenda.view_meeting"
    if request.GET.get("org"):
        visible = Organization.objects.permitted(user, permission)
        org = get_object_or_404(visible, pk=_int_or_404(request.GET["org"]))
    else:
        org = default_organization(user, permission, request.current_org)
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    show = "members" if request.GET.get("show") == "members" else "branches"
    context = {
        "organization": org,
        "org_options": nearby_choices(user, org, permission) if org else [],
        "year": year,
        "years": range(today.year, today.year - 6, -1),
        "show": show,
    }
    if org is not None:
        rates = selectors.attendance_rates(org, year)
        rows = rates["members"] if show == "members" else rates["branches"]
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            totals=rates["totals"],
            page=page,
            rows=[(row, selectors.as_rate_row(row)) for row in page],
        )
    return render(request, "agenda/meetings/attendance_rates.html", context)


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= default + 1 else default
