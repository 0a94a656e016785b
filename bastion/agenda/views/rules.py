"""Pages of the work calendar (一表, 二十四节气表): the year at a glance, each rule's versions,
and the department's edits (create, revise with an effective date, retire, generate a year).

Rules are company-wide: every signed-in user reads them; only root-level holders of
``agenda.change_calendarrule`` (the party-building department) or superusers edit them.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bastion.core.pages import apply_errors
from bastion.core.scope import has_permission_anywhere

from ..calendar_view import describe, term_items, year_calendar
from ..forms_rules import GenerateForm, RetireForm, RuleForm
from ..models import CalendarRule, ItemKind
from ..services import rules as services
from ..services.obligations import rule_versions

NO_EDIT = gettext_lazy("只有公司党建工作部（在顶级组织任职的管理员）可以修改工作日历。")


def _require_editor(request) -> None:
    if not services.can_edit_rules(request.user):
        raise PermissionDenied(NO_EDIT)


def _versions_or_404(code: str) -> list[CalendarRule]:
    versions = list(
        CalendarRule.objects.filter(code=code)
        .select_related("guide", "created_by__person__organization")
        .annotate(obligation_count=Count("obligations"))
        .order_by("-effective_from")
    )
    if not versions:
        raise Http404(code)
    return versions


def _calendar_year(request, today) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if abs(year - today.year) <= 5 else today.year


def _groups(in_force: list[CalendarRule]) -> list[dict]:
    """Rules in force grouped by kind, in the order of ItemKind."""
    by_kind: dict[str, list[CalendarRule]] = defaultdict(list)
    for rule in in_force:
        by_kind[rule.kind].append(describe(rule))
    return [
        {"kind": value, "label": label, "rules": by_kind[value]}
        for value, label in ItemKind.choices
        if by_kind.get(value)
    ]


@login_required
def rule_list(request):
    today = timezone.localdate()
    year = _calendar_year(request, today)
    versions = rule_versions()
    in_force = list(CalendarRule.objects.in_force(today).select_related("guide"))
    active = [rule for rule in in_force if rule.is_active]
    pending = sorted(
        (
            describe(v)
            for rule_list in versions.values()
            for v in rule_list
            if v.effective_from > today
        ),
        key=lambda v: (v.effective_from, v.sort_order),
    )
    user = request.user
    return render(
        request,
        "agenda/rules/rule_list.html",
        {
            "today": today,
            "year": year,
            "years": [year - 1, year + 1],
            "groups": _groups(sorted(active, key=lambda r: (r.sort_order, r.code))),
            "retired": [describe(r) for r in in_force if not r.is_active],
            "pending": pending,
            "months": year_calendar(year, versions),
            "term_items": term_items(versions, today),
            "can_edit": services.can_edit_rules(user),
            "can_generate": has_permission_anywhere(user, "agenda.generate_obligation"),
            "generate_form": GenerateForm(),
        },
    )


@login_required
def rule_detail(request, code):
    today = timezone.localdate()
    versions = [describe(v) for v in _versions_or_404(code)]
    current = next((v for v in versions if v.effective_from <= today), None)
    return render(
        request,
        "agenda/rules/rule_detail.html",
        {
            "rule": current or versions[-1],
            "current": current,
            "versions": versions,
            "newest": versions[0],
            "today": today,
            "can_edit": services.can_edit_rules(request.user),
        },
    )


@login_required
def rule_create(request):
    _require_editor(request)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.rule_create(
                actor=request.user,
                effective_from=form.cleaned_data["effective_from"],
                **form.payload(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _report(request, _("已新建日历事项“%(name)s”。") % {"name": rule.name}, rule)
            return redirect("agenda:rule_detail", code=rule.code)
    return render(request, "agenda/rules/rule_form.html", {"form": form})


@login_required
def rule_edit(request, code):
    _require_editor(request)
    newest = _versions_or_404(code)[0]
    form = RuleForm(request.POST or None, rule=newest)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.rule_revise(
                rule=newest,
                actor=request.user,
                effective_from=form.cleaned_data["effective_from"],
                **form.payload(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            message = _("已保存“%(name)s”自 %(date)s 起生效的版本。") % {
                "name": version.name,
                "date": version.effective_from.isoformat(),
            }
            _report(request, message, version)
            return redirect("agenda:rule_detail", code=code)
    return render(request, "agenda/rules/rule_form.html", {"form": form, "rule": newest})


@login_required
def rule_retire(request, code):
    _require_editor(request)
    newest = _versions_or_404(code)[0]
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.rule_retire(
                rule=newest, actor=request.user, effective_from=form.cleaned_data["effective_from"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            message = _("“%(name)s”自 %(date)s 起停用。") % {
                "name": version.name,
                "date": version.effective_from.isoformat(),
            }
            _report(request, message, version)
            return redirect("agenda:rule_detail", code=code)
    return render(request, "agenda/rules/rule_retire.html", {"form": form, "rule": newest})


def _report(request, message: str, rule: CalendarRule) -> None:
    result = getattr(rule, "regenerated", None)
    if result is not None:
        message += " " + _(
            "应办事项：新增 %(created)s 条，重新排定 %(updated)s 条，移除 %(removed)s 条。"
        ) % {"created": result.created, "updated": result.updated, "removed": result.removed}
    messages.success(request, message)


@login_required
@require_POST
def obligations_generate(request):
    if not has_permission_anywhere(request.user, "agenda.generate_obligation"):
        raise PermissionDenied(_("您无权生成应办事项。"))
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要生成的年度。"))
        return redirect("agenda:rule_list")
    year = form.cleaned_data["year"]
    try:
        result = services.obligations_generate(actor=request.user, year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("agenda:rule_list")
    messages.success(
        request,
        _(
            "已生成 %(year)s 年应办事项：新增 %(created)s 条，更新 %(updated)s 条，"
            "关联已有记录 %(fulfilled)s 条。"
        )
        % {
            "year": year,
            "created": result.created,
            "updated": result.updated,
            "fulfilled": result.fulfilled,
        },
    )
    return redirect(reverse("agenda:rule_list") + f"?year={year}")
