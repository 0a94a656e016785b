from django.utils.functional import SimpleLazyObject


def org_context(request):
    """The current organization and its breadcrumb, computed only if a template reads them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "current_org"):
        return {}

    def crumbs():
        from .models import Organization
        from .selectors import breadcrumb

        org = request.current_org
        if not org:
            return []
        return breadcrumb(org, Organization.objects.restrict(user, "view"))

    return {"current_org": request.current_org, "org_breadcrumb": SimpleLazyObject(crumbs)}
