"""The organization tree, as the kernel sees it: a model named by a setting.

Core knows no domain app. The tree it works on is named by ``BASTION_ORGANIZATION_MODEL`` and
its people by ``BASTION_PERSON_MODEL`` (as ``AUTH_USER_MODEL`` names the account), so pickers,
filters and API fields in core can list organizations and people without importing the
organization app.
"""

from django.apps import apps
from django.conf import settings


def organization_model():
    return apps.get_model(settings.BASTION_ORGANIZATION_MODEL, require_ready=False)


def person_model():
    return apps.get_model(settings.BASTION_PERSON_MODEL, require_ready=False)


def scoped_organizations(request, action: str = "view"):
    """The organizations the requester may ``action``; none without a request."""
    model = organization_model()
    if request is None:
        return model.objects.none()
    return model.objects.restrict(request.user, action)


def scoped_people(request, action: str = "view"):
    """The people the requester may ``action``; none without a request."""
    model = person_model()
    if request is None:
        return model.objects.none()
    return model.objects.restrict(request.user, action)


def permitted_organizations(user, permission: str):
    """Active organizations where ``user`` holds ``permission`` (any permission, not only the
    organization's own): what an organization picker for that action accepts."""
    return organization_model().objects.permitted(user, permission).filter(is_active=True)
