"""Agenda pages: the board (生命树), the annual map (一图), roll-ups (统计汇总)."""

from django.urls import path

from .views import board as views

urlpatterns = [
    path("board/", views.board, name="board"),
    path("map/", views.annual_map_view, name="annual_map"),
    path("rollup/", views.rollup_view, name="rollup"),
    path("rollup/export/", views.rollup_export, name="rollup_export"),
]
