"""Round pages: list, setup, detail, missing scores, and the actions, tried by every persona."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion.core.notifications.models import Notification
from bastion.core.testing import PERSONAS
from bastion.evaluation.models import Round, RoundState

from .helpers import open_round, simple_scheme
from .helpers_rounds import add_member, add_stations, member_scheme, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(tree):
    return simple_scheme(tree.company)


@pytest.fixture
def rounds(tree, personas, scheme):
    """A company-wide round and a county_a round."""
    return {
        "company": open_round(personas.company, scheme, tree.company),
        "county": open_round(
            personas.county,
            scheme,
            tree.county_a,
            label="2026-09",
            period=(dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        ),
    }


def status(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


def test_round_list_shows_rounds_used_below_their_organization(client, personas, rounds):
    url = reverse("evaluation:round_list")
    seen = {}
    for who in PERSONAS:
        client.force_login(getattr(personas, who))
        response = client.get(url)
        seen[who] = (
            {r.name for r in response.context["page"]} if response.status_code == 200 else 404
        )
    both = {rounds["company"].name, rounds["county"].name}
    assert seen == {
        "company": both,
        "county": both,
        "secretary_a": both,
        "member": both,
        "secretary_b": {rounds["company"].name},
        "outsider": 404,
    }


def test_round_list_filters_and_add_button(client, tree, personas, rounds, scheme):
    url = reverse("evaluation:round_list")
    client.force_login(personas.company)
    names = lambda r: [x.name for x in r.context["page"]]  # noqa: E731
    assert names(client.get(url, {"period": 2026, "state": "scoring", "scheme": scheme.code})) == [
        rounds["company"].name,
        rounds["county"].name,
    ]
    assert names(client.get(url, {"state": "published"})) == []
    assert names(client.get(url, {"period": "2025"})) == []
    assert names(client.get(url, {"within": tree.county_a.pk})) == [rounds["county"].name]
    assert client.get(url, {"period": "abc", "state": "x", "page": "zz"}).status_code == 200
    client.force_login(personas.secretary_b)  # an organization outside the scope: 404
    assert client.get(url, {"within": tree.county_a.pk}).status_code == 404
    client.force_login(personas.company)
    body = client.get(url).content.decode()
    assert "发起考评" in body and '<td class="text-end">3</td>' in body
    client.force_login(personas.member)
    assert "发起考评" not in client.get(url).content.decode()


def test_round_list_costs_the_same_queries_at_two_sizes(client, tree, personas, scheme):
    url = reverse("evaluation:round_list")
    open_round(personas.company, scheme, tree.company)
    client.force_login(personas.company)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for month in range(1, 7):
        open_round(
            personas.company,
            scheme,
            tree.company,
            label=f"2026-0{month}",
            period=(dt.date(2026, month, 1), dt.date(2026, month, 28)),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_round_detail_shows_progress_and_actions_by_permission(client, tree, personas, rounds):
    round_ = rounds["county"]
    rate(personas.county, round_, "higher", {"party": 90}, org=tree.station_a1)
    client.force_login(personas.county)
    response = client.get(round_.get_absolute_url())
    body = response.content.decode()
    assert response.context["target_count"] == 2
    assert response.context["progress"] == [
        {"group": "higher", "name": "上级党组织", "expected": 2, "submitted": 1, "percent": 50}
    ]
    for testid in ("compute-round", "remind-round", "missing-link"):
        assert f'data-testid="{testid}"' in body
    assert 'data-testid="publish-round"' not in body  # not computed yet
    client.force_login(personas.member)
    body = client.get(round_.get_absolute_url()).content.decode()
    assert 'data-testid="round-header"' in body
    for testid in ("compute-round", "remind-round", "round-progress"):
        assert f'data-testid="{testid}"' not in body


def test_secretary_sees_progress_of_their_own_branch_only(client, tree, personas, rounds):
    client.force_login(personas.secretary_a)
    response = client.get(rounds["company"].get_absolute_url())
    assert response.context["target_count"] == 1
    assert response.context["progress"][0]["expected"] == 1


@pytest.mark.parametrize(
    "who,company_round,county_round",
    [
        ("company", 200, 200),
        ("county", 200, 200),
        ("secretary_a", 200, 200),
        ("secretary_b", 200, 404),
        ("member", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_round_missing_scope(client, personas, rounds, who, company_round, county_round):
    user = getattr(personas, who)
    for key, expected in (("company", company_round), ("county", county_round)):
        url = reverse("evaluation:round_missing", args=[rounds[key].pk])
        assert status(client, user, url) == expected


def test_round_missing_lists_rows_within_the_users_scope(client, tree, personas, rounds):
    url = reverse("evaluation:round_missing", args=[rounds["company"].pk])
    labels = lambda r: [row["label"] for row in r.context["page"]]  # noqa: E731
    client.force_login(personas.company)
    response = client.get(url)
    assert labels(response) == ["A1供电所党支部", "A2供电所党支部", "B1供电所党支部"]
    assert "p_county" in response.content.decode()  # who owes A1 and A2
    assert labels(client.get(url, {"within": tree.county_b.pk})) == ["B1供电所党支部"]
    assert labels(client.get(url, {"group": "higher"})) == labels(response)
    assert labels(client.get(url, {"group": "nonsense"})) == labels(response)
    assert client.get(url, {"within": "abc"}).status_code == 404
    client.force_login(personas.county)
    assert labels(client.get(url)) == ["A1供电所党支部", "A2供电所党支部"]
    assert client.get(url, {"within": tree.county_b.pk}).status_code == 404
    client.force_login(personas.secretary_b)
    assert labels(client.get(url)) == ["B1供电所党支部"]


def test_round_missing_costs_the_same_queries_at_two_sizes(client, tree, personas, people):
    for name in "甲乙":
        add_member(tree.station_a1, name)
    small = open_round(personas.company, member_scheme(tree.company), tree.company)
    for station in add_stations(tree.county_b, 4):
        for name in "ABC":
            add_member(station, name)
    big = open_round(personas.company, member_scheme(tree.company, code="m2"), tree.company)
    client.force_login(personas.company)

    def cost(round_):
        url = reverse("evaluation:round_missing", args=[round_.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return len(ctx), response.context["page"].paginator.count

    (few, rows_few), (many, rows_many) = cost(small), cost(big)
    assert rows_many > rows_few
    assert many == few


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("company", True),
        ("county", True),
        ("secretary_a", False),
        ("secretary_b", False),
        ("member", False),
        ("outsider", False),
    ],
)
def test_round_actions_need_change_rights_inside_scope(client, personas, rounds, who, allowed):
    round_ = rounds["county"]
    user = getattr(personas, who)
    steps = [
        ("round_compute", RoundState.COMPUTED),
        ("round_publish", RoundState.PUBLISHED),
        ("round_close", RoundState.CLOSED),
    ]
    for name, state in steps:
        url = reverse(f"evaluation:{name}", args=[round_.pk])
        code = status(client, user, url, "post", {"confirm": "1"})
        round_.refresh_from_db()
        if allowed:
            assert (code, round_.state) == (302, state)
        else:
            assert (code, round_.state) == (404, RoundState.SCORING)


def test_a_county_cannot_act_on_a_company_round(client, personas, rounds):
    url = reverse("evaluation:round_compute", args=[rounds["company"].pk])
    assert status(client, personas.county, url, "post") == 404
    assert status(client, personas.county, url, "get") == 404
    assert status(client, personas.company, url, "put") == 405


def test_actions_in_the_wrong_state_give_a_message(client, personas, rounds):
    round_ = rounds["county"]
    client.force_login(personas.company)
    response = client.post(reverse("evaluation:round_publish", args=[round_.pk]), follow=True)
    assert "只有已计算、尚未发布的轮次才能发布" in response.content.decode()
    response = client.post(reverse("evaluation:round_close", args=[round_.pk]), follow=True)
    assert "只有已发布的轮次才能归档" in response.content.decode()
    round_.refresh_from_db()
    assert round_.state == RoundState.SCORING


def test_computed_round_shows_the_top_of_the_ranking(client, tree, personas, rounds):
    round_ = rounds["county"]
    rate(personas.county, round_, "higher", {"party": 90, "business": 90}, org=tree.station_a2)
    client.force_login(personas.county)
    client.post(reverse("evaluation:round_compute", args=[round_.pk]), {"confirm": "1"})
    response = client.get(round_.get_absolute_url())
    preview = response.context["preview"]
    assert [t.label for t in preview] == ["A2供电所党支部", "A1供电所党支部"]
    assert 'data-testid="publish-round"' in response.content.decode()
    client.force_login(personas.member)  # not published: a member sees no ranking
    assert client.get(round_.get_absolute_url()).context["preview"] == []
    client.force_login(personas.county)
    client.post(reverse("evaluation:round_publish", args=[round_.pk]))
    client.force_login(personas.member)  # published: the member sees their branch's row
    preview = client.get(round_.get_absolute_url()).context["preview"]
    assert [t.label for t in preview] == ["A1供电所党支部"]


def test_remind_button_sends_reminders_once(client, tree, personas, rounds):
    url = reverse("evaluation:round_remind", args=[rounds["county"].pk])
    client.force_login(personas.county)
    body = client.post(url, follow=True).content.decode()
    assert "已向 1 位评价人发送催评提醒" in body
    assert Notification.objects.filter(recipient=personas.county).count() == 1
    body = client.post(url, follow=True).content.decode()
    assert "没有需要提醒的评价人" in body
    assert status(client, personas.secretary_a, url, "post") == 404


# Setup --------------------------------------------------------------------------------------


def form_data(scheme, org, **changes):
    data = {
        "scheme": scheme.pk,
        "organization": org.pk,
        "period_month": "2026-10",
        "opens_on": "2026-11-01",
        "closes_on": "2026-11-08",
        "appeal_days": 5,
        "name": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "who,code",
    [
        ("company", 200),
        ("county", 200),
        ("secretary_a", 404),
        ("secretary_b", 404),
        ("member", 404),
        ("outsider", 404),
    ],
)
def test_round_create_page_scope(client, personas, who, code):
    assert status(client, getattr(personas, who), reverse("evaluation:round_create")) == code


def test_round_create_opens_a_month_round(client, tree, personas, scheme):
    client.force_login(personas.county)
    url = reverse("evaluation:round_create")
    response = client.post(url, form_data(scheme, tree.county_a))
    round_ = Round.objects.get()
    assert response.status_code == 302 and response.url == round_.get_absolute_url()
    assert (round_.period_label, round_.period_start, round_.period_end) == (
        "2026-10",
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    assert round_.name == "测试方案（2026-10）" and round_.targets.count() == 2


def test_round_create_refuses_a_duplicate_with_a_message(client, tree, personas, scheme):
    client.force_login(personas.county)
    url = reverse("evaluation:round_create")
    client.post(url, form_data(scheme, tree.county_a))
    response = client.post(url, form_data(scheme, tree.county_a, name="再来一次"))
    assert response.status_code == 200
    assert "已有“测试方案”2026-10 的考评轮次，不能重复发起" in response.content.decode()
    assert Round.objects.count() == 1


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"closes_on": "2026-10-30"}, "评分截止日期不能早于评分开始日期"),
        ({"period_month": "2026-13"}, "月份应在 1 到 12 之间"),
        ({"period_month": ""}, "请填写考评期间"),
        ({"opens_on": "not a date"}, "有效"),
        ({"appeal_days": -1}, "0"),
    ],
)
def test_round_create_refuses_bad_input(client, tree, personas, scheme, changes, message):
    client.force_login(personas.company)
    response = client.post(
        reverse("evaluation:round_create"), form_data(scheme, tree.company, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Round.objects.exists()


def test_round_create_keeps_choices_in_scope(client, tree, personas, scheme):
    scheme_b = simple_scheme(tree.county_b, code="b-only")
    old = simple_scheme(tree.company, code="old", is_active=False)
    client.force_login(personas.county)
    url = reverse("evaluation:round_create")
    form = client.get(url).context["form"]
    assert set(form.fields["organization"].queryset) == {
        tree.county_a,
        tree.station_a1,
        tree.station_a2,
    }
    choices = set(form.fields["scheme"].queryset)
    assert scheme in choices and scheme_b not in choices and old not in choices
    for data in (
        form_data(scheme, tree.company),
        form_data(scheme_b, tree.county_a),
        form_data(old, tree.county_a),
    ):
        assert client.post(url, data).status_code == 200
    assert not Round.objects.exists()


def test_round_create_prefills_the_scheme(client, personas, scheme):
    client.force_login(personas.company)
    form = client.get(reverse("evaluation:round_create"), {"scheme": scheme.pk}).context["form"]
    assert form["scheme"].value() == scheme.pk
    assert client.get(reverse("evaluation:round_create"), {"scheme": "x"}).status_code == 200


@pytest.mark.parametrize(
    "period_kind,fields,label",
    [
        ("quarter", {"period_year": 2026, "period_quarter": 3}, "2026Q3"),
        ("year", {"period_year": 2026}, "2026"),
        ("term", {"term_start": "2024-03-01", "term_end": "2026-02-28"}, "2024-03~2026-02"),
    ],
)
def test_round_create_derives_other_periods(client, tree, personas, period_kind, fields, label):
    scheme = simple_scheme(tree.company, code=period_kind, period_kind=period_kind)
    client.force_login(personas.company)
    data = form_data(scheme, tree.company, period_month="", **fields)
    assert client.post(reverse("evaluation:round_create"), data).status_code == 302
    assert Round.objects.get().period_label == label


def test_round_create_refuses_a_term_ending_before_it_starts(client, tree, personas):
    scheme = simple_scheme(tree.company, code="term", period_kind="term")
    client.force_login(personas.company)
    data = form_data(scheme, tree.company, term_start="2026-03-01", term_end="2024-02-28")
    response = client.post(reverse("evaluation:round_create"), data)
    assert "任期的结束日期不能早于开始日期" in response.content.decode()
    assert not Round.objects.exists()
