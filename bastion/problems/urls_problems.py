"""Problem pages: inspections, problems, the three libraries."""

from django.urls import path

from .views import inspections, libraries, problems

urlpatterns = [
    path("", problems.problem_list, name="problem_list"),
    path("new/", problems.problem_create, name="problem_create"),
    path("export/", problems.problem_export, name="problem_export"),
    path("<int:pk>/", problems.problem_detail, name="problem_detail"),
    path("<int:pk>/edit/", problems.problem_edit, name="problem_edit"),
    path("<int:pk>/transition/", problems.problem_transition, name="problem_transition"),
    path("evidence/<int:pk>/", problems.evidence_file, name="evidence_file"),
    path("library/", libraries.library, name="library"),
    path("library/<str:level>/", libraries.library, name="library"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", inspections.inspection_edit, name="inspection_edit"),
]
