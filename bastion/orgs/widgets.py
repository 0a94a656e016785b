"""Home page widgets offered by the organization app."""

from django.db.models import Count, Q
from django.template.loader import render_to_string

from bastion.core.scope import allows, subtree_q

from .models import Organization, Person
from .models.organization import UnitKind
from .models.person import MembershipStatus


def scope_summary(request) -> str | None:
    """The size of what this person looks after: organizations, stations, people, members.
    Branch statistics are for who may see the branch's people, not for a member."""
    org = request.current_org
    user = request.user
    if not org or not allows(user, "orgs.view_person", org):
        return None
    orgs = Organization.objects.restrict(user, "view").filter(subtree_q("path", org.path))
    org_counts = orgs.aggregate(
        total=Count("id"),
        stations=Count("id", filter=Q(unit_kind=UnitKind.STATION)),
        branches=Count("id", filter=Q(kind__in=["branch", "temporary_branch"])),
    )
    people = Person.objects.restrict(user, "view").filter(subtree_q("organization__path", org.path))
    people_counts = people.aggregate(
        total=Count("id"),
        full=Count("id", filter=Q(membership_status=MembershipStatus.FULL)),
        probationary=Count("id", filter=Q(membership_status=MembershipStatus.PROBATIONARY)),
    )
    return render_to_string(
        "orgs/_widget_summary.html",
        {
            "org": org,
            "orgs": org_counts,
            "people": people_counts,
        },
        request=request,
    )
