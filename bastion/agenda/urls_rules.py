"""Agenda pages: the work calendar (一表, 二十四节气表). Mounted at ``/agenda/rules/``."""

from django.urls import path

from .views import rules as views

urlpatterns = [
    path("", views.rule_list, name="rule_list"),
    path("add/", views.rule_create, name="rule_create"),
    path("generate/", views.obligations_generate, name="obligations_generate"),
    path("<slug:code>/", views.rule_detail, name="rule_detail"),
    path("<slug:code>/edit/", views.rule_edit, name="rule_edit"),
    path("<slug:code>/retire/", views.rule_retire, name="rule_retire"),
]
