"""``/evaluation/schemes/``: schemes (考评方案), their indicators, evaluator groups, titles."""

from django.urls import path

from .views import schemes as views

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/indicators/new/", views.indicator_add, name="indicator_add"),
    path("<int:pk>/indicators/<int:ipk>/", views.indicator_edit, name="indicator_edit"),
    path("<int:pk>/indicators/<int:ipk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("<int:pk>/groups/", views.group_edit, name="group_edit"),
    path("<int:pk>/titles/new/", views.title_add, name="title_add"),
    path("<int:pk>/titles/<int:tpk>/", views.title_edit, name="title_edit"),
    path("<int:pk>/titles/<int:tpk>/delete/", views.title_delete, name="title_delete"),
]
