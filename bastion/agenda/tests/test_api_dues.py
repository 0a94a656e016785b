"""``/api/v1/dues/``: the ledger through the door (a member sees their own), recording a
payment through the service, and ``dues/quote/`` with the exact amounts of the brackets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bastion.agenda.models import DuesPayment, Obligation
from bastion.agenda.services.obligations import generate_year
from bastion.core.testing import Scope, login, persona_matrix, seen_by_persona
from bastion.orgs.tests.factories import PersonFactory

PAYERS = ("zhang_san", "wang_wu", "zhao_liu")
VISIBLE = {
    "company": {"zhang_san", "wang_wu", "zhao_liu"},
    "county": {"zhang_san", "wang_wu"},
    "secretary_a": {"zhang_san"},
    "secretary_b": {"zhao_liu"},
    "member": {"zhang_san"},  # their own payments, without any dues permission
    "outsider": set(),
}
URL = reverse("api:dues-list")
QUOTE = reverse("api:dues-quote")


def pay(person, month, amount="40.00", paid_on=None):
    return DuesPayment.objects.create(
        person=person,
        organization=person.organization,
        month=month,
        amount=Decimal(amount),
        paid_on=paid_on or month,
    )


@pytest.fixture
def ledger(people):
    """January and February 2026 paid by the three full members."""
    payments = {}
    for name in PAYERS:
        for month in (1, 2):
            payments[name, month] = pay(getattr(people, name), dt.date(2026, month, 1))
    return payments


def names(response, people):
    assert response.status_code == 200, response.content
    by_id = {getattr(people, name).pk: name for name in vars(people)}
    return sorted(by_id[row["person"]["id"]] for row in response.json()["results"])


# --- the matrix ---------------------------------------------------------------------------------


# Both payments of each payer: seen by whoever sees the payer.
DUES = Scope(
    objects="ledger",
    seen_by={
        (payer, month): seen
        for payer, seen in seen_by_persona(VISIBLE, PAYERS).items()
        for month in (1, 2)
    },
    detail=["api:dues-detail"],
    rows=["api:dues-list"],
)

test_dues_are_read_inside_the_scope_only = persona_matrix(DUES)


def test_anonymous_is_refused(api, ledger):
    assert api.get(URL).status_code in (401, 403)
    assert api.get(QUOTE, {"category": "employed", "base": "4000"}).status_code in (401, 403)


def test_payment_representation(api, personas, tree, people, ledger):
    login(api, personas.secretary_a)
    row = api.get(reverse("api:dues-detail", args=[ledger["zhang_san", 2].pk])).json()
    assert row["person"] == {"id": people.zhang_san.pk, "name": "张三"}
    assert row["organization"] == {"id": tree.station_a1.pk, "name": "A1供电所党支部"}
    assert (row["month"], row["month_label"]) == ("2026-02-01", "2026-02")
    assert (row["amount"], row["paid_on"]) == ("40.00", "2026-02-01")


# --- filters ------------------------------------------------------------------------------------


def test_filters_by_org_within_person_year_and_month(api, personas, tree, people, ledger):
    pay(people.zhang_san, dt.date(2025, 12, 1))
    login(api, personas.company)
    assert names(api.get(URL, {"org": tree.station_a2.pk}), people) == ["wang_wu"] * 2
    assert names(api.get(URL, {"org": tree.county_a.pk}), people) == []
    within = names(api.get(URL, {"within": tree.county_a.pk}), people)
    assert within == ["wang_wu"] * 2 + ["zhang_san"] * 3
    assert names(api.get(URL, {"person": people.zhao_liu.pk}), people) == ["zhao_liu"] * 2
    assert names(api.get(URL, {"year": 2025}), people) == ["zhang_san"]
    assert len(names(api.get(URL, {"year": 2026, "month": 2}), people)) == 3
    assert len(names(api.get(URL, {"month": 12}), people)) == 1


@pytest.mark.parametrize(
    "query,status",
    [({"org": "station_b1"}, 404), ({"within": "county_b"}, 404), ({"person": "zhao_liu"}, 400)],
    ids=["org", "within", "person"],
)
def test_choices_outside_scope_are_refused(api, personas, tree, people, ledger, query, status):
    """An organization outside the scope is not found, as any object there; a person outside
    it is a bad choice on that parameter."""
    ((name, target),) = query.items()
    value = getattr(tree, target, None) or getattr(people, target)
    login(api, personas.secretary_a)
    response = api.get(URL, {name: value.pk})
    assert response.status_code == status
    if status == 400:
        assert name in response.json()


@pytest.mark.parametrize("query", [{"month": 13}, {"month": "x"}, {"year": "二〇二六"}])
def test_bad_numbers_are_400(api, personas, ledger, query):
    login(api, personas.company)
    response = api.get(URL, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


# --- recording a payment ------------------------------------------------------------------------


def this_month():
    return timezone.localdate().replace(day=1)


def body(payer, **extra):
    today = timezone.localdate()
    return {
        "person": payer.pk,
        "month": f"{today:%Y-%m}",
        "amount": "40.00",
        "paid_on": today.isoformat(),
        **extra,
    }


@pytest.mark.parametrize(
    "persona,payer,expected",
    [
        ("company", "zhao_liu", 201),
        ("county", "wang_wu", 201),
        ("secretary_a", "zhang_san", 201),
        ("secretary_b", "zhao_liu", 201),
        ("secretary_a", "zhao_liu", 400),  # the person lies outside the scope
        ("county", "zhao_liu", 400),
        ("member", "zhang_san", 403),  # may see their own ledger, not write it
        ("outsider", "zhang_san", 403),
    ],
)
def test_create_follows_the_scope(api, personas, people, persona, payer, expected):
    person = getattr(people, payer)
    login(api, getattr(personas, persona))
    response = api.post(URL, body(person), format="json")
    assert response.status_code == expected, response.content
    saved = DuesPayment.objects.filter(person=person, month=this_month())
    assert saved.exists() == (expected == 201)
    if expected == 201:
        row = response.json()
        assert row["person"]["id"] == person.pk
        assert row["organization"]["id"] == person.organization_id
        assert row["month"] == this_month().isoformat()
    elif expected == 400:
        assert "person" in response.json()


def test_a_payment_fulfils_the_branch_dues_obligation(api, personas, tree, people):
    generate_year(this_month().year)
    login(api, personas.secretary_a)
    response = api.post(URL, body(people.zhang_san, month=this_month().isoformat()), format="json")
    assert response.status_code == 201, response.content
    obligation = Obligation.objects.get(
        organization=tree.station_a1, kind="dues", period_start=this_month()
    )
    assert obligation.fulfilled_on == timezone.localdate()  # 张三 is A1's only member


@pytest.mark.parametrize(
    "field,value,words",
    [
        ("amount", "0", "金额必须大于 0"),
        ("amount", "-5", "金额必须大于 0"),
        ("amount", "abc", ""),
        ("month", "2026-13", "所属月份"),
        ("month", "下个月", "所属月份"),
        ("paid_on", "2099-01-01", "不能晚于今天"),
        ("person", 999999, "不存在或不在您的管理范围内"),
    ],
)
def test_bad_input_is_400_on_its_field_and_writes_nothing(
    api, personas, people, field, value, words
):
    login(api, personas.company)
    response = api.post(URL, body(people.zhang_san, **{field: value}), format="json")
    assert response.status_code == 400
    (message,) = response.json()[field]
    assert words in message
    assert not DuesPayment.objects.exists()


def test_service_rules_answer_400_in_chinese(api, personas, people):
    login(api, personas.company)
    assert api.post(URL, body(people.zhang_san), format="json").status_code == 201
    twice = api.post(URL, body(people.zhang_san), format="json")
    assert twice.status_code == 400
    assert "不能重复登记" in twice.json()["non_field_errors"][0]
    not_member = api.post(URL, body(people.li_si), format="json")
    assert not_member.status_code == 400
    assert "无需缴纳党费" in not_member.json()["non_field_errors"][0]
    assert DuesPayment.objects.count() == 1


# --- quote --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category,base,amount,rate",
    [
        ("employed", "4000", "40.00", "1.00"),
        ("employed", "3000", "15.00", "0.50"),
        ("employed", "3000.01", "30.00", "1.00"),
        ("employed", "0", "0.00", "0.50"),
        ("employed", "10000.01", "200.00", "2.00"),
        ("retired", "5000.01", "50.00", "1.00"),
        ("retired", "5000", "25.00", "0.50"),
        ("fixed", None, "0.20", None),
    ],
)
def test_quote_exact_amounts(api, personas, category, base, amount, rate):
    login(api, personas.outsider)  # needs only a signed-in account
    query = {"category": category} | ({"base": base} if base is not None else {})
    response = api.get(QUOTE, query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["amount"] == amount
    assert (body["category"], body["rate"]) == (category, rate)
    assert body["bracket"]
    assert body["base"] == (None if base is None else f"{Decimal(base):.2f}")


def test_quote_names_its_bracket_and_source(api, personas):
    login(api, personas.member)
    body = api.get(QUOTE, {"category": "employed", "base": "4000"}).json()
    assert body == {
        "amount": "40.00",
        "category": "employed",
        "category_display": "在职党员",
        "base": "4000.00",
        "rate": "1.00",
        "fixed_amount": None,
        "bracket": "在职党员 3000.00-5000.00",
        "effective_from": "2020-01-01",
        "source": body["source"],
    }
    assert "党费" in body["source"]


@pytest.mark.parametrize(
    "query,field,words",
    [
        ({"category": "employed", "base": "abc"}, "base", "不是有效金额"),
        ({"category": "employed", "base": "-1"}, "base", "不能为负数"),
        ({"category": "employed", "base": "4000.001"}, "base", "两位小数"),
        ({"category": "employed"}, "base", "请填写月缴费基数"),
        ({"category": "moon", "base": "4000"}, "category", "党员类别“moon”无效"),
        ({"base": "4000"}, "category", "请填写党员类别"),
    ],
)
def test_bad_quote_is_400_in_chinese(api, personas, query, field, words):
    login(api, personas.member)
    response = api.get(QUOTE, query)
    assert response.status_code == 400
    (message,) = response.json()[field]
    assert words in message


def test_quote_with_a_token(api, personas):
    token = api.post(
        "/api/v1/auth/token/", {"username": "p_outsider", "password": "bastion-test"}
    ).json()["token"]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert other.get(QUOTE, {"category": "employed", "base": "4000"}).json()["amount"] == "40.00"


# --- constant queries ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["company", "secretary_a", "member"])
def test_list_queries_do_not_grow_with_rows(
    api, personas, tree, people, ledger, persona, django_assert_num_queries
):
    login(api, getattr(personas, persona))
    # Session, user, role assignments, count, page.
    with django_assert_num_queries(5):
        small = api.get(URL, {"page_size": 500}).json()
    for month in range(3, 13):
        pay(people.zhang_san, dt.date(2026, month, 1))
    for _i in range(20):
        pay(PersonFactory(organization=tree.station_a1), dt.date(2026, 1, 1), paid_on=None)
    with django_assert_num_queries(5):
        large = api.get(URL, {"page_size": 500}).json()
    assert large["count"] > small["count"]
    assert len(large["results"]) == large["count"]
