"""Excel pages through the test client: upload → bad rows → fixed upload → preview → commit."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from bastion.core.models import ImportJob
from bastion.core.testing import login
from bastion.orgs.middleware import SESSION_KEY
from bastion.orgs.models import Person
from bastion.orgs.tests.test_excel_people import row, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def chinese():
    """Messages are asserted in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


def post_file(client, data, kind="people", name="名册.xlsx"):
    return client.post(
        reverse("orgs:import_start", args=[kind]), {"file": SimpleUploadedFile(name, data)}
    )


def sheet_rows(response):
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.worksheets[0].iter_rows(min_row=2, values_only=True))


def test_upload_fix_preview_commit_journey(client, personas):
    login(client, personas.secretary_a)
    page = client.get(reverse("orgs:import_start", args=["people"]))
    assert page.status_code == 200
    assert reverse("orgs:import_template", args=["people"]) in page.content.decode()
    before = Person.objects.count()

    bad = workbook([row(工号="N1"), row(姓名="赵七", 工号="N2", 组织编码="C-B-1")])
    response = post_file(client, bad)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "orgs:import_job", args=[job.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert job.status == ImportJob.Status.INVALID
    assert 'data-testid="import-errors"' in page and "第3行" in page
    assert "组织编码“C-B-1”不存在或不在您的管理范围内。" in page
    assert "确认导入" not in page
    assert Person.objects.count() == before

    good = workbook([row(工号="N1"), row(姓名="赵七", 工号="N2")])
    response = post_file(client, good)
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.READY
    page = client.get(response["Location"]).content.decode()
    assert "将新增 2 条" in page and "赵七" in page and 'data-testid="import-commit"' in page
    assert Person.objects.count() == before

    response = client.post(reverse("orgs:import_commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.summary["created"] == 2
    assert "导入完成：新增 2 条" in client.get(response["Location"]).content.decode()
    assert Person.objects.count() == before + 2

    client.post(reverse("orgs:import_commit", args=[job.pk]))  # a second click writes nothing
    assert Person.objects.count() == before + 2


def test_another_users_job_is_not_found(client, personas):
    login(client, personas.secretary_a)
    post_file(client, workbook([row(工号="N1")]))
    job = ImportJob.objects.get()
    login(client, personas.secretary_b)
    for name in ("orgs:import_job", "orgs:import_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("orgs:import_commit", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


def test_progress_fragment_polls_while_validating_and_reloads_when_done(client, personas):
    user = personas.secretary_a
    login(client, user)
    job = ImportJob.objects.create(
        kind="people",
        original_name="a.xlsx",
        file="x.xlsx",
        created_by=user,
        total_rows=4000,
        processed_rows=1000,
    )
    page = client.get(reverse("orgs:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "25%" in page
    fragment = client.get(reverse("orgs:import_progress", args=[job.pk]))
    assert "HX-Refresh" not in fragment and "1000 / 4000" in fragment.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.READY)
    fragment = client.get(reverse("orgs:import_progress", args=[job.pk]))
    assert fragment["HX-Refresh"] == "true" and "every 1s" not in fragment.content.decode()


@override_settings(BASTION_MAX_UPLOAD_BYTES=1000)
def test_oversized_upload_is_refused_on_the_form(client, personas):
    login(client, personas.secretary_a)
    response = post_file(client, workbook([row(工号=f"N{i}") for i in range(30)]))
    assert response.status_code == 200 and "超过了上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_template_download(client, personas):
    login(client, personas.county)
    response = client.get(reverse("orgs:import_template", args=["organizations"]))
    assert response["Content-Type"] == XLSX and "attachment" in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["组织", "填写说明"]


def test_secretary_export_holds_only_their_branch(client, personas):
    login(client, personas.secretary_a)
    rows = sheet_rows(client.get(reverse("orgs:person_export")))
    assert sorted(r[0] for r in rows) == ["张三", "李四"]


def test_export_honours_filters(client, personas, tree):
    login(client, personas.company)
    rows = sheet_rows(client.get(reverse("orgs:person_export"), {"membership_status": "full"}))
    assert sorted(r[0] for r in rows) == ["张三", "王五", "赵六"]
    rows = sheet_rows(client.get(reverse("orgs:person_export"), {"within": tree.station_a2.pk}))
    assert [r[0] for r in rows] == ["王五"]
    rows = sheet_rows(client.get(reverse("orgs:org_export"), {"within": tree.county_b.pk}))
    assert [r[0] for r in rows] == ["C-B", "C-B-1"]


@pytest.mark.parametrize("name", ["orgs:person_export", "orgs:org_export"])
def test_export_within_another_branch_is_404(client, personas, tree, name):
    login(client, personas.secretary_a)
    assert client.get(reverse(name), {"within": tree.station_b1.pk}).status_code == 404


def test_roster_export_holds_what_the_page_shows(client, personas, tree):
    login(client, personas.company)
    session = client.session
    session[SESSION_KEY] = tree.station_a2.pk  # the switcher narrows the roster by default
    session.save()
    page = client.get(reverse("orgs:person_list"))
    shown = sorted(person.name for person in page.context["page"])
    rows = sheet_rows(client.get(reverse("orgs:person_export")))
    assert sorted(r[0] for r in rows) == shown == ["王五"]
    rows = sheet_rows(client.get(reverse("orgs:person_export"), {"all": "1"}))
    assert len(rows) > 1


def test_organization_export_respects_scope(client, personas):
    login(client, personas.secretary_a)
    rows = sheet_rows(client.get(reverse("orgs:org_export")))
    assert [r[0] for r in rows] == ["C-A-1", "C-A-1-G1"]


@pytest.mark.parametrize(
    "name,args",
    [
        ("orgs:import_start", ["people"]),
        ("orgs:import_template", ["people"]),
        ("orgs:import_start", ["organizations"]),
        ("orgs:person_export", []),
        ("orgs:org_export", []),
    ],
)
def test_outsider_gets_404_on_every_excel_page(client, personas, name, args):
    login(client, personas.outsider)
    assert client.get(reverse(name, args=args)).status_code == 404


def test_branch_secretary_may_not_import_organizations(client, personas):
    login(client, personas.secretary_a)
    assert client.get(reverse("orgs:import_start", args=["organizations"])).status_code == 404
    assert client.get(reverse("orgs:import_start", args=["nonsense"])).status_code == 404


def test_allowed_personas_reach_the_pages(client, personas):
    for user, kinds in (
        (personas.company, ["people", "organizations"]),
        (personas.county, ["people", "organizations"]),
        (personas.secretary_a, ["people"]),
    ):
        login(client, user)
        for kind in kinds:
            assert client.get(reverse("orgs:import_start", args=[kind])).status_code == 200
            assert client.get(reverse("orgs:import_template", args=[kind])).status_code == 200
        assert client.get(reverse("orgs:person_export")).status_code == 200
        assert client.get(reverse("orgs:org_export")).status_code == 200
