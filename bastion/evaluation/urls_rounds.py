"""``/evaluation/rounds/``: round list, setup, detail, missing scores and the round actions."""

from django.urls import path

from .views import rounds

urlpatterns = [
    path("", rounds.round_list, name="round_list"),
    path("new/", rounds.round_create, name="round_create"),
    path("<int:pk>/", rounds.round_detail, name="round_detail"),
    path("<int:pk>/missing/", rounds.round_missing, name="round_missing"),
    path("<int:pk>/compute/", rounds.round_compute, name="round_compute"),
    path("<int:pk>/publish/", rounds.round_publish, name="round_publish"),
    path("<int:pk>/data-decisions/", rounds.round_data_decide, name="round_data_decide"),
    path("<int:pk>/close/", rounds.round_close, name="round_close"),
    path("<int:pk>/remind/", rounds.round_remind, name="round_remind"),
]
