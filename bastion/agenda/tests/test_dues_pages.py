"""Dues pages through the test client: every persona in and out of scope, the writes, and
query counts that do not grow with the number of members."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bastion.agenda.models import DuesPayment, DuesProfile
from bastion.agenda.services import dues as services
from bastion.core.models import ImportJob
from bastion.core.testing import PERSONAS, count_queries
from bastion.orgs.tests.factories import make_org

from .dues_fixtures import TODAY, member, pinned_today, read_rows, sheet_row, workbook  # noqa: F401

D = dt.date
pytestmark = pytest.mark.usefixtures("pinned_today")


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def ledger_data(request, personas, tree, people):
    """张三 and a second member at A1 (one with a profile and a payment), 赵六 at B1."""
    request.getfixturevalue("pinned_today")
    second = member(tree.station_a1, name="孙八")
    services.profile_set(
        actor=personas.company, person=people.zhang_san, year=2025, category="employed", base="4000"
    )
    services.payment_record(
        actor=personas.company,
        person=people.zhang_san,
        month=D(2025, 3, 1),
        amount="40",
        paid_on=D(2025, 3, 5),
    )
    services.payment_record(
        actor=personas.company,
        person=people.zhao_liu,
        month=D(2025, 3, 1),
        amount="40",
        paid_on=D(2025, 3, 5),
    )
    return second


def status_of(client, user, url_name, params=None, *, args=None, method="get"):
    client.force_login(user)
    url = reverse(url_name if ":" in url_name else f"agenda:{url_name}", args=args)
    response = getattr(client, method)(url, params or {})
    return response.status_code


def pk(tree, name):
    return {"org": getattr(tree, name).pk}


MATRIX = [
    # (page, org, expected status for company, county, secretary_a, secretary_b, member, outsider)
    ("dues_ledger", "station_a1", (200, 200, 200, 404, 200, 404)),
    ("dues_ledger", "station_b1", (200, 404, 404, 200, 404, 404)),
    ("dues_ledger", "group_a1", (200, 200, 200, 404, 200, 404)),
    ("dues_ledger", None, (200, 200, 200, 200, 200, 404)),
    ("dues_profiles", "station_a1", (200, 200, 200, 404, 404, 404)),
    ("dues_profiles", None, (200, 200, 200, 200, 404, 404)),
    ("dues_payment_add", "station_a1", (200, 200, 200, 404, 404, 404)),
    ("dues_payment_add", "station_b1", (200, 404, 404, 200, 404, 404)),
    ("dues_totals", "county_a", (200, 200, 404, 404, 404, 404)),
    ("dues_totals", "company", (200, 404, 404, 404, 404, 404)),
    ("dues_totals", None, (200, 200, 200, 200, 404, 404)),
    ("dues_quote", None, (200, 200, 200, 200, 200, 404)),
    ("dues_export", "station_a1", (200, 200, 200, 404, 404, 404)),
    ("dues_export", "station_b1", (200, 404, 404, 200, 404, 404)),
    ("dues_import", None, (302, 302, 302, 302, 404, 404)),
]


@pytest.mark.parametrize("page,org,expected", MATRIX)
def test_persona_scope_matrix(client, personas, tree, ledger_data, page, org, expected):
    params = pk(tree, org) if org else {}
    found = tuple(status_of(client, getattr(personas, p), page, params) for p in PERSONAS)
    assert found == expected


def test_unknown_or_garbage_org_is_404(client, personas, tree, ledger_data):
    for raw in ("999999", "abc"):
        assert status_of(client, personas.company, "dues_ledger", {"org": raw}) == 404


def test_member_sees_only_their_own_row(client, personas, tree, people, ledger_data):
    client.force_login(personas.member)
    page = client.get(reverse("agenda:dues_ledger")).content.decode()
    assert "张三" in page and "孙八" not in page
    assert 'data-testid="dues-picker"' in page and 'id="id_org"' not in page
    assert "dues-export" not in page and "登记缴费" not in page
    client.force_login(personas.secretary_a)
    page = client.get(reverse("agenda:dues_ledger"), pk(tree, "station_a1")).content.decode()
    assert "张三" in page and "孙八" in page and "赵六" not in page


def test_ledger_shows_statuses_totals_and_the_alarm(client, personas, tree, people, ledger_data):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("agenda:dues_ledger"), {**pk(tree, "station_a1"), "year": 2025})
    page = response.content.decode()
    assert 'data-status="paid"' in page and 'data-status="due"' in page
    assert 'data-status="not_yet"' in page
    # 孙八 has paid nothing: Dec 2024 - May 2025 are six unpaid months before June 2025.
    assert 'data-testid="dues-alarms"' in page
    assert "连续6个月及以上未缴纳党费（自行脱党风险）" in page
    assert "连续6月未缴，共欠6月" in page
    assert page.count('data-testid="alarm-row"') == 1  # 张三 paid March: two missed since
    assert [row.person for row in response.context["ledger"].alarms] == [ledger_data]
    assert 'data-testid="collected-total">40.00' in page
    assert 'data-testid="expected-total">240.00' in page  # 张三 40 × Jan-Jun
    assert 'data-testid="dues-without-profile"' in page


def test_profiles_form_saves_all_or_nothing(client, personas, tree, people, ledger_data):
    second = ledger_data
    client.force_login(personas.secretary_a)
    url = reverse("agenda:dues_profiles")
    page = client.get(url, pk(tree, "station_a1")).content.decode()
    assert f'name="p{second.pk}-base"' in page and "40.00" in page
    zhang = people.zhang_san
    bad = {
        "org": tree.station_a1.pk,
        "year": 2025,
        f"p{zhang.pk}-category": "retired",
        f"p{zhang.pk}-base": "6000",
        f"p{second.pk}-category": "employed",
        f"p{second.pk}-base": "-1",
    }
    response = client.post(url, bad)
    assert response.status_code == 200 and "缴费基数不能为负数" in response.content.decode()
    assert DuesProfile.objects.get(person=zhang).category == "employed"
    response = client.post(url, {**bad, f"p{second.pk}-base": "12000"})
    assert response.status_code == 302
    amounts = dict(DuesProfile.objects.values_list("person__name", "monthly_amount"))
    assert amounts == {"张三": Decimal("60.00"), "孙八": Decimal("240.00")}
    outside = {"org": tree.station_b1.pk, "year": 2025}
    assert client.post(url, outside).status_code == 404


def test_profiles_carry_last_years_values(client, personas, tree, people, ledger_data):
    client.force_login(personas.secretary_a)
    page = client.get(
        reverse("agenda:dues_profiles"), {**pk(tree, "station_a1"), "year": 2026}
    ).content.decode()
    assert 'value="4000.00"' in page and "沿用上年" in page


def test_quote_page_and_fragment(client, personas, ledger_data):
    client.force_login(personas.secretary_a)
    url = reverse("agenda:dues_quote")
    fragment = client.get(url, {"category": "employed", "base": "4000"}, HTTP_HX_REQUEST="true")
    assert "<strong>40.00</strong>" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    fragment = client.get(
        url,
        {"prefix": "p7", "p7-category": "retired", "p7-base": "5000.01"},
        HTTP_HX_REQUEST="true",
    )
    assert "<strong>50.00</strong>" in fragment.content.decode()
    fragment = client.get(url, {"category": "employed", "base": "abc"}, HTTP_HX_REQUEST="true")
    assert "不是有效金额" in fragment.content.decode()
    page = client.get(url, {"category": "fixed"})
    assert "<strong>0.20</strong>" in page.content.decode() and "<html" in page.content.decode()


def test_record_a_month_a_quarter_and_delete(client, personas, tree, people, ledger_data):
    second = ledger_data
    client.force_login(personas.secretary_a)
    url = reverse("agenda:dues_payment_add")
    base = {
        "org": tree.station_a1.pk,
        "person": people.zhang_san.pk,
        "mode": "month",
        "month": "2025-04",
        "amount": "",
        "paid_on": "2025-04-08",
    }
    response = client.post(url, base)
    assert response.status_code == 302
    assert DuesPayment.objects.get(person=people.zhang_san, month=D(2025, 4, 1)).amount == 40
    response = client.post(url, base)
    assert response.status_code == 200 and "不能重复登记" in response.content.decode()
    no_profile = {**base, "person": second.pk}
    response = client.post(url, no_profile)
    assert "尚未设置该党员2025年的党费标准" in response.content.decode()
    quarter = {
        **no_profile,
        "mode": "quarter",
        "month": "2025-08",
        "amount": "12.5",
        "paid_on": "2025-06-01",
    }
    assert client.post(url, quarter).status_code == 302
    months = DuesPayment.objects.filter(person=second).values_list("month", flat=True)
    assert sorted(months) == [D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1)]
    future = {**base, "month": "2025-05", "paid_on": "2025-06-16"}
    assert "不能晚于今天" in client.post(url, future).content.decode()
    outsider = {**base, "person": people.zhao_liu.pk, "month": "2025-05"}
    response = client.post(url, outsider)
    assert (
        response.status_code == 200
        and not DuesPayment.objects.filter(person=people.zhao_liu, month=D(2025, 5, 1)).exists()
    )

    page = client.get(url, {"org": tree.station_a1.pk, "person": second.pk}).content.decode()
    assert 'data-testid="dues-recent"' in page and "2025-07" in page
    payment = DuesPayment.objects.get(person=second, month=D(2025, 7, 1))
    delete = reverse("agenda:dues_payment_delete", args=[payment.pk])
    for persona in ("secretary_b", "member", "outsider"):
        assert (
            status_of(
                client,
                getattr(personas, persona),
                "dues_payment_delete",
                args=[payment.pk],
                method="post",
            )
            == 404
        )
    client.force_login(personas.secretary_a)
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not DuesPayment.objects.filter(pk=payment.pk).exists()


def test_totals_per_child_subtree(client, personas, tree, people, ledger_data):
    client.force_login(personas.county)
    page = client.get(reverse("agenda:dues_totals"), {**pk(tree, "county_a"), "year": 2025})
    rows = page.context["rows"]
    by_name = {row["org"].name: row for row in rows}
    a1, a2 = by_name["A1供电所党支部"], by_name["A2供电所党支部"]
    assert (a1["members"], a1["collected"], a1["expected"]) == (2, Decimal("40"), Decimal("240"))
    assert (a1["unpaid"], a1["alarms"]) == (2, 1)
    assert (a2["members"], a2["collected"], a2["unpaid"], a2["alarms"]) == (1, 0, 1, 1)
    assert page.context["grand"]["members"] == 3
    assert 'data-testid="grand-collected">40.00' in page.content.decode()
    client.force_login(personas.company)
    page = client.get(reverse("agenda:dues_totals"), {**pk(tree, "company"), "year": 2025})
    by_name = {row["org"].name: row for row in page.context["rows"]}
    assert by_name["B县公司党委"]["collected"] == Decimal("40")
    assert by_name["A县公司党委"]["members"] == 3


def test_export_is_scoped_to_the_branch(client, personas, tree, people, ledger_data):
    client.force_login(personas.company)
    response = client.get(reverse("agenda:dues_export"), {**pk(tree, "station_a1"), "year": 2025})
    assert [r[0] for r in read_rows(response.content)] == ["张三"]
    assert "attachment" in response["Content-Disposition"]


def test_import_journey_through_the_job_pages(client, personas, tree, people):
    client.force_login(personas.secretary_a)
    assert client.get(reverse("agenda:dues_import"))["Location"] == reverse(
        "orgs:import_start", args=["dues_payments"]
    )
    start = reverse("orgs:import_start", args=["dues_payments"])
    page = client.get(start).content.decode()
    assert reverse("orgs:import_template", args=["dues_payments"]) in page
    assert reverse("agenda:dues_ledger") in page  # the way back
    zhang = people.zhang_san.employee_no
    bad = workbook([sheet_row(工号=zhang, 所属月份="2025-03", 金额="0", 缴纳日期=D(2025, 3, 1))])
    response = client.post(start, {"file": SimpleUploadedFile("党费.xlsx", bad)})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("orgs:import_job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert job.kind == "dues_payments" and 'data-testid="import-errors"' in page
    assert "第2行" in page and "金额必须大于 0" in page and "确认导入" not in page

    good = workbook([sheet_row(工号=zhang, 所属月份="2025-03", 金额="40", 缴纳日期=D(2025, 3, 1))])
    response = client.post(start, {"file": SimpleUploadedFile("党费.xlsx", good)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.READY
    page = client.get(response["Location"]).content.decode()
    assert "将新增 1 条" in page and not DuesPayment.objects.exists()
    progress = client.get(reverse("orgs:import_progress", args=[job.pk]))
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    for persona in ("company", "secretary_b", "member", "outsider"):
        for name in ("orgs:import_job", "orgs:import_progress"):
            assert status_of(client, getattr(personas, persona), name, args=[job.pk]) == 404
        assert (
            status_of(
                client,
                getattr(personas, persona),
                "orgs:import_commit",
                args=[job.pk],
                method="post",
            )
            == 404
        )
    client.force_login(personas.secretary_a)
    response = client.post(reverse("orgs:import_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and DuesPayment.objects.count() == 1
    assert "新增 1 条" in client.get(response["Location"]).content.decode()
    client.post(reverse("orgs:import_commit", args=[job.pk]))  # a second click
    assert DuesPayment.objects.count() == 1


# --- constant queries -------------------------------------------------------------------------


def grow(tree, count: int, tag: str):
    """More members (with profiles and payments) at A1 and its group, and more stations."""
    for i in range(count):
        org = tree.station_a1 if i % 2 else tree.group_a1
        person = member(org, name=f"成员{tag}{i}")
        DuesProfile.objects.create(
            person=person, year=2025, category="employed", base=4000, monthly_amount=40
        )
        for month in (1, 2, 3):
            DuesPayment.objects.create(
                person=person,
                organization=tree.station_a1,
                month=D(2025, month, 1),
                amount=40,
                paid_on=D(2025, month, 3),
            )
        station = make_org(tree.county_a, name=f"扩展所{tag}{i}", code=f"C-A-{tag}{i:03d}")
        member(station)


@pytest.mark.parametrize(
    "persona,page,org",
    [
        ("secretary_a", "dues_ledger", "station_a1"),
        ("company", "dues_ledger", "station_a1"),
        ("member", "dues_ledger", None),
        ("secretary_a", "dues_profiles", "station_a1"),
        ("secretary_a", "dues_payment_add", "station_a1"),
        ("county", "dues_totals", "county_a"),
        ("company", "dues_totals", "company"),
        ("secretary_a", "dues_export", "station_a1"),
        ("secretary_a", "dues_quote", None),
    ],
)
def test_page_queries_do_not_grow_with_data(
    client, personas, tree, ledger_data, persona, page, org
):
    client.force_login(getattr(personas, persona))
    url = reverse(f"agenda:{page}")
    params = {
        **(pk(tree, org) if org else {}),
        "year": 2025,
        "category": "employed",
        "base": "4000",
    }
    grow(tree, 2, "S")
    small = count_queries(client, url, params)
    grow(tree, 20, "L")
    assert count_queries(client, url, params) == small


def test_a_committee_without_members_of_its_own_points_to_the_totals(
    client, personas, tree, ledger_data
):
    client.force_login(personas.company)
    page = client.get(reverse("agenda:dues_ledger"), pk(tree, "county_a")).content.decode()
    assert 'data-testid="dues-empty"' in page and 'data-testid="dues-ledger"' not in page
    assert f"{reverse('agenda:dues_totals')}?org={tree.county_a.pk}" in page
