"""Calendar pages: everyone reads, only the department edits; constant queries."""

import datetime as dt

import pytest
from django.urls import reverse

from bastion.agenda.models import CalendarRule, Obligation
from bastion.core.testing import PERSONAS, count_queries

from .calendar_helpers import department_below_root, freeze_today

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


def rule_form(**overrides):
    data = {
        "name": "支委会",
        "applies_kinds": ["branch", "temporary_branch", "general_branch"],
        "due_month": "0",
        "due_day": "20",
        "green_days": "10",
        "yellow_days": "5",
        "evidence_required": "会议记录\n签到表",
        "source": "支部工作条例",
        "sort_order": "20",
        "is_active": "on",
        "effective_from": "2026-07-01",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.django_db
def test_every_signed_in_user_reads_the_calendar(client, personas, persona, today):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("agenda:rule_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "每季度末月的第一个节气（惊蛰、芒种、白露、大雪）" in text and "组织生活会" in text
    assert client.get(reverse("agenda:rule_detail", args=["committee"])).status_code == 200
    assert client.get(reverse("agenda:rule_detail", args=["no-such-rule"])).status_code == 404
    can_edit = persona == "company"
    assert (reverse("agenda:rule_create") in text) == can_edit
    assert ('data-testid="generate-form"' in text) == can_edit


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.django_db
def test_edit_pages_belong_to_the_department(client, personas, persona, today):
    client.force_login(getattr(personas, persona))
    expected = 200 if persona == "company" else 403
    for name, args in [
        ("agenda:rule_create", []),
        ("agenda:rule_edit", ["committee"]),
        ("agenda:rule_retire", ["committee"]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == expected
    response = client.post(reverse("agenda:rule_edit", args=["committee"]), rule_form())
    assert response.status_code == (302 if persona == "company" else 403)
    assert CalendarRule.objects.filter(code="committee").count() == (
        2 if persona == "company" else 1
    )


@pytest.mark.django_db
def test_the_department_on_a_county_is_not_the_company(client, tree, today):
    client.force_login(department_below_root(tree))
    assert client.get(reverse("agenda:rule_edit", args=["committee"])).status_code == 403
    assert (
        client.post(reverse("agenda:rule_edit", args=["committee"]), rule_form()).status_code == 403
    )
    assert CalendarRule.objects.filter(code="committee").count() == 1


@pytest.mark.django_db
def test_revising_through_the_page_reports_the_re_dated_obligations(client, personas, tree, today):
    from bastion.agenda.services.obligations import generate_year

    generate_year(2026)
    client.force_login(personas.company)
    response = client.post(
        reverse("agenda:rule_edit", args=["committee"]), rule_form(), follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "2026-07-01 起生效" in text and "重新排定 18 条" in text
    july = Obligation.objects.get(
        organization=tree.station_a1, rule_code="committee", period_label="2026-07"
    )
    assert july.due_on == dt.date(2026, 7, 20)
    detail = client.get(reverse("agenda:rule_detail", args=["committee"])).content.decode()
    assert "2026-07-01" in detail and "2020-01-01" in detail and "待生效" in detail


@pytest.mark.django_db
def test_bad_posts_show_chinese_errors_and_change_nothing(client, personas, today):
    client.force_login(personas.company)
    response = client.post(
        reverse("agenda:rule_edit", args=["committee"]),
        rule_form(yellow_days="20", effective_from="2019-01-01"),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "生效日期不能早于" in text
    response = client.post(
        reverse("agenda:rule_edit", args=["committee"]), rule_form(yellow_days="20")
    )
    assert "不能大于绿色通知提前天数" in response.content.decode()
    response = client.post(
        reverse("agenda:rule_create"),
        rule_form(code="new-item", kind="custom", recurrence="quarterly", due_month="7"),
    )
    assert "0-3" in response.content.decode()
    assert CalendarRule.objects.count() == 9


@pytest.mark.django_db
def test_retire_through_the_page(client, personas, today):
    client.force_login(personas.company)
    response = client.post(
        reverse("agenda:rule_retire", args=["theme-day"]), {"effective_from": "2026-07-01"}
    )
    assert response.status_code == 302
    newest = CalendarRule.objects.filter(code="theme-day").order_by("-effective_from").first()
    assert (newest.effective_from, newest.is_active) == (dt.date(2026, 7, 1), False)


@pytest.mark.django_db
def test_create_through_the_page(client, personas, today):
    client.force_login(personas.company)
    response = client.post(
        reverse("agenda:rule_create"),
        rule_form(
            code="safety-talk",
            name="安全谈心谈话",
            kind="custom",
            recurrence="quarterly",
            due_month="2",
            due_day="15",
            effective_from="2026-01-01",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:rule_detail", args=["safety-talk"])
    created = CalendarRule.objects.get(code="safety-talk")
    assert created.evidence_required == ["会议记录", "签到表"]
    assert created.created_by == personas.company


@pytest.mark.parametrize("persona,status", [("company", 302), ("county", 403), ("member", 403)])
@pytest.mark.django_db
def test_generate_button(client, personas, tree, persona, status, today):
    client.force_login(getattr(personas, persona))
    url = reverse("agenda:obligations_generate")
    assert client.get(url).status_code == 405
    response = client.post(url, {"year": "2026"}, follow=status == 302)
    if status == 302:
        assert "已生成 2026 年应办事项" in response.content.decode()
        assert Obligation.objects.filter(organization=tree.station_b1).exists()
    else:
        assert response.status_code == status
        assert not Obligation.objects.exists()


def add_rules(n, tag):
    for i in range(n):
        CalendarRule.objects.create(
            code=f"extra-{tag}-{i}",
            name=f"附加事项{tag}{i}",
            kind="custom",
            recurrence="monthly",
            effective_from=dt.date(2020, 1, 1),
            source="测试",
            applies_kinds=["branch"],
            evidence_required=["记录"],
        )
        CalendarRule.objects.create(
            code=f"extra-{tag}-{i}",
            name=f"附加事项{tag}{i}",
            kind="custom",
            recurrence="monthly",
            effective_from=dt.date(2026, 9, 1),
            source="测试",
        )


@pytest.mark.django_db
def test_calendar_pages_cost_the_same_for_few_and_many_rules(client, personas, today):
    client.force_login(personas.company)
    urls = [reverse("agenda:rule_list"), reverse("agenda:rule_detail", args=["extra-a-0"])]
    add_rules(2, "a")
    small = [count_queries(client, url) for url in urls]
    add_rules(20, "b")
    CalendarRule.objects.create(
        code="extra-a-0",
        name="再修订",
        kind="custom",
        recurrence="monthly",
        effective_from=dt.date(2026, 10, 1),
        source="测试",
    )
    assert [count_queries(client, url) for url in urls] == small
