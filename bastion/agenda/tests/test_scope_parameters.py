"""An organization parameter (``org=``, ``within=``) outside the requester's scope is 404 on
every agenda page and export that takes one, as in the API: never a page of one's own rows."""

import pytest
from django.urls import reverse

PAGES = [
    ("agenda:meeting_list", "within"),
    ("agenda:meeting_list", "org"),
    ("agenda:attendance_rates", "org"),
    ("agenda:meeting_create", "org"),
    ("agenda:term_list", "within"),
    ("agenda:board", "org"),
    ("agenda:annual_map", "org"),
    ("agenda:rollup", "org"),
    ("agenda:rollup_export", "org"),
    ("agenda:dues_ledger", "org"),
    ("agenda:dues_profiles", "org"),
    ("agenda:dues_payment_add", "org"),
    ("agenda:dues_totals", "org"),
    ("agenda:dues_export", "org"),
]


@pytest.mark.parametrize("name,parameter", PAGES)
def test_an_organization_outside_the_scope_is_404(client, personas, tree, name, parameter):
    client.force_login(personas.secretary_a)
    inside = client.get(reverse(name), {parameter: tree.station_a1.pk})
    assert inside.status_code == 200
    outside = client.get(reverse(name), {parameter: tree.station_b1.pk})
    assert outside.status_code == 404


@pytest.mark.parametrize("name,parameter", PAGES)
def test_an_unknown_organization_is_404(client, personas, name, parameter):
    client.force_login(personas.company)
    assert client.get(reverse(name), {parameter: 999999}).status_code == 404
