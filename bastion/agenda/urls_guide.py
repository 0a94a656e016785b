"""Agenda pages: the operation guide (一书, 党务操作指引). Mounted at ``/agenda/guide/``."""

from django.urls import path

from .views import guide as views

urlpatterns = [
    path("", views.guide_list, name="guide_list"),
    path("add/", views.guide_create, name="guide_create"),
    path(
        "attachments/<int:pk>/", views.guide_attachment_download, name="guide_attachment_download"
    ),
    path(
        "attachments/<int:pk>/delete/",
        views.guide_attachment_delete,
        name="guide_attachment_delete",
    ),
    path("<slug:slug>/", views.guide_detail, name="guide_detail"),
    path("<slug:slug>/edit/", views.guide_edit, name="guide_edit"),
    path(
        "<slug:slug>/attachments/add/",
        views.guide_attachment_upload,
        name="guide_attachment_upload",
    ),
]
