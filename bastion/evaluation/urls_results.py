"""``/evaluation/results/``: rankings, one target's result, the title board, score histories."""

from django.urls import path

from .views import corrections, history, results, titles

urlpatterns = [
    path("<int:round_pk>/", results.results, name="results"),
    path("<int:round_pk>/export/", results.results_export, name="results_export"),
    path("target/<int:pk>/", results.target_detail, name="target_detail"),
    path("target/<int:pk>/correct/", corrections.score_correct_page, name="score_correct"),
    path("titles/", titles.title_board, name="title_board"),
    path("history/org/<int:org_pk>/", history.history_org, name="history_org"),
    path("history/person/<int:person_pk>/", history.history_person, name="history_person"),
]
