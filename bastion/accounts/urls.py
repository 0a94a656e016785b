"""The account pages, under /accounts/ beside the kernel's own (login/, logout/, password/, me/,
security-log/ are served by bastion.core.urls)."""

from django.urls import path

from . import views_help, views_manage, views_open, views_policy, views_public

app_name = "accounts"

urlpatterns = [
    path("people/", views_manage.account_list, name="account_list"),
    path("people/<int:pk>/", views_manage.account_detail, name="account_detail"),
    path("people/<int:pk>/history/", views_manage.account_history, name="account_history"),
    path("people/<int:pk>/deactivate/", views_manage.account_deactivate, name="account_deactivate"),
    path("people/<int:pk>/reactivate/", views_manage.account_reactivate, name="account_reactivate"),
    path("people/<int:pk>/reset/", views_manage.account_reset, name="account_reset"),
    path("people/<int:pk>/unlock/", views_manage.account_unlock, name="account_unlock"),
    path("open/<int:person_pk>/", views_open.person_open, name="person_open"),
    path("bulk/", views_open.bulk_open, name="bulk_open"),
    path("lists/<int:pk>/", views_open.list_detail, name="list_detail"),
    path("lists/<int:pk>/download/", views_open.list_download, name="list_download"),
    path("activate/", views_public.activate, name="activate"),
    path("forgot/", views_public.forgot_password, name="forgot_password"),
    path("help/", views_help.help_list, name="help_list"),
    path("help/<int:pk>/answer/", views_help.help_answer, name="help_answer"),
    path("rules/", views_policy.policy, name="policy"),
]
