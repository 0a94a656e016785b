from django.urls import path

from . import views, views_access, views_people

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("tree/<int:pk>/children/", views.tree_children, name="tree_children"),
    path("switch/", views.switch, name="switch"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("<int:pk>/add-child/", views.org_create, name="org_create"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("<int:pk>/move/", views.org_move, name="org_move"),
    path("<int:pk>/history/", views.org_history, name="org_history"),
    path("<int:pk>/committee/add/", views.committee_add, name="committee_add"),
    path(
        "<int:pk>/committee/<int:seat_pk>/remove/",
        views.committee_remove,
        name="committee_remove",
    ),
    path("people/", views_people.person_list, name="person_list"),
    path("people/add/", views_people.person_create, name="person_create"),
    path("people/<int:pk>/", views_people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views_people.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views_people.person_delete, name="person_delete"),
    path("people/<int:pk>/history/", views_people.person_history, name="person_history"),
    path("roles/", views_access.role_list, name="role_list"),
    path("roles/history/", views_access.role_history, name="role_history"),
    path("roles/grant/", views_access.role_grant, name="role_grant"),
    path("roles/<int:pk>/revoke/", views_access.role_revoke, name="role_revoke"),
]

from .urls_excel import urlpatterns as excel_urlpatterns  # noqa: E402

urlpatterns += excel_urlpatterns
