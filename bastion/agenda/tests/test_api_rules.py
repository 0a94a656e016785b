"""``/api/v1/rules/``: the calendar is readable by every signed-in user; versions by date."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.agenda.models import CalendarRule, GuidePage
from bastion.core.testing import PERSONAS

SEEDED_CODES = {
    "branch-assembly",
    "committee",
    "group-meeting",
    "lecture",
    "theme-day",
    "annual-review",
    "member-appraisal",
    "dues",
    "election",
}
URL = reverse("api:rule-list")


def codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def new_version(code, **changes):
    rule = CalendarRule.objects.filter(code=code).order_by("-effective_from").first()
    rule.pk = None
    if "due_day" in changes:
        changes.setdefault("due_term", 0)  # a day, not the seeded solar term
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.save()
    return rule


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_user_reads_the_rules_in_force(api, personas, persona):
    api.force_login(getattr(personas, persona))
    assert set(codes(api.get(URL))) == SEEDED_CODES
    rule = CalendarRule.objects.get(code="committee")
    assert api.get(reverse("api:rule-detail", args=[rule.pk])).status_code == 200


def test_anonymous_is_refused(api, db):
    assert api.get(URL).status_code in (401, 403)


def test_default_list_shows_todays_version_only(api, personas):
    today = timezone.localdate()
    current = new_version("committee", effective_from=today - dt.timedelta(days=3), due_day=20)
    new_version("committee", effective_from=today + dt.timedelta(days=30), due_day=25)
    new_version("theme-day", effective_from=today - dt.timedelta(days=1), is_active=False)
    api.force_login(personas.member)
    rows = api.get(URL).json()["results"]
    assert set(codes(api.get(URL))) == SEEDED_CODES - {"theme-day"}  # retired since yesterday
    (committee,) = [row for row in rows if row["code"] == "committee"]
    assert committee["id"] == current.pk
    assert committee["due_rule"] == "每月20日"


def test_all_lists_every_version(api, personas):
    today = timezone.localdate()
    new_version("committee", effective_from=today + dt.timedelta(days=30))
    new_version("theme-day", effective_from=today - dt.timedelta(days=1), is_active=False)
    api.force_login(personas.outsider)
    every = codes(api.get(URL, {"all": "1", "page_size": 100}))
    assert len(every) == len(SEEDED_CODES) + 2
    assert every.count("committee") == 2
    assert set(codes(api.get(URL, {"all": "true"}))) == SEEDED_CODES
    assert len(codes(api.get(URL, {"all": "0"}))) == len(SEEDED_CODES) - 1


def test_bad_all_is_400_in_chinese(api, personas):
    api.force_login(personas.member)
    response = api.get(URL, {"all": "maybe"})
    assert response.status_code == 400
    assert response.json() == {"all": ["参数 all 只能为 1 或 0。"]}


def test_kind_filter(api, personas):
    api.force_login(personas.member)
    assert codes(api.get(URL, {"kind": "dues"})) == ["dues"]
    assert api.get(URL, {"kind": "moon"}).status_code == 400


def test_rule_representation(api, personas):
    guide = GuidePage.objects.create(slug="branch-assembly-howto", title="支部党员大会怎么开")
    rule = CalendarRule.objects.get(code="branch-assembly")
    rule.guide = guide
    rule.save()
    api.force_login(personas.secretary_a)
    row = api.get(reverse("api:rule-detail", args=[rule.pk])).json()
    assert (row["name"], row["kind"], row["kind_display"]) == (
        "支部党员大会",
        "branch_assembly",
        "支部党员大会",
    )
    assert (row["recurrence"], row["recurrence_display"]) == ("quarterly", "每季度")
    assert row["due_rule"] == "每季度末月的第一个节气（惊蛰、芒种、白露、大雪）"
    assert row["due_term"] == 1
    assert (row["green_days"], row["yellow_days"]) == (30, 10)
    assert row["quorum_ratio"] == "0.50"
    assert row["applies_kinds"] == ["branch", "temporary_branch", "general_branch"]
    assert row["applies_kinds_display"] == ["党支部", "临时党支部", "党总支"]
    assert row["evidence_required"] == ["会议记录", "签到表", "照片"]
    assert (row["guide"], row["guide_title"]) == ("branch-assembly-howto", "支部党员大会怎么开")
    assert "支部工作条例" in row["source"]
    assert row["effective_from"] == "2020-01-01"
    assert row["is_active"] is True


@pytest.mark.parametrize(
    "code,text",
    [
        ("committee", "每月第二个节气（中气，约18-23日）"),
        ("annual-review", "每年大雪（12月）"),
        ("dues", "每月最后一天"),
        ("election", "本届任期届满之日前"),
    ],
)
def test_due_rule_in_words(api, personas, code, text):
    api.force_login(personas.member)
    rows = api.get(URL).json()["results"]
    assert {row["code"]: row["due_rule"] for row in rows}[code] == text


def test_rules_are_read_only(api, personas):
    api.force_login(personas.company)
    rule = CalendarRule.objects.get(code="committee")
    assert api.post(URL, {"code": "x"}, format="json").status_code == 405
    detail = reverse("api:rule-detail", args=[rule.pk])
    assert api.patch(detail, {"name": "x"}, format="json").status_code == 405
    assert api.delete(detail).status_code == 405


def test_rule_list_queries_are_constant(api, personas, django_assert_num_queries):
    api.force_login(personas.member)
    # Session, user, count, page (the guide comes with the page).
    with django_assert_num_queries(4):
        small = api.get(URL, {"all": 1}).json()
    for code in sorted(SEEDED_CODES):
        for days in (10, 20, 30):
            new_version(code, effective_from=dt.date(2020, 1, 1) + dt.timedelta(days=days))
    with django_assert_num_queries(4):
        large = api.get(URL, {"all": 1, "page_size": 100}).json()
    assert (small["count"], large["count"]) == (9, 36)
