"""Forms of the problem pages: they gather input, the services (``services/filing.py``,
``services/rectify.py``) check the rules and write. Choice lists never leave the scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import (
    BootstrapFormMixin,
    MultipleFileField,
    OrganizationChoiceField,
    OrganizationMultipleChoiceField,
    PersonChoiceField,
    files_help,
)
from bastion.orgs.selectors import nearby_choices

from .models import Category, Inspection, InspectionKind, Library, Source, Tier

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _org_field(label, required=True):
    return OrganizationChoiceField(label=label, required=required)


def _set_org_choices(field, user, permission, selected=()):
    """Accept the organizations where ``user`` holds ``permission``; show the nearby ones."""
    anchor = next(iter(selected), None)
    options = [o for o in nearby_choices(user, anchor, permission) if o.is_active]
    field.offer(user, permission, options, selected)


class InspectionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("检查方式"), choices=InspectionKind.choices)
    title = forms.CharField(label=_("检查名称"), max_length=200)
    inspecting_org = _org_field(_("检查组织"))
    team = forms.CharField(label=_("检查组成员"), max_length=300, required=False)
    inspected = OrganizationMultipleChoiceField(
        label=_("被检查组织"), error_messages={"required": _("请至少选择一个被检查组织。")}
    )
    held_on = forms.DateField(label=_("检查日期"), **DATE)
    unannounced = forms.BooleanField(label=_("不打招呼"), required=False)
    checklist = forms.CharField(
        label=_("检查清单"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项，可留空。"),
    )
    summary = forms.CharField(
        label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, inspection=None, **kwargs):
        if inspection is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "kind": inspection.kind,
                "title": inspection.title,
                "inspecting_org": inspection.inspecting_org_id,
                "team": inspection.team,
                "inspected": [o.pk for o in inspection.inspected.all()],
                "held_on": inspection.held_on,
                "unannounced": inspection.unannounced,
                "checklist": "\n".join(inspection.checklist or []),
                "summary": inspection.summary,
            }
        super().__init__(*args, **kwargs)
        permission = "problems.change_inspection" if inspection else "problems.add_inspection"
        selected = [inspection.inspecting_org] if inspection else []
        _set_org_choices(self.fields["inspecting_org"], user, permission, selected)
        inspected = list(inspection.inspected.all()) if inspection else []
        _set_org_choices(self.fields["inspected"], user, permission, selected + inspected)
        self.fields["inspected"].widget.attrs["size"] = 8

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["checklist"] = [
            line.strip() for line in (data.get("checklist") or "").splitlines() if line.strip()
        ]
        data["inspected"] = list(data["inspected"])
        return data


class ProblemForm(BootstrapFormMixin, forms.Form):
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    organization = _org_field(_("问题所在组织"))
    inspection = forms.ModelChoiceField(
        label=_("来源检查"),
        queryset=Inspection.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("所选检查不在您的管理范围内。")},
    )
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.MANUAL)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    tier = forms.TypedChoiceField(label=_("问题层次"), choices=Tier.choices, coerce=int)
    library = forms.ChoiceField(
        label=_("问题库"),
        choices=[("", _("按问题层次自动确定")), *Library.choices],
        required=False,
        help_text=_("层次1、2→基层支部问题库；3→县公司党委问题库；4→上报上级党委。"),
    )
    found_on = forms.DateField(label=_("发现日期"), **DATE)
    responsible_org = _org_field(_("责任组织"))
    responsible_person = PersonChoiceField(
        label=_("责任人"),
        required=False,
        error_messages={"invalid_choice": _("所选责任人不在您的管理范围内。")},
    )
    measures = forms.CharField(
        label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("整改时限"), **DATE)

    def __init__(self, *args, user, problem=None, inspection=None, **kwargs):
        if problem is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                key: getattr(problem, key + "_id", None) if key in FK else getattr(problem, key)
                for key in self.base_fields
            }
        super().__init__(*args, **kwargs)
        permission = "problems.change_problem" if problem else "problems.add_problem"
        selected = [problem.organization, problem.responsible_org] if problem else []
        if inspection is not None:
            selected = list(inspection.inspected.all())
            self.fields["inspection"].initial = inspection.pk
            self.fields["source"].initial = Source.INSPECTION
            if len(selected) == 1:
                self.fields["organization"].initial = selected[0].pk
                self.fields["responsible_org"].initial = selected[0].pk
        _set_org_choices(self.fields["organization"], user, permission, selected)
        _set_org_choices(self.fields["responsible_org"], user, permission, selected)
        inspections = Inspection.objects.restrict(user, "view")
        self.fields["inspection"].queryset = inspections
        shown = list(inspections.order_by("-held_on", "-id")[:50])
        current = inspection or (problem.inspection if problem else None)
        if current is not None and current not in shown:
            shown.insert(0, current)
        self.fields["inspection"].widget.choices = [
            ("", _("无")),
            *((i.pk, f"{i.held_on:%Y-%m-%d} {i.title}") for i in shown),
        ]
        self.fields["responsible_person"].offer(user)
        anchor = problem.responsible_org if problem else (selected[0] if selected else None)
        roster = []
        if anchor is not None:
            from .services.filing import responsible_people

            roster = list(responsible_people(anchor).restrict(user, "view")[:200])
        if (
            problem is not None
            and problem.responsible_person
            and problem.responsible_person not in roster
        ):
            roster.insert(0, problem.responsible_person)
        self.fields["responsible_person"].widget.choices = [
            ("", _("请选择")),
            *((p.pk, p.name) for p in roster),
        ]
        self.fields["responsible_person"].help_text = _(
            "名单为责任组织的人员；更换责任组织后请保存再选择责任人。"
        )

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


FK = {"organization", "inspection", "responsible_org", "responsible_person"}


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=500, required=False)
    files = MultipleFileField(label=_("整改佐证"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()
