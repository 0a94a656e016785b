"""The organization switcher: which node of the tree the person is looking at."""

from django.utils.functional import SimpleLazyObject

SESSION_KEY = "bastion_current_org"


def current_org_for(request):
    from .models import Organization

    user = request.user
    if not user.is_authenticated:
        return None
    visible = Organization.objects.restrict(user, "view")
    org_id = request.session.get(SESSION_KEY)
    if org_id:
        org = visible.filter(pk=org_id).first()
        if org is not None:
            return org
    return visible.order_by("depth", "path").first()


class CurrentOrganizationMiddleware:
    """Sets ``request.current_org`` lazily: the chosen node, else the top of the user's scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.current_org = SimpleLazyObject(lambda: current_org_for(request))
        return self.get_response(request)
