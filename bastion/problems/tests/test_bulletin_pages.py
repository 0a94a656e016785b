"""Bulletin pages: scope (200 inside, 404 outside), the form, polling, downloads, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bastion.core.testing import login
from bastion.problems.models import Bulletin
from bastion.problems.services.bulletins import bulletin_request

from . import bulletin_fixtures
from .bulletin_fixtures import QUARTER, d, make_problem

crafted = bulletin_fixtures.crafted  # the fixture
pytestmark = pytest.mark.django_db
LIST = reverse("problems:bulletin_list")


@pytest.fixture
def company_bulletin(tree, personas, crafted):
    return bulletin_request(actor=personas.company, organization=tree.company, quarter=QUARTER)


@pytest.fixture
def county_bulletin(tree, personas, crafted):
    return bulletin_request(actor=personas.county, organization=tree.county_a, quarter=QUARTER)


def test_list_form_offers_generate_nodes_only(client, tree, personas):
    response = login(client, personas.county).get(LIST)
    assert response.status_code == 200
    choices = dict(response.context["form"].fields["organization"].choices)
    assert tree.county_a.pk in choices and tree.company.pk not in choices
    assert tree.county_b.pk not in choices


def test_post_creates_and_redirects(client, tree, personas, crafted):
    response = login(client, personas.company).post(
        LIST, {"organization": tree.company.pk, "quarter": "2025Q3", "number": ""}
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("problems:bulletin_detail", args=[bulletin.pk])
    year = timezone.localdate().year
    assert bulletin.status == "done"
    assert bulletin.number == f"市公司党通〔{year}〕{bulletin.pk}号"


def test_post_bad_quarter_shows_error(client, tree, personas):
    response = login(client, personas.company).post(
        LIST, {"organization": tree.company.pk, "quarter": "2025-3", "number": ""}
    )
    assert response.status_code == 200
    assert "格式不正确" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_county_post_for_company_is_refused(client, tree, personas):
    response = login(client, personas.county).post(
        LIST, {"organization": tree.company.pk, "quarter": QUARTER}
    )
    assert response.status_code == 200  # not among the choices: the form refuses it
    assert response.context["form"].errors["organization"]
    assert not Bulletin.objects.exists()


def test_list_404_without_bulletin_permission(client, personas):
    assert login(client, personas.secretary_a).get(LIST).status_code == 404
    assert login(client, personas.outsider).get(LIST).status_code == 404


def test_list_scoped(client, personas, company_bulletin, county_bulletin):
    response = login(client, personas.county).get(LIST)
    assert list(response.context["bulletins"]) == [county_bulletin]
    response = login(client, personas.company).get(LIST)
    assert set(response.context["bulletins"]) == {company_bulletin, county_bulletin}


def test_detail_and_preview(client, personas, company_bulletin):
    url = reverse("problems:bulletin_detail", args=[company_bulletin.pk])
    response = login(client, personas.company).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="done"' in body and "hx-trigger" not in body
    assert "A县公司党委" in body and "40.0%" in body and "现场作业未设安全监护人" in body
    assert reverse("problems:bulletin_download", args=[company_bulletin.pk, "docx"]) in body


def test_detail_polls_while_running(client, personas, company_bulletin):
    Bulletin.objects.filter(pk=company_bulletin.pk).update(status="running", progress=45)
    url = reverse("problems:bulletin_detail", args=[company_bulletin.pk])
    response = login(client, personas.company).get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body and "45%" in body
    assert "<html" not in body  # the fragment only


def test_detail_and_download_scope(client, personas, company_bulletin, county_bulletin):
    county = login(client, personas.county)
    assert (
        county.get(reverse("problems:bulletin_detail", args=[county_bulletin.pk])).status_code
        == 200
    )  # noqa: E501
    assert (
        county.get(reverse("problems:bulletin_detail", args=[company_bulletin.pk])).status_code
        == 404
    )  # noqa: E501
    for fmt in ("docx", "xlsx"):
        assert (
            county.get(
                reverse("problems:bulletin_download", args=[company_bulletin.pk, fmt])
            ).status_code
            == 404
        )  # noqa: E501
        response = county.get(reverse("problems:bulletin_download", args=[county_bulletin.pk, fmt]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content)[:2] == b"PK"
    assert (
        county.get(
            reverse("problems:bulletin_download", args=[county_bulletin.pk, "pdf"])
        ).status_code
        == 404
    )  # noqa: E501


def test_list_queries_constant(client, tree, personas, company_bulletin):
    client = login(client, personas.company)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(5):
        bulletin_request(actor=personas.company, organization=tree.county_b, quarter="2025Q2")
    with CaptureQueriesContext(connection) as more:
        response = client.get(LIST)
    assert len(response.context["bulletins"]) == 6
    assert len(few) == len(more)


def test_detail_queries_constant(client, tree, personas, crafted):
    client = login(client, personas.company)
    first = bulletin_request(actor=personas.company, organization=tree.company, quarter=QUARTER)
    url = reverse("problems:bulletin_detail", args=[first.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        make_problem(tree.station_b1, "service", d(7, 1 + i % 28), d(7, 2 + i % 28), "planned")
    second = bulletin_request(actor=personas.company, organization=tree.company, quarter=QUARTER)
    url = reverse("problems:bulletin_detail", args=[second.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(few) == len(more)
