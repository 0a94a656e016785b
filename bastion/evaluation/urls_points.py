"""``/evaluation/points/``: 党员积分手册 — my points, the branch ledger and review, the handbook."""

from django.urls import path

from .views import points as views

urlpatterns = [
    path("", views.points_list, name="points_list"),
    path("mine/", views.points_mine, name="points_mine"),
    path("new/", views.points_create, name="points_create"),
    path("items/", views.points_items, name="points_items"),
    path("<int:pk>/review/", views.points_review, name="points_review"),
    path("<int:pk>/evidence/", views.points_evidence, name="points_evidence"),
]
