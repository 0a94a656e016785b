"""Agenda pages: committee terms and elections (换届). Mounted at ``/agenda/terms/``."""

from django.urls import path

from .views import terms as views

urlpatterns = [
    path("", views.term_list, name="term_list"),
    path("org/<int:pk>/election/add/", views.election_create, name="election_create"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
    path("rules/", views.term_rules, name="term_rules"),
    path("rules/<slug:kind>/edit/", views.term_rule_edit, name="term_rule_edit"),
]
