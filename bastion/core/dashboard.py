"""The home page (工作台) is assembled from widgets each installed app offers.

An AppConfig lists ``home_widgets``: dotted paths to functions ``(request) -> str | None``
returning rendered HTML, or None when the widget has nothing to show this user.
"""

from django.apps import apps
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe


def home_context(request) -> dict:
    widgets = []
    for config in apps.get_app_configs():
        for dotted in getattr(config, "home_widgets", []):
            html = import_string(dotted)(request)
            if html:
                widgets.append(mark_safe(html))
    return {"widgets": widgets}


def org_panels(request, org) -> list[str]:
    """Panels other apps add to an organization's page: an AppConfig lists ``org_panels``,
    dotted paths to functions ``(request, org) -> str | None`` returning rendered HTML."""
    panels = []
    for config in apps.get_app_configs():
        for dotted in getattr(config, "org_panels", []):
            html = import_string(dotted)(request, org)
            if html:
                panels.append(mark_safe(html))
    return panels


def person_panels(request, person) -> list[str]:
    """Panels other apps add to a person's page (the account, for one): an AppConfig lists
    ``person_panels``, dotted paths to functions ``(request, person) -> str | None``."""
    panels = []
    for config in apps.get_app_configs():
        for dotted in getattr(config, "person_panels", []):
            html = import_string(dotted)(request, person)
            if html:
                panels.append(mark_safe(html))
    return panels
