"""``/evaluation/scoring/``: 我的评分 and the arena contest (打擂台) pages."""

from django.urls import path

from .views import arena, scoring

urlpatterns = [
    path("", scoring.scoring_home, name="scoring_home"),
    path("<int:round_pk>/", scoring.scoring_round, name="scoring_round"),
    path("<int:round_pk>/my-event/", arena.arena_event, name="arena_event"),
    path("<int:round_pk>/<int:target_pk>/", scoring.scoring_form, name="scoring_form"),
    path("event/<int:pk>/file/", arena.arena_event_file, name="arena_event_file"),
]
