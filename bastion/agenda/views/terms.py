"""Pages for committee terms (换届): every organization's term and colour, recording an
election, an election's record, and the term rules (length, reminder) as data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.pages import apply_errors
from bastion.core.scope import grant, subtree_q
from bastion.orgs.models import CommitteeMember, Organization, Person
from bastion.orgs.models.organization import OrganizationKind
from bastion.orgs.models.person import MembershipStatus
from bastion.orgs.selectors import nearby_choices, secretaries_of

from .. import selectors_terms as selectors
from ..filters import TermFilter
from ..forms_terms import ElectionForm, TermRuleForm
from ..models import Election, TermRule
from ..services import terms as services

PAGE_SIZE = 50


@login_required
def term_list(request):
    today = timezone.localdate()
    rules = selectors.term_rules_in_force(today)
    data = request.GET.copy()
    if "within" not in data and request.current_org and not data.get("all"):
        # The organization switcher narrows the list to the chosen subtree by default.
        data["within"] = str(request.current_org.pk)
    queryset = selectors.term_organizations(request.user, rules, today)
    term_filter = TermFilter(data, queryset=queryset, request=request)
    queryset = term_filter.qs.order_by("term_rank", "term_ends_on", "term_started_on", "path")
    within = term_filter.form.cleaned_data.get("within")
    colour = term_filter.form.cleaned_data.get("colour") or ""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    selectors.decorate(rows, rules, today)
    secretaries = secretaries_of([org.pk for org in rows])
    can_record = grant(request.user, "agenda.add_election")
    for org in rows:
        org.secretary = secretaries.get(org.pk)
        org.can_record = can_record.covers(org)
    return render(
        request,
        "agenda/terms/term_list.html",
        {
            "page": page,
            "rows": rows,
            "today": today,
            "rules": sorted(rules.values(), key=lambda r: r.org_kind),
            "within_options": nearby_choices(request.user, within),
            "within_selected": within.pk if within else None,
            "colour": colour,
            "colours": [
                ("red", _("红色告警：已届满未换届")),
                ("yellow", _("黄色提醒：临近届满")),
                ("green", _("绿色：任期内")),
                ("unknown", _("未登记任期")),
            ],
            "can_edit_rules": services.can_edit_term_rules(request.user),
        },
    )


def _roster(user, organization):
    """Full members of the organization and its subtree that the user can see."""
    return (
        Person.objects.restrict(user, "view")
        .filter(subtree_q("organization__path", organization.path))
        .filter(membership_status=MembershipStatus.FULL)
        .select_related("organization")
        .order_by("organization__path", "name", "pk")
    )


@login_required
def election_create(request, pk):
    organization = get_object_or_404(
        Organization.objects.permitted(request.user, "agenda.add_election"), pk=pk
    )
    today = timezone.localdate()
    rule = services.term_rule_for(organization.kind, today)
    seats = dict(
        CommitteeMember.objects.filter(organization=organization).values_list(
            "person_id", "position"
        )
    )
    form = ElectionForm(
        request.POST or None,
        roster=_roster(request.user, organization),
        seats=seats,
        default_years=rule.years if rule else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = services.election_record(
                actor=request.user,
                organization=organization,
                held_on=data["held_on"],
                approved_on=data["approved_on"],
                approval_ref=data["approval_ref"],
                term_years=data["term_years"],
                elected=form.elected(),
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您无权执行此操作。"))
        else:
            messages.success(
                request,
                _("已登记换届选举，新一届任期 %(start)s 至 %(end)s。")
                % {
                    "start": election.term_starts_on.isoformat(),
                    "end": election.term_ends_on.isoformat(),
                },
            )
            return redirect("agenda:election_detail", pk=election.pk)
    return render(
        request,
        "agenda/terms/election_form.html",
        {"form": form, "org": organization, "rule": rule},
    )


@login_required
def election_detail(request, pk):
    election = get_object_or_404(
        Election.objects.restrict(request.user, "view").select_related(
            "organization", "recorded_by__person__organization"
        ),
        pk=pk,
    )
    return render(
        request,
        "agenda/terms/election_detail.html",
        {
            "election": election,
            "org": election.organization,
            "elected": election.elected.select_related("person__organization").order_by(
                "position", "person__name"
            ),
            "obligations": election.obligations.order_by("period_start"),
        },
    )


@login_required
def term_rules(request):
    today = timezone.localdate()
    current = {rule.org_kind: rule.pk for rule in selectors.term_rules_in_force(today).values()}
    versions = list(TermRule.objects.order_by("org_kind", "-effective_from"))
    for rule in versions:
        rule.is_current = current.get(rule.org_kind) == rule.pk
        rule.is_pending = rule.effective_from > today
    kinds = [
        (value, label)
        for value, label in OrganizationKind.choices
        if value != OrganizationKind.GROUP
    ]
    return render(
        request,
        "agenda/terms/term_rules.html",
        {
            "versions": versions,
            "kinds": kinds,
            "can_edit": services.can_edit_term_rules(request.user),
        },
    )


@login_required
def term_rule_edit(request, kind):
    if kind not in OrganizationKind.values or kind == OrganizationKind.GROUP:
        raise Http404(kind)
    if not services.can_edit_term_rules(request.user):
        raise PermissionDenied(_("只有公司党建工作部可以修改任期规则。"))
    newest = TermRule.objects.filter(org_kind=kind).order_by("-effective_from").first()
    form = TermRuleForm(request.POST or None, rule=newest)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.term_rule_revise(actor=request.user, org_kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "已保存%(kind)s任期规则：%(years)s 年，"
                    "提前 %(months)s 个月提醒，%(date)s 起施行。"
                )
                % {
                    "kind": rule.get_org_kind_display(),
                    "years": rule.years,
                    "months": rule.remind_months,
                    "date": rule.effective_from.isoformat(),
                },
            )
            return redirect("agenda:term_rules")
    return render(
        request,
        "agenda/terms/term_rule_form.html",
        {"form": form, "kind_label": OrganizationKind(kind).label, "newest": newest},
    )
