"""``/agenda/``: each area keeps its own url module so they can grow apart."""

from django.urls import include, path

from . import (
    urls_board,
    urls_dues,
    urls_guide,
    urls_meetings,
    urls_notify,
    urls_rules,
    urls_terms,
)

app_name = "agenda"

urlpatterns = [
    path("", include(urls_board)),
    path("meetings/", include(urls_meetings)),
    path("dues/", include(urls_dues)),
    path("terms/", include(urls_terms)),
    path("rules/", include(urls_rules)),
    path("guide/", include(urls_guide)),
    path("inbox/", include(urls_notify)),
]
