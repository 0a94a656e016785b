from django.utils.functional import SimpleLazyObject

from .navigation import visible_sections


def site_frame(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_sections": SimpleLazyObject(lambda: visible_sections(user, request.path))}
