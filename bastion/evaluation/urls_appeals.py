"""``/evaluation/appeals/``: appeals (申诉) against published results and their answers."""

from django.urls import path

from .views import appeals as views

urlpatterns = [
    path("", views.appeal_list, name="appeal_list"),
    path("new/<int:target_pk>/", views.appeal_create, name="appeal_create"),
    path("<int:pk>/answer/", views.appeal_answer, name="appeal_answer"),
]
