"""``people/export/`` and ``people/import/``: the pages' filters and scope, all or nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from bastion.core.testing import login
from bastion.orgs.models import Person
from bastion.orgs.tests.factories import make_id_number

EXPORT_URL = "/api/v1/people/export/"
IMPORT_URL = "/api/v1/people/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(content: bytes) -> list[dict]:
    """The first sheet as dicts keyed by header (without the required star)."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    headers = [str(h or "").rstrip("*") for h in rows[0]]
    return [dict(zip(headers, values, strict=False)) for values in rows[1:] if any(values)]


def workbook_bytes(rows: list[dict], headers: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h.rstrip("*")) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def headers_of(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [str(h) for h in next(book.worksheets[0].iter_rows(values_only=True))]


def upload(data: bytes, name="roster.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def export(api, **query):
    response = api.get(EXPORT_URL, query)
    assert response.status_code == 200, response.content
    return response


# --- export -------------------------------------------------------------------------------------


def test_export_is_an_xlsx_attachment_honouring_filters(api, personas, tree):
    login(api, personas.company)
    response = export(api, within=tree.county_a.pk)
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    names = sorted(row["姓名"] for row in sheet_rows(response.content))
    assert names == sorted(["张三", "李四", "王五", "钱七"])


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("company", ["张三", "李四", "王五", "赵六", "钱七"]),
        ("county", ["张三", "李四", "王五", "钱七"]),
        ("secretary_a", ["张三", "李四"]),
        ("secretary_b", ["赵六"]),
    ],
)
def test_export_holds_only_the_export_scope(api, personas, people, persona, expected):
    login(api, getattr(personas, persona))
    names = sorted(row["姓名"] for row in sheet_rows(export(api).content))
    assert names == sorted(expected)


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_export_without_the_permission_is_403(api, personas, people, persona):
    login(api, getattr(personas, persona))
    response = api.get(EXPORT_URL)
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权对该对象执行此操作。"


def test_export_search_by_pinyin(api, personas, people):
    login(api, personas.county)
    assert [row["姓名"] for row in sheet_rows(export(api, q="zs").content)] == ["张三"]


def test_export_within_outside_scope_is_404(api, personas, tree):
    login(api, personas.secretary_a)
    response = api.get(EXPORT_URL, {"within": tree.station_b1.pk})
    assert response.status_code == 404


def test_export_is_served_when_the_client_asks_for_xlsx(api, personas, people):
    login(api, personas.secretary_a)
    response = api.get(EXPORT_URL, HTTP_ACCEPT=XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX


# --- import -------------------------------------------------------------------------------------


def test_exported_roster_imports_back_as_a_no_op(api, personas, people):
    people.zhang_san.id_number = make_id_number(11)
    people.zhang_san.save()
    login(api, personas.company)
    content = export(api).content
    response = api.post(IMPORT_URL, {"file": upload(content)}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "total_rows": 5,
        "dry_run": False,
        "warnings": [],
    }


def roster_with(api, extra_rows: list[dict]) -> bytes:
    content = export(api).content
    return workbook_bytes(sheet_rows(content) + extra_rows, headers_of(content))


NEW_PERSON = {
    "姓名": "周九",
    "身份证号码": make_id_number(12, birth="19900101"),
    "工号": "NEW-0001",
    "组织编码": "C-A-1",
    "政治面貌": "群众",
}


def test_dry_run_validates_and_writes_nothing(api, personas, people):
    login(api, personas.secretary_a)
    data = roster_with(api, [NEW_PERSON])
    response = api.post(IMPORT_URL, {"file": upload(data), "dry_run": "1"}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 2,
        "total_rows": 3,
        "dry_run": True,
        "warnings": [],
    }
    assert not Person.objects.filter(name="周九").exists()


def test_import_creates_people_through_the_scope(api, personas, people, tree):
    login(api, personas.secretary_a)
    data = roster_with(api, [NEW_PERSON])
    response = api.post(IMPORT_URL, {"file": upload(data)}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    person = Person.objects.get(name="周九")
    assert person.organization == tree.station_a1
    assert person.id_number == NEW_PERSON["身份证号码"]


def test_one_bad_row_refuses_the_file_with_row_column_and_reason(api, personas, people):
    login(api, personas.secretary_a)
    bad = {**NEW_PERSON, "姓名": "吴十", "工号": "NEW-0002", "身份证号码": "440902199001011"}
    data = roster_with(api, [NEW_PERSON, bad])
    before = Person.objects.count()
    response = api.post(IMPORT_URL, {"file": upload(data)}, format="multipart")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["row"] == 5  # header, 张三, 李四, 周九, 吴十
    assert error["column"] == "身份证号码"
    assert "15位" in error["message"]
    assert Person.objects.count() == before


def test_import_into_an_organization_outside_scope_is_refused(api, personas, people):
    login(api, personas.secretary_a)
    data = roster_with(api, [{**NEW_PERSON, "组织编码": "C-B-1"}])
    response = api.post(IMPORT_URL, {"file": upload(data)}, format="multipart")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["row"] == 4
    assert error["column"] == "组织编码"
    assert not Person.objects.filter(name="周九").exists()


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_import_without_the_permission_is_403(api, personas, people, persona):
    login(api, personas.company)
    data = roster_with(api, [NEW_PERSON])
    login(api, getattr(personas, persona))
    response = api.post(IMPORT_URL, {"file": upload(data)}, format="multipart")
    assert response.status_code == 403
    assert not Person.objects.filter(name="周九").exists()


def test_import_without_a_file_names_the_field(api, personas, db):
    login(api, personas.company)
    response = api.post(IMPORT_URL, {"dry_run": "1"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_a_file_that_is_not_xlsx_is_refused_as_a_whole(api, personas, people):
    login(api, personas.company)
    data = SimpleUploadedFile("roster.pdf", b"%PDF-1.4\n\x00\x01binary", "application/pdf")
    response = api.post(IMPORT_URL, {"file": data}, format="multipart")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["row"] == 0
    assert error["message"]


def test_import_with_a_token(api, personas, people):
    token = api.post(
        reverse("api:token"), {"username": "p_county", "password": "bastion-test"}
    ).json()["token"]
    login(api, personas.county)
    data = roster_with(api, [{**NEW_PERSON, "组织编码": "C-A-2"}])
    other = APIClient(enforce_csrf_checks=True)
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = other.post(IMPORT_URL, {"file": upload(data)}, format="multipart")
    assert response.status_code == 200, response.content
    assert Person.objects.get(name="周九").organization.code == "C-A-2"
