"""Real roster files as branches keep them, through the people importer, its pages, the API and
the forms: a merged title, blank rows, their own header words, full-width digits, CSV in UTF-8
(with and without BOM) and GBK, 15-digit ID numbers, phone numbers, a stale preview."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bastion.core.idcard import mask_id_number, upgrade_legacy
from bastion.core.jobs import import_job_commit, import_job_create
from bastion.core.models import ImportJob
from bastion.core.testing import login
from bastion.orgs.importers import run_import
from bastion.orgs.models import Organization, Person
from bastion.orgs.services import person_update
from bastion.orgs.tests.factories import make_id_number
from bastion.orgs.tests.test_pages_writes import person_post

LEGACY = "440902850315001"  # 1985-03-15, first generation
UPGRADED = upgrade_legacy(LEGACY)
BRANCH_HEADERS = ["序号", "姓名", "身份证号", "员工编号", "党组织编码", "政治面貌", "入党时间"]
BRANCH_HEADERS += ["转正时间", "联系电话"]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def branch_roster(rows, *, title=True) -> bytes:
    """A roster as a branch keeps it: a merged title, the date line, a blank row, its own
    header words (序号 is not a template column: the branch deletes it)."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append(["A1供电所党支部党员花名册"])
        sheet.merge_cells("A1:H1")
        sheet.append(["填报单位：A1供电所党支部", None, None, None, "填报日期：2026年3月"])
        sheet.merge_cells("A2:C2")
        sheet.append([])
    sheet.append(BRANCH_HEADERS[1:])
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def member(name="周　杰", id_number=None, employee_no="Ｎ００１", phone="１３８ ００１３ ８０００"):
    return [name, id_number, employee_no, "C-A-1", "正式党员", "2010年7月1日", "2011/7/1", phone]


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_branch_roster_imports_without_editing(personas):
    data = branch_roster([member(id_number=make_id_number(601, birth="19800101"))])
    result = run_import(kind="people", actor=personas.company, file=upload(data, "花名册.xlsx"))
    assert result.ok, result.errors
    person = Person.objects.get(employee_no="N001")
    assert person.name == "周杰" and person.phone == "13800138000"
    assert person.organization.code == "C-A-1" and person.admitted_on.isoformat() == "2010-07-01"
    assert result.preview[0]["_row"] == 5  # the Excel row, under the title, date and blank rows


def test_errors_in_a_branch_roster_name_the_real_rows(personas):
    data = branch_roster([member(), member(name="李　明", employee_no="N002", phone="12345")])
    result = run_import(kind="people", actor=personas.company, file=upload(data, "花名册.xlsx"))
    assert [(e["row"], e["column"]) for e in result.errors] == [(6, "手机号码")]
    assert "不是有效的电话号码" in result.errors[0]["message"]
    assert not Person.objects.filter(employee_no__in=["N001", "N002"]).exists()


CSV_ROSTER = (
    "A1供电所党支部党员花名册\n"
    "\n"
    "姓名,身份证号码,工号,组织编码,政治面貌,入党日期,转正日期,手机号码\n"
    "周　杰,{id},Ｎ００１,C-A-1,正式党员,2010-07-01,2011-07-01,0731 84561234\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_rosters_import_through_the_pages(client, personas, encoding):
    login(client, personas.secretary_a)
    data = CSV_ROSTER.format(id=make_id_number(602, birth="19800101")).encode(encoding)
    response = client.post(
        reverse("orgs:import_start", args=["people"]), {"file": upload(data, "花名册.csv")}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.READY, job.errors
    page = client.get(reverse("orgs:import_job", args=[job.pk])).content.decode()
    assert "周杰" in page and "第4行" not in page  # no error rows
    client.post(reverse("orgs:import_commit", args=[job.pk]))
    person = Person.objects.get(employee_no="N001")
    assert (person.name, person.phone) == ("周杰", "0731-84561234")


def test_the_upload_form_admits_csv(client, personas):
    login(client, personas.secretary_a)
    response = client.get(reverse("orgs:import_start", args=["people"]))
    page = response.content.decode()
    assert '<input type="file"' in page and 'accept=".xlsx,.csv,text/csv"' in page
    assert "UTF-8 或 GBK" in page


def test_a_legacy_id_number_is_upgraded_with_a_warning_in_the_preview(client, personas):
    login(client, personas.secretary_a)
    data = branch_roster([member(id_number=LEGACY)])
    client.post(reverse("orgs:import_start", args=["people"]), {"file": upload(data, "a.xlsx")})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.READY, job.errors
    expected = f"15位旧号码已转换为18位（{mask_id_number(UPGRADED)}），请核对。"
    assert job.summary["warnings"] == [{"row": 5, "column": "身份证号码", "message": expected}]
    page = client.get(reverse("orgs:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-warnings"' in page and expected in page
    import_job_commit(actor=personas.secretary_a, job=job)
    person = Person.objects.get(employee_no="N001")
    assert person.id_number == UPGRADED and person.birth_date.isoformat() == "1985-03-15"


def test_the_api_returns_the_warnings(api, personas):
    login(api, personas.company)
    data = branch_roster([member(id_number=LEGACY)])
    response = api.post(
        reverse("api:person-import"),
        {"file": upload(data, "a.xlsx"), "dry_run": "1"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    (warning,) = response.json()["warnings"]
    assert warning["row"] == 5 and warning["column"] == "身份证号码"


# --- a stale preview ------------------------------------------------------------------------------


def validated(personas, rows) -> ImportJob:
    data = branch_roster(rows)
    job = import_job_create(
        actor=personas.secretary_a, kind="people", uploaded_file=upload(data, "a.xlsx")
    )
    assert job.status == ImportJob.Status.READY, job.errors
    return job


def test_a_preview_committed_after_someone_changed_the_people_is_refused(personas, people):
    li_si = people.li_si
    job = validated(personas, [member(name="李四", employee_no=li_si.employee_no)])
    assert job.summary["updated"] == 1
    person_update(actor=personas.county, person=li_si, data={"work_unit": "县公司"})
    before = Person.objects.values_list("pk", "name", "phone", "work_unit", "updated_at")
    before = sorted(before)
    job = import_job_commit(actor=personas.secretary_a, job=job)
    assert job.status == ImportJob.Status.INVALID
    (found,) = job.errors
    assert found["row"] == 0 and found["message"].startswith("数据已变化，请重新校验")
    assert "人员" in found["message"]
    after = sorted(Person.objects.values_list("pk", "name", "phone", "work_unit", "updated_at"))
    assert after == before


def test_a_person_created_meanwhile_who_a_row_now_matches_refuses_the_commit(personas):
    job = validated(personas, [member(employee_no="N777")])
    assert job.summary["created"] == 1
    Person.objects.create(
        name="周杰", employee_no="N777", organization_id=Organization.objects.get(code="C-A-1").pk
    )
    job = import_job_commit(actor=personas.secretary_a, job=job)
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["message"].startswith("数据已变化，请重新校验")


def test_an_unchanged_preview_commits(personas, people):
    job = validated(personas, [member(name="李四", employee_no=people.li_si.employee_no)])
    job = import_job_commit(actor=personas.secretary_a, job=job)
    assert job.status == ImportJob.Status.DONE, job.errors
    people.li_si.refresh_from_db()
    assert people.li_si.phone == "13800138000"


def test_an_organizations_preview_is_refused_after_someone_edited_one(personas, tree):
    from bastion.orgs.services import organization_update

    book = openpyxl.Workbook()
    book.active.append(["组织编码", "组织名称", "组织类型", "单位类别", "联系电话"])
    book.active.append(["C-A-1", "A1供电所党支部", "党支部", "基层供电所", "0731-84561234"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = import_job_create(
        actor=personas.county,
        kind="organizations",
        uploaded_file=upload(buffer.getvalue(), "组织.xlsx"),
    )
    assert job.status == ImportJob.Status.READY, job.errors
    organization_update(
        actor=personas.company, organization=tree.station_a1, data={"address": "新地址"}
    )
    job = import_job_commit(actor=personas.county, job=job)
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["message"].startswith("数据已变化，请重新校验")
    tree.station_a1.refresh_from_db()
    assert tree.station_a1.phone != "0731-84561234"


# --- typed the same way: forms and the API --------------------------------------------------------


def test_the_person_form_makes_typed_values_plain(client, personas, tree):
    client.force_login(personas.secretary_a)
    post = person_post(
        tree.station_a1,
        name="周　杰",
        employee_no="Ｅ９０００１",
        phone="（０７３１）８４５６１２３４",
        id_number=LEGACY,
    )
    response = client.post(reverse("orgs:person_create"), post)
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(employee_no="E90001")
    assert (person.name, person.phone, person.id_number) == ("周杰", "0731-84561234", UPGRADED)


def test_the_person_form_refuses_a_bad_phone_number(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.post(reverse("orgs:person_create"), person_post(tree.station_a1, phone="123"))
    assert response.status_code == 200
    assert "不是有效的电话号码" in response.context["form"].errors["phone"][0]
    assert not Person.objects.filter(employee_no="E900001").exists()


def test_the_organization_form_refuses_a_bad_phone_number(client, personas, tree):
    client.force_login(personas.company)
    url = reverse("orgs:org_edit", args=[tree.station_a1.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["is_active"] = "on"
    response = client.post(url, {**data, "phone": "8456"})
    assert response.status_code == 200
    assert "不是有效的电话号码" in response.context["form"].errors["phone"][0]
    response = client.post(url, {**data, "phone": "０７３１－８４５６１２３４"})
    assert response.status_code == 302
    tree.station_a1.refresh_from_db()
    assert tree.station_a1.phone == "0731-84561234"


def test_the_api_makes_typed_values_plain_and_refuses_bad_phones(api, personas, people):
    login(api, personas.company)
    url = reverse("api:person-detail", args=[people.li_si.pk])
    response = api.patch(url, {"name": "李　四", "phone": "１３８００１３８０００"}, format="json")
    assert response.status_code == 200, response.content
    people.li_si.refresh_from_db()
    assert (people.li_si.name, people.li_si.phone) == ("李四", "13800138000")
    response = api.patch(url, {"phone": "12345"}, format="json")
    assert response.status_code == 400
    assert "不是有效的电话号码" in str(response.json()["phone"])
    response = api.patch(url, {"id_number": LEGACY}, format="json")
    assert response.status_code == 200, response.content
    people.li_si.refresh_from_db()
    assert people.li_si.id_number == UPGRADED


# --- files saved by the programs branches use -----------------------------------------------------

FILES = Path(__file__).parent / "files"


@pytest.mark.parametrize(
    "name",
    [
        "roster_libreoffice.xlsx",  # LibreOffice Calc's own .xlsx: title merged, dates as 年月日
        "roster_libreoffice.csv",  # its CSV: UTF-8 without BOM, dates as text
        "roster_gbk.csv",  # the same as Excel on a Chinese Windows saves CSV: GBK
    ],
)
def test_a_roster_saved_by_libreoffice_or_as_gbk_csv_imports_without_editing(personas, name):
    """Files made by the programs themselves (not by openpyxl), committed as they were saved."""
    data = (FILES / name).read_bytes()
    result = run_import(kind="people", actor=personas.company, file=upload(data, name))
    assert result.ok, result.errors
    assert result.created == 2
    zhou = Person.objects.get(employee_no="N611")
    assert (zhou.name, zhou.phone, zhou.id_number) == ("周杰", "13800138611", "44090219800101611X")
    assert (zhou.admitted_on.isoformat(), zhou.confirmed_on.isoformat()) == (
        "2010-07-01",
        "2011-07-01",
    )
    li = Person.objects.get(employee_no="N612")
    assert (li.name, li.phone, li.organization.code) == ("李明", "0731-84561234", "C-A-1")
