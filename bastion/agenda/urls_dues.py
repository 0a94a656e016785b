"""Agenda pages: dues (党费收缴)."""

from django.urls import path

from .views import dues, dues_excel

urlpatterns = [
    path("", dues.dues_ledger, name="dues_ledger"),
    path("profiles/", dues.dues_profiles, name="dues_profiles"),
    path("quote/", dues.dues_quote, name="dues_quote"),
    path("payments/add/", dues.dues_payment_add, name="dues_payment_add"),
    path("payments/<int:pk>/delete/", dues.dues_payment_delete, name="dues_payment_delete"),
    path("totals/", dues.dues_totals, name="dues_totals"),
    path("export/", dues_excel.dues_export, name="dues_export"),
    path("import/", dues_excel.dues_import, name="dues_import"),
]
