"""Forms of the meeting pages. They gather and check input; the services write.

Choices never leave the scope: the organization is fixed by the page (chosen in the nearby
picker among organizations the user may record for), the host and the attendance rows come
from that organization's roster, obligations from that organization.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import BootstrapFormMixin, MultipleFileField, files_help
from bastion.orgs.models.person import MembershipStatus

from .models import (
    MEETING_KIND_CHOICES,
    MEETING_KINDS,
    AttendanceStatus,
    Obligation,
)
from .selectors_meetings import roster

NOT_ATTENDING = ""
ATTENDANCE_CHOICES = [(NOT_ATTENDING, _("不参加")), *AttendanceStatus.choices]
TEXT_LIMITS = {"topic": 200, "place": 100, "lecturer": 50}


def obligation_label(obligation: Obligation) -> str:
    state = _("已完成") if obligation.fulfilled_on else _("未完成")
    return _("%(item)s %(period)s（截止 %(due)s，%(state)s）") % {
        "item": obligation.rule.name,
        "period": obligation.period_label,
        "due": obligation.due_on.isoformat(),
        "state": state,
    }


class MeetingForm(BootstrapFormMixin, forms.Form):
    """A meeting of one organization, with one attendance row per person on its roster."""

    kind = forms.ChoiceField(label=_("会议类型"), choices=MEETING_KIND_CHOICES)
    topic = forms.CharField(label=_("主题"), max_length=TEXT_LIMITS["topic"])
    held_on = forms.DateField(
        label=_("召开日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(label=_("地点"), max_length=TEXT_LIMITS["place"], required=False)
    host = forms.ChoiceField(label=_("主持人"), required=False)
    lecturer = forms.CharField(
        label=_("授课人"),
        max_length=TEXT_LIMITS["lecturer"],
        required=False,
        help_text=_("党课填写授课人，可为本支部以外的人员。"),
    )
    minutes = forms.CharField(
        label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    obligation = forms.ChoiceField(
        label=_("完成的应办事项"),
        required=False,
        help_text=_("留空则按召开日期自动对应本周期（本周期已完成时对应最早一项逾期未办的）。"),
    )
    files = MultipleFileField(label=_("附件（照片、文档）"))

    def __init__(self, *args, organization, meeting=None, attendance=None, **kwargs):
        self.organization = organization
        self.meeting = meeting
        recorded = {a.person_id: a for a in attendance or ()}
        self.people = list(roster(organization, also_ids=recorded))
        self.people_by_id = {str(p.pk): p for p in self.people}
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["host"].choices = [("", _("（未指定）"))] + [
            (str(p.pk), p.name) for p in self.people
        ]
        self.obligations = {str(o.pk): o for o in self._obligation_choices()}
        self.fields["obligation"].choices = [("", _("自动对应"))] + [
            (pk, obligation_label(o)) for pk, o in self.obligations.items()
        ]
        self._add_attendance_fields(recorded)

    def _obligation_choices(self):
        """Open obligations of this organization for meeting kinds, from last year on, plus
        the ones this meeting already fulfils."""
        today = timezone.localdate()
        linked = Q(meeting=self.meeting) if self.meeting else Q(pk__in=[])
        return (
            Obligation.objects.filter(organization=self.organization, kind__in=MEETING_KINDS)
            .filter(
                Q(
                    fulfilled_on__isnull=True,
                    period_start__lte=today,
                    period_start__gte=dt.date(today.year - 1, 1, 1),
                )
                | linked
            )
            .select_related("rule")
            .order_by("-period_start", "rule__sort_order")
        )

    def _add_attendance_fields(self, recorded):
        for person in self.people:
            row = recorded.get(person.pk)
            if row is not None:
                status, reason = row.status, row.reason
            elif self.meeting is None and person.membership_status != MembershipStatus.NONE:
                status, reason = AttendanceStatus.PRESENT, ""
            else:
                status, reason = NOT_ATTENDING, ""
            self.fields[f"att_{person.pk}"] = forms.ChoiceField(
                label=person.name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=status,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"reason_{person.pk}"] = forms.CharField(
                label=_("事由"),
                max_length=200,
                required=False,
                initial=reason,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": _("请假事由")}
                ),
            )

    # The template draws the roster as a table; the main fields come from main_fields.
    @property
    def main_fields(self):
        return [self[name] for name in ("kind", "topic", "held_on", "place", "host", "lecturer")]

    @property
    def roster_rows(self):
        return [
            {"person": p, "status": self[f"att_{p.pk}"], "reason": self[f"reason_{p.pk}"]}
            for p in self.people
        ]

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        today = timezone.localdate()
        if held_on > today:
            raise ValidationError(
                _("召开日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}
            )
        return held_on

    def clean_host(self):
        value = self.cleaned_data.get("host")
        return self.people_by_id.get(value) if value else None

    def clean_obligation(self):
        value = self.cleaned_data.get("obligation")
        return self.obligations.get(value) if value else None

    def clean(self):
        cleaned = super().clean()
        for person in self.people:
            status = cleaned.get(f"att_{person.pk}")
            reason = (cleaned.get(f"reason_{person.pk}") or "").strip()
            if status == AttendanceStatus.LEAVE and not reason:
                self.add_error(f"reason_{person.pk}", _("请假须填写事由。"))
        return cleaned

    def attendance(self) -> list[tuple]:
        rows = []
        for person in self.people:
            status = self.cleaned_data.get(f"att_{person.pk}")
            if status:
                reason = self.cleaned_data.get(f"reason_{person.pk}") or ""
                rows.append((person, status, reason))
        return rows

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("kind", "topic", "held_on", "place", "host", "lecturer", "minutes")
        }
        fields.update(
            attendance=self.attendance(),
            obligation=data.get("obligation"),
            files=data.get("files") or [],
        )
        return fields

    @property
    def attendance_errors(self) -> list[str]:
        return list(getattr(self, "_attendance_errors", []))

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's errors where the person will see them."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for field, messages in exc.message_dict.items():
            if field == "attendance":
                self._attendance_errors = [*self.attendance_errors, *messages]
            elif field in self.fields:
                self.add_error(field, messages)
            else:
                self.add_error(None, messages)


class AttachForm(forms.Form):
    files = MultipleFileField(label=_("上传附件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["class"] = "form-control"
        self.fields["files"].help_text = files_help()

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if not files:
            raise ValidationError(_("请选择要上传的文件。"))
        return files


class ReviewForm(forms.Form):
    APPROVE, RETURN = "approve", "return"
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[(APPROVE, _("通过")), (RETURN, _("退回"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("审核意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("退回时必须填写退回原因。"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("退回时请填写退回原因。"))
        return cleaned


def year_choices(today: dt.date | None = None, span: int = 6):
    today = today or timezone.localdate()
    return [(y, str(y)) for y in range(today.year, today.year - span, -1)]
