"""Calendar rules as data: revise with an effective date, retire, validation, who may edit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from bastion.agenda.calendar_view import due_rule_text, year_calendar
from bastion.agenda.models import CalendarRule, Obligation
from bastion.agenda.services.obligations import generate_year, rule_versions
from bastion.agenda.services.rules import (
    holds_at_root,
    obligations_generate,
    rule_create,
    rule_retire,
    rule_revise,
)
from bastion.orgs.tests.factories import UserFactory

from .calendar_helpers import department_below_root, freeze_today

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


def rule(code):
    return CalendarRule.objects.filter(code=code).order_by("-effective_from").first()


def due_of(org, code, label):
    return Obligation.objects.get(organization=org, rule_code=code, period_label=label).due_on


def new_rule_fields(**overrides):
    fields = {
        "code": "safety-talk",
        "name": "安全谈心谈话",
        "kind": "custom",
        "applies_kinds": ["branch"],
        "applies_unit_kinds": [],
        "recurrence": "quarterly",
        "due_month": 2,
        "due_day": 15,
        "due_on": None,
        "green_days": 20,
        "yellow_days": 7,
        "quorum_ratio": None,
        "evidence_required": ["谈话记录"],
        "guide": None,
        "source": "S1 喀什：每季度思想动态调查、谈心谈话",
        "description": "",
        "sort_order": 200,
        "effective_from": dt.date(2026, 1, 1),
    }
    fields.update(overrides)
    return fields


@pytest.mark.django_db
def test_revise_re_dates_open_later_obligations_only(tree, personas, today):
    generate_year(2026)
    july = Obligation.objects.get(
        organization=tree.station_a1, rule_code="committee", period_label="2026-07"
    )
    july.fulfilled_on = dt.date(2026, 7, 3)
    july.save()
    version = rule_revise(
        rule=rule("committee"),
        actor=personas.company,
        effective_from=dt.date(2026, 7, 1),
        due_day=20,
    )
    assert CalendarRule.objects.filter(code="committee").count() == 2
    assert version.effective_from == dt.date(2026, 7, 1)
    assert version.regenerated.updated == 6 + 6 + 5  # three branches × Jul-Dec, less a1's July
    assert due_of(tree.station_a2, "committee", "2026-06") == dt.date(2026, 6, 21)  # 夏至
    assert due_of(tree.station_a2, "committee", "2026-07") == dt.date(2026, 7, 20)
    assert due_of(tree.station_a2, "committee", "2026-12") == dt.date(2026, 12, 20)
    july.refresh_from_db()
    assert july.due_on == dt.date(2026, 7, 23)  # fulfilled: left alone (大暑, the old rule)


@pytest.mark.django_db
def test_revise_on_the_newest_date_amends_that_version(tree, personas, today):
    generate_year(2026)
    first = rule_revise(
        rule=rule("committee"),
        actor=personas.company,
        effective_from=dt.date(2026, 7, 1),
        due_day=20,
    )
    again = rule_revise(
        rule=rule("committee"),
        actor=personas.company,
        effective_from=dt.date(2026, 7, 1),
        due_day=25,
    )
    assert again.pk == first.pk
    assert CalendarRule.objects.filter(code="committee").count() == 2
    assert due_of(tree.station_b1, "committee", "2026-08") == dt.date(2026, 8, 25)


@pytest.mark.django_db
def test_revise_cannot_go_before_the_newest_version(tree, personas, today):
    rule_revise(
        rule=rule("committee"),
        actor=personas.company,
        effective_from=dt.date(2026, 7, 1),
        due_day=20,
    )
    with pytest.raises(ValidationError) as caught:
        rule_revise(
            rule=rule("committee"),
            actor=personas.company,
            effective_from=dt.date(2026, 6, 1),
            due_day=10,
        )
    assert "生效日期不能早于" in caught.value.message_dict["effective_from"][0]
    assert list(
        CalendarRule.objects.filter(code="committee")
        .values_list("due_day", flat=True)
        .order_by("effective_from")
    ) == [0, 20]


@pytest.mark.django_db
def test_revise_cannot_change_kind_or_recurrence(tree, personas, today):
    with pytest.raises(ValidationError) as caught:
        rule_revise(
            rule=rule("committee"),
            actor=personas.company,
            effective_from=dt.date(2026, 7, 1),
            recurrence="quarterly",
        )
    assert "recurrence" in caught.value.message_dict
    assert CalendarRule.objects.filter(code="committee").count() == 1


@pytest.mark.django_db
def test_revise_that_narrows_the_rule_removes_unapplicable_open_obligations(tree, personas, today):
    generate_year(2026)
    rule_revise(
        rule=rule("theme-day"),
        actor=personas.company,
        effective_from=dt.date(2026, 9, 1),
        applies_kinds=["branch"],
        applies_unit_kinds=["project"],
    )
    labels = Obligation.objects.filter(organization=tree.station_a1, rule_code="theme-day")
    assert sorted(labels.values_list("period_label", flat=True))[-1] == "2026-08"


@pytest.mark.django_db
def test_retire_removes_open_future_obligations_and_keeps_fulfilled(tree, personas, today):
    generate_year(2026)
    august = Obligation.objects.get(
        organization=tree.station_a1, rule_code="theme-day", period_label="2026-08"
    )
    august.fulfilled_on = dt.date(2026, 6, 10)
    august.save()
    version = rule_retire(
        rule=rule("theme-day"), actor=personas.company, effective_from=dt.date(2026, 7, 1)
    )
    assert version.is_active is False
    assert version.regenerated.removed == 3 * 6 - 1
    kept = Obligation.objects.filter(organization=tree.station_a1, rule_code="theme-day")
    assert sorted(kept.values_list("period_label", flat=True)) == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-08",
    ]
    with pytest.raises(ValidationError):
        rule_retire(
            rule=rule("theme-day"), actor=personas.company, effective_from=dt.date(2026, 8, 1)
        )


@pytest.mark.django_db
def test_revise_also_re_dates_a_next_year_already_generated(tree, personas, today):
    generate_year(2026)
    generate_year(2027)
    rule_revise(
        rule=rule("dues"), actor=personas.company, effective_from=dt.date(2026, 10, 1), due_day=25
    )
    assert due_of(tree.station_a1, "dues", "2027-03") == dt.date(2027, 3, 25)


@pytest.mark.django_db
def test_create_adds_its_obligations_to_years_already_generated(tree, personas, today):
    generate_year(2026)
    created = rule_create(actor=personas.company, **new_rule_fields())
    assert created.regenerated.created == 3 * 4  # three branches × four quarters
    assert due_of(tree.station_a1, "safety-talk", "2026Q3") == dt.date(2026, 8, 15)


@pytest.mark.django_db
def test_a_rule_change_never_generates_years_not_generated_yet(tree, personas, today):
    generate_year(2026)
    rule_revise(
        rule=rule("committee"),
        actor=personas.company,
        effective_from=dt.date(2024, 1, 1),
        due_day=20,
    )
    assert not Obligation.objects.filter(period_start__year__in=[2024, 2025]).exists()
    assert due_of(tree.station_a1, "committee", "2026-01") == dt.date(2026, 1, 20)


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        ({"yellow_days": 30, "green_days": 10}, "yellow_days", "不能大于绿色通知"),
        ({"due_month": 5}, "due_month", "0-3"),
        ({"recurrence": "yearly", "due_month": 13}, "due_month", "0-12"),
        ({"recurrence": "monthly", "due_month": 2}, "due_month", "不设截止月份"),
        ({"recurrence": "once", "due_month": 0}, "due_on", "必须填写截止日期"),
        ({"due_on": dt.date(2026, 9, 1)}, "due_on", "只有一次性事项"),
        ({"applies_kinds": ["branch", "village"]}, "applies_kinds", "village"),
        ({"applies_unit_kinds": ["moon"]}, "applies_unit_kinds", "moon"),
        ({"kind": "election"}, "recurrence", "每届"),
        ({"kind": "dues"}, "recurrence", "每月"),
        ({"recurrence": "per_term", "due_month": 0}, "recurrence", "只有换届选举"),
        ({"due_day": 32}, "due_day", "0-31"),
        ({"quorum_ratio": 1}, "quorum_ratio", "大于 0"),
        ({"evidence_required": ["", "签到表"]}, "evidence_required", "空白"),
        ({"source": " "}, "source", "依据来源"),
        ({"name": ""}, "name", "事项名称"),
        ({"code": "Bad Code"}, "code", "小写字母"),
        ({"code": "committee"}, "code", "已存在"),
        ({"code": "add"}, "code", "保留字"),
    ],
)
@pytest.mark.django_db
def test_bad_rules_are_refused_in_chinese_and_nothing_is_written(
    tree, personas, today, overrides, field, words
):
    before = CalendarRule.objects.count(), Obligation.objects.count()
    with pytest.raises(ValidationError) as caught:
        rule_create(actor=personas.company, **new_rule_fields(**overrides))
    assert words in " ".join(caught.value.message_dict[field])
    assert (CalendarRule.objects.count(), Obligation.objects.count()) == before


@pytest.mark.django_db
def test_only_root_level_holders_edit_the_calendar(tree, personas, today):
    below = department_below_root(tree)
    superuser = UserFactory(username="root_admin", is_superuser=True)
    assert holds_at_root(personas.company, "agenda.change_calendarrule")
    assert holds_at_root(superuser, "agenda.change_calendarrule")
    for user in (below, personas.county, personas.secretary_a, personas.member, personas.outsider):
        assert not holds_at_root(user, "agenda.change_calendarrule")
        with pytest.raises(PermissionDenied):
            rule_revise(rule=rule("committee"), actor=user, effective_from=TODAY, due_day=20)
        with pytest.raises(PermissionDenied):
            rule_create(actor=user, **new_rule_fields())
        with pytest.raises(PermissionDenied):
            rule_retire(rule=rule("committee"), actor=user, effective_from=TODAY)
    assert CalendarRule.objects.filter(code="committee").count() == 1
    rule_revise(rule=rule("committee"), actor=superuser, effective_from=TODAY, due_day=20)


@pytest.mark.django_db
def test_generating_covers_only_the_actors_subtree(tree, personas, today):
    below = department_below_root(tree)
    obligations_generate(actor=below, year=2026)
    orgs = set(Obligation.objects.values_list("organization_id", flat=True))
    assert orgs == {tree.station_a1.pk, tree.station_a2.pk, tree.group_a1.pk}
    with pytest.raises(PermissionDenied):
        obligations_generate(actor=personas.secretary_a, year=2026)
    with pytest.raises(ValidationError):
        obligations_generate(actor=personas.company, year=1999)
    result = obligations_generate(actor=personas.company, year=2026)
    assert result.created > 0
    assert Obligation.objects.filter(organization=tree.station_b1).exists()


@pytest.mark.django_db
def test_management_command_generates_the_year(tree, today, capsys):
    call_command("generate_obligations", "--year", "2026")
    assert "2026年：新建" in capsys.readouterr().out
    assert Obligation.objects.filter(organization=tree.station_b1, kind="dues").count() == 12
    call_command("generate_obligations")  # this year by default, idempotent
    assert "新建 0 项" in capsys.readouterr().out


@pytest.mark.django_db
def test_due_rules_in_words(tree):
    assembly = "每季度末月的第一个节气（惊蛰、芒种、白露、大雪）"
    assert due_rule_text(rule("branch-assembly")) == assembly
    assert due_rule_text(rule("committee")) == "每月第二个节气（中气，约18-23日）"
    assert due_rule_text(rule("annual-review")) == "每年大雪（12月）"
    assert due_rule_text(rule("dues")) == "每月最后一天"
    custom = CalendarRule(recurrence="quarterly", due_month=2, due_day=15)
    assert due_rule_text(custom) == "每季度第二个月15日"


@pytest.mark.django_db
def test_the_year_calendar_places_items_in_their_half_months(tree):
    months = year_calendar(2026, rule_versions())

    def names(month, half, starts=False):
        entries = months[month - 1].halves[half].entries
        return {e.rule.code for e in entries if e.starts == starts}

    # March 2026: 惊蛰 on the 5th, 春分 (its 中气) on the 20th splits the month.
    assert (months[2].halves[0].last_day, months[2].halves[1].first_day) == (19, 20)
    assert {"branch-assembly", "theme-day"} <= names(3, 0)
    assert {"lecture", "committee", "dues"} <= names(3, 1)
    assert "branch-assembly" not in names(2, 0) | names(2, 1)
    assert "annual-review" in names(12, 0) and "member-appraisal" in names(12, 1)
    assert "annual-review" in names(9, 0, starts=True)  # 90 days before 大雪
    assert months[0].halves[0].term == "小寒" and months[11].halves[1].term == "冬至"
    assert months[1].halves[1].last_day == 28
