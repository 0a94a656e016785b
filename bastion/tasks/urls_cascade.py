"""Task pages: the 四级贯通 cascade. Mounted at ``/tasks/cascade/``."""

from django.urls import path

from .views import cascade as views

urlpatterns = [
    path("", views.cascade_list, name="cascade_list"),
    path("<int:pk>/", views.cascade_detail, name="cascade_detail"),
    path("items/add/", views.cascade_item_create, name="cascade_item_create"),
    path("items/<int:pk>/edit/", views.cascade_item_edit, name="cascade_item_edit"),
    path("items/<int:pk>/status/", views.cascade_item_status, name="cascade_item_status"),
    path("items/<int:pk>/delete/", views.cascade_item_delete, name="cascade_item_delete"),
]
