"""``/api/v1/bulletins/?within=&quarter=&format=``: the quarterly bulletin as a Word or Excel
file, built on request; the scope and the bulletin right; Chinese 400s; constant queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.testing import login
from bastion.problems.selectors_bulletin import current_quarter

from .api_helpers import (
    data_fixture,  # noqa: F401
    discipline_fixture,  # noqa: F401
    make_problem,
    user_of,
)

URL = reverse("api:bulletin-list")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def quarter():
    return current_quarter().label


def test_the_word_bulletin(api, personas, discipline, data, tree):
    import docx

    login(api, personas.company)
    params = {
        "within": tree.company.pk,
        "quarter": quarter(),
        "format": "docx",
        "number": "市公党通〔2026〕7号",
    }
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "问题整改情况的通报" in text
    assert "市公党通〔2026〕7号" in text


def test_the_excel_tables(api, personas, discipline, data, tree):
    from openpyxl import load_workbook

    login(api, personas.county)
    response = api.get(URL, {"within": tree.county_a.pk, "quarter": quarter(), "format": "xlsx"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert "逾期未整改问题" in workbook.sheetnames
    overdue = workbook["逾期未整改问题"]
    assert overdue.max_row >= 3  # headers + a1_overdue + a2


def test_defaults_are_this_quarter_in_word(api, personas, discipline, data, tree):
    login(api, discipline)
    response = api.get(URL, {"within": tree.county_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX


# persona → status for the bulletin of county_a
MATRIX = {
    "company": 200,
    "county": 200,
    "discipline": 200,
    "secretary_a": 404,  # county_a is outside its scope: as any object outside it
    "secretary_b": 404,
    "member": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_scope_matrix(api, personas, discipline, data, tree, persona):
    login(api, user_of(personas, discipline, persona))
    response = api.get(URL, {"within": tree.county_a.pk, "format": "xlsx"})
    assert response.status_code == MATRIX[persona]


@pytest.mark.parametrize("within", ["abc", "999999"])
def test_an_unknown_organization_is_404(api, personas, discipline, data, within):
    login(api, personas.company)
    assert api.get(URL, {"within": within}).status_code == 404


def test_a_branch_without_the_bulletin_right_is_403(api, personas, discipline, data, tree):
    login(api, personas.secretary_a)
    response = api.get(URL, {"within": tree.station_a1.pk})
    assert response.status_code == 403
    assert "通报" in response.json()["detail"]


@pytest.mark.parametrize(
    "params,key,text",
    [
        ({}, "within", "请指定通报范围"),
        ({"quarter": "2026Q5"}, "quarter", "2026Q3"),
        ({"format": "pdf"}, "format", "docx、xlsx"),
        ({"number": "号" * 61}, "number", "60"),
    ],
)
def test_bad_parameters_are_400_in_chinese(
    api, personas, discipline, data, tree, params, key, text
):
    login(api, personas.company)
    params = {"within": tree.company.pk, **params} if key != "within" else params
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert text in response.json()[key][0]


def test_queries_do_not_grow_with_problems(api, personas, discipline, data, tree):
    login(api, personas.company)
    params = {"within": tree.company.pk, "quarter": quarter(), "format": "xlsx"}
    with CaptureQueriesContext(connection) as small:
        assert api.get(URL, params).status_code == 200
    for index in range(10):
        make_problem([tree.station_a2, tree.station_b1][index % 2], deadline=-3, state="planned")
    with CaptureQueriesContext(connection) as large:
        assert api.get(URL, params).status_code == 200
    assert len(large) == len(small)
