"""Excel pages, included by the lead into the ``orgs`` namespace (no app_name here)."""

from django.urls import path

from . import views_excel

urlpatterns = [
    path("import/job/<int:pk>/", views_excel.import_job, name="import_job"),
    path("import/job/<int:pk>/progress/", views_excel.import_progress, name="import_progress"),
    path("import/job/<int:pk>/commit/", views_excel.import_commit, name="import_commit"),
    path("import/job/<int:pk>/retry/", views_excel.import_retry, name="import_retry"),
    path("import/<str:kind>/", views_excel.import_start, name="import_start"),
    path("import/<str:kind>/template/", views_excel.import_template, name="import_template"),
    path("people/export/", views_excel.person_export, name="person_export"),
    path("export/", views_excel.org_export, name="org_export"),
]
