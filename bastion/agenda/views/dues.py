"""Dues pages (党费收缴): a branch's ledger, its yearly profiles, recording payments, the totals
of each subtree and a quote of the amount for a base. Excel pages are in ``dues_excel``.

Every page goes through the scope door: the branch or node must lie inside the viewer's grant
for the page's permission, else 404. A member without such a grant sees their own row only.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.scope import allows, has_permission_anywhere, subtree_q
from bastion.orgs.models import Organization, Person
from bastion.orgs.selectors import default_organization, nearby_choices

from .. import dues_math
from ..forms_dues import PaymentForm, ProfilesForm, QuoteForm
from ..models import DuesPayment, DuesProfile, Obligation
from ..selectors_dues import (
    ALARM_TEXT,
    STATUS_CLASS,
    STATUS_LABELS,
    build_ledger,
    ledger_people,
    missed_months_alarm_threshold,
    subtree_dues_totals,
)
from ..services import dues as services
from ..services.dues_fulfilment import collecting_branch, dues_roster_q

VIEW = "agenda.view_duespayment"


# --- choosing the branch and the year ---------------------------------------------------------


def selected_year(request) -> int:
    try:
        return services.parse_year(request.GET.get("year") or timezone.localdate().year)
    except ValidationError:
        return timezone.localdate().year


def year_choices(year: int) -> list[int]:
    this_year = timezone.localdate().year
    return list(range(min(year, this_year - 4), this_year + 2))


def requested_org(request) -> Organization | None:
    """The ``org`` of the query (or form), among the organizations the user may see; 404 else."""
    raw = request.POST.get("org") or request.GET.get("org")
    if not raw:
        return None
    if not str(raw).isdigit():
        raise Http404
    return get_object_or_404(Organization.objects.restrict(request.user, "view"), pk=raw)


def scoped_org(request, permission: str, *, branch: bool) -> Organization:
    """The chosen organization, inside ``permission``'s grant (404 otherwise). With ``branch``
    a party group stands for the branch that collects its dues."""
    user = request.user
    org = requested_org(request) or default_organization(user, permission, request.current_org)
    if org is None:
        raise Http404
    if branch:
        org = collecting_branch(org)
    if not allows(user, permission, org):
        raise Http404
    return org


def own_member(user) -> Person | None:
    person = Person.objects.filter(user=user).select_related("organization").first()
    return person if person is not None and services.is_member(person) else None


def ledger_url(branch: Organization, year: int) -> str:
    return f"{reverse('agenda:dues_ledger')}?{urlencode({'org': branch.pk, 'year': year})}"


# --- the ledger -------------------------------------------------------------------------------


@login_required
def dues_ledger(request):
    user, today, year = request.user, timezone.localdate(), selected_year(request)
    requested = requested_org(request)
    chosen = requested or default_organization(user, VIEW, request.current_org)
    branch = collecting_branch(chosen) if chosen else None
    visible_people = Person.objects.restrict(user, "view")
    if branch is not None and allows(user, VIEW, branch):
        own_only, people = False, ledger_people(branch, year, visible_people)
    else:
        person = own_member(user)
        if person is None:
            raise Http404
        own_branch = collecting_branch(person.organization)
        if requested is not None and branch != own_branch:
            raise Http404
        own_only, branch = True, own_branch
        people = visible_people.filter(pk=person.pk)
    ledger = build_ledger(
        branch=branch,
        year=year,
        people=people,
        profiles=DuesProfile.objects.restrict(user, "view"),
        payments=DuesPayment.objects.restrict(user, "view"),
        obligations=Obligation.objects.restrict(user, "view"),
        today=today,
    )
    return render(
        request,
        "agenda/dues/ledger.html",
        {
            "ledger": ledger,
            "branch": branch,
            "year": year,
            "years": year_choices(year),
            "own_only": own_only,
            "org_options": [] if own_only else nearby_choices(user, branch),
            "alarm_text": ALARM_TEXT % {"n": ledger.threshold},
            "legend": [(STATUS_LABELS[s], STATUS_CLASS[s]) for s in STATUS_LABELS],
            "can_add": allows(user, "agenda.add_duespayment", branch),
            "can_profiles": allows(user, "agenda.change_duesprofile", branch),
            "can_import": has_permission_anywhere(user, "agenda.import_duespayment"),
            "can_export": not own_only,
        },
    )


# --- profiles ---------------------------------------------------------------------------------


@login_required
def dues_profiles(request):
    user, year = request.user, selected_year(request)
    if request.method == "POST":
        try:
            year = services.parse_year(request.POST.get("year") or year)
        except ValidationError as exc:
            raise Http404 from exc
    branch = scoped_org(request, "agenda.change_duesprofile", branch=True)
    members = list(
        Person.objects.restrict(user, "view")
        .filter(dues_roster_q(branch))
        .select_related("organization")
        .order_by("organization__path", "name", "pk")
    )
    found = DuesProfile.objects.restrict(user, "view").filter(
        person__in=[p.pk for p in members], year__in=[year, year - 1]
    )
    profiles, previous = {}, {}
    for profile in found:
        (profiles if profile.year == year else previous)[profile.person_id] = profile
    form = ProfilesForm(request.POST or None, members=members, profiles=profiles, previous=previous)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.profiles_set_many(actor=user, year=year, entries=form.entries())
        except ValidationError as exc:
            form.apply_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request,
                _("已保存%(year)d年党费标准，%(n)d人有变化。") % {"year": year, "n": changed},
            )
            return redirect(f"{reverse('agenda:dues_profiles')}?org={branch.pk}&year={year}")
    return render(
        request,
        "agenda/dues/profiles.html",
        {
            "form": form,
            "branch": branch,
            "year": year,
            "years": year_choices(year),
            "org_options": nearby_choices(user, branch),
            "on": dt.date(year, 1, 1),
        },
    )


@login_required
def dues_quote(request):
    """The amount for a category and base: a page, or an htmx fragment for the profiles form
    (``prefix=p12`` reads the fields ``p12-category`` and ``p12-base``)."""
    user = request.user
    if not has_permission_anywhere(user, "agenda.view_duesprofile") and not own_member(user):
        raise Http404
    prefix = request.GET.get("prefix", "")
    name = f"{prefix}-" if prefix else ""
    category = request.GET.get(f"{name}category", "")
    base = request.GET.get(f"{name}base", "")
    year = selected_year(request)
    amount = bracket = problem = None
    if category:
        try:
            amount, bracket = dues_math.quote(category, base, dt.date(year, 1, 1))
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    context = {"amount": amount, "bracket": bracket, "problem": problem, "year": year}
    if request.htmx:
        return render(request, "agenda/dues/_quote.html", context)
    form = QuoteForm(request.GET or None)
    return render(request, "agenda/dues/quote.html", {**context, "form": form})


# --- payments ---------------------------------------------------------------------------------


@login_required
def dues_payment_add(request):
    user = request.user
    branch = scoped_org(request, "agenda.add_duespayment", branch=True)
    members = (
        Person.objects.restrict(user, "view")
        .filter(dues_roster_q(branch))
        .select_related("organization")
        .order_by("name", "pk")
    )
    initial = {k: request.GET[k] for k in ("person", "month") if request.GET.get(k)}
    form = PaymentForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = record_payments(request, form)
        if saved:
            return redirect(ledger_url(branch, saved[0].month.year))
    person = _selected_person(form, members, request)
    return render(
        request,
        "agenda/dues/payment_form.html",
        {
            "form": form,
            "branch": branch,
            "org_options": nearby_choices(user, branch),
            "person": person,
            "recent": _recent_payments(user, person),
            "can_delete": allows(user, "agenda.delete_duespayment", branch),
        },
    )


def record_payments(request, form: PaymentForm) -> list[DuesPayment]:
    """Record the form's month or quarter; on refusal put the reasons on the form."""
    data = form.cleaned_data
    person, month = data["person"], data["month"]
    profile = DuesProfile.objects.filter(person=person, year=month.year).first()
    try:
        amount = form.amount_for(profile)
        if data["mode"] == PaymentForm.QUARTER:
            saved = services.payment_record_quarter(
                actor=request.user,
                person=person,
                year=month.year,
                quarter=(month.month - 1) // 3 + 1,
                amount=amount,
                paid_on=data["paid_on"],
            )
        else:
            saved = [
                services.payment_record(
                    actor=request.user,
                    person=person,
                    month=month,
                    amount=amount,
                    paid_on=data["paid_on"],
                )
            ]
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field, errors)
        else:
            form.add_error(None, exc.messages)
        return []
    except PermissionDenied as exc:
        raise Http404 from exc
    labels = "、".join(f"{p.month:%Y-%m}" for p in saved)
    messages.success(
        request, _("已登记“%(name)s”%(months)s的党费。") % {"name": person.name, "months": labels}
    )
    return saved


def _selected_person(form, members, request) -> Person | None:
    raw = form["person"].value()
    if not raw or not str(raw).isdigit():
        return None
    return next((p for p in members.filter(pk=raw)), None)


def _recent_payments(user, person: Person | None) -> list[DuesPayment]:
    if person is None:
        return []
    year = timezone.localdate().year
    return list(
        DuesPayment.objects.restrict(user, "view")
        .filter(person=person, month__year__gte=year - 1)
        .select_related("organization")
        .order_by("-month")
    )


@login_required
@require_POST
def dues_payment_delete(request, pk):
    payment = get_object_or_404(
        DuesPayment.objects.restrict(request.user, "delete").select_related(
            "person__organization", "organization"
        ),
        pk=pk,
    )
    name, month, branch = payment.person.name, payment.month, payment.organization
    services.payment_delete(actor=request.user, payment=payment)
    messages.success(
        request,
        _("已删除“%(name)s”%(month)s的党费记录。") % {"name": name, "month": f"{month:%Y-%m}"},
    )
    return redirect(ledger_url(branch, month.year))


# --- totals per subtree -----------------------------------------------------------------------


@login_required
def dues_totals(request):
    user, today, year = request.user, timezone.localdate(), selected_year(request)
    node = scoped_org(request, VIEW, branch=False)
    visible = Organization.objects.restrict(user, "view")
    children = list(
        visible.filter(subtree_q("path", node.path), depth=node.depth + 1).order_by("path")
    )
    threshold = missed_months_alarm_threshold(today)
    totals = subtree_dues_totals(node, year, today, threshold)
    rows = []
    if node.path in totals:
        rows.append({"org": node, "own": True, **totals[node.path]})
    rows += [{"org": child, "own": False, **totals.get(child.path, _empty())} for child in children]
    grand = _empty()
    for row in rows:
        for key in grand:
            grand[key] += row[key]
    return render(
        request,
        "agenda/dues/totals.html",
        {
            "node": node,
            "rows": rows,
            "grand": grand,
            "year": year,
            "years": year_choices(year),
            "threshold": threshold,
            "org_options": nearby_choices(user, node),
        },
    )


def _empty() -> dict:
    zero = dues_math.CENT * 0
    return {"expected": zero, "collected": zero, "members": 0, "unpaid": 0, "alarms": 0}
