"""Pages for people: the roster with search and filters, a person's page, create, edit, history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bastion.core.dashboard import person_panels
from bastion.core.history import Dependents, render_history
from bastion.core.scope import allows, has_permission_anywhere

from . import selectors, services
from .filters import PersonFilter
from .forms import PersonForm
from .models import CommitteeMember, Person
from .selectors import URL_SLOT
from .views import apply_form_errors

PAGE_SIZE = 50


def scoped_person(request, pk, action="view") -> Person:
    queryset = Person.objects.restrict(request.user, action).select_related(
        "organization", "party_group", "user"
    )
    return get_object_or_404(queryset, pk=pk)


def roster_filter(request, queryset) -> PersonFilter:
    """The roster's filters, one for the page and its export. The organization switcher
    narrows the roster to the chosen subtree by default; ``all=1`` lifts that."""
    data = request.GET.copy()
    if "within" not in data and request.current_org and not data.get("all"):
        data["within"] = str(request.current_org.pk)
    return PersonFilter(data, queryset=queryset, request=request)


def with_detail_urls(people: list[Person]) -> list[Person]:
    """Each row's link made from one reverse(), not one per row."""
    pattern = reverse("orgs:person_detail", args=[URL_SLOT]).replace(str(URL_SLOT), "{}")
    for person in people:
        person.detail_url = pattern.format(person.pk)
    return people


def roster_total(user, person_filter, within) -> int | None:
    """The roster's length from the head counts when it is a whole subtree (no other filter)."""
    if not person_filter.is_valid():
        return None
    narrowed = any(
        value for name, value in person_filter.form.cleaned_data.items() if name != "within"
    )
    return None if narrowed else selectors.people_total(user, within)


@login_required
def person_list(request):
    user = request.user
    base = selectors.people_visible(user).select_related("organization")
    person_filter = roster_filter(request, base)
    people = person_filter.qs.order_by("organization__path", "name", "id")
    selected = person_filter.form.cleaned_data.get("within") if person_filter.is_valid() else None
    total = roster_total(user, person_filter, selected)
    page = Paginator(people if total is None else selectors.Counted(people, total), PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    page.object_list = with_detail_urls(list(page.object_list))
    return render(
        request,
        "orgs/person_list.html",
        {
            "within_options": selectors.nearby_choices(user, selected),
            "within_selected": selected.pk if selected else None,
            "filter": person_filter,
            "page": page,
            "can_add": has_permission_anywhere(user, "orgs.add_person"),
            "can_import": has_permission_anywhere(user, "orgs.import_person"),
            "can_export": has_permission_anywhere(user, "orgs.export_person"),
        },
    )


@login_required
def person_detail(request, pk):
    person = scoped_person(request, pk)
    user = request.user
    org = person.organization
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "show_id": allows(user, "orgs.view_sensitive_person", org),
            "can_change": allows(user, "orgs.change_person", org),
            "can_delete": allows(user, "orgs.delete_person", org),
            "seats": person.committee_seats.select_related("organization"),
            "panels": person_panels(request, person),
        },
    )


@login_required
def person_create(request):
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, data=form.cleaned_payload())
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已添加人员“%(name)s”。") % {"name": person.name})
            return redirect(person)
    return render(request, "orgs/person_form.html", {"form": form})


@login_required
def person_edit(request, pk):
    person = scoped_person(request, pk, "change")
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, data=form.cleaned_payload())
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存人员信息。"))
            return redirect(person)
    return render(request, "orgs/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_delete(request, pk):
    person = scoped_person(request, pk, "delete")
    name = person.name
    services.person_delete(actor=request.user, person=person)
    messages.success(request, _("已删除人员“%(name)s”。") % {"name": name})
    return redirect("orgs:person_list")


@login_required
def person_history(request, pk):
    person = scoped_person(request, pk, "change")
    return render_history(
        request,
        person,
        back_url=person.get_absolute_url(),
        title=_("人员"),
        # The person's committee seats, those since removed too.
        dependents=[
            Dependents(CommitteeMember, owned=person.committee_seats.values("pk"), key="person_id")
        ],
    )
