"""Problem pages: quarterly bulletins (通报晾晒), mounted at /problems/bulletins/."""

from django.urls import path

from .views import bulletins as views

urlpatterns = [
    path("", views.bulletin_list, name="bulletin_list"),
    path("<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("<int:pk>/print/", views.bulletin_print, name="bulletin_print"),
    path("<int:pk>/<str:fmt>/", views.bulletin_download, name="bulletin_download"),
]
