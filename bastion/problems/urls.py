"""``/problems/``: each area keeps its own url module so they can grow apart."""

from django.urls import include, path

from . import urls_bulletins, urls_problems

app_name = "problems"

urlpatterns = [
    path("", include(urls_problems)),
    path("bulletins/", include(urls_bulletins)),
]
