"""缺数情况 on the pages and in the API: listed before computing, decided per indicator by who may
publish (404 for everyone else), shown on the round and the results, and publishing refused in
Chinese while an indicator is undecided."""

import pytest
from django.urls import reverse

from bastion.core.testing import login
from bastion.evaluation.models import DataDecision, RoundDataDecision, RoundState
from bastion.evaluation.services import rounds

from .api_helpers import url
from .helpers_readiness import month_round_before_import, station_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_round(tree, personas):
    station_company(tree)
    return month_round_before_import(tree, personas)


def decide(client, round_, indicator="obligation_rate", decision="exclude", follow=False, **extra):
    path = reverse("evaluation:round_data_decide", args=[round_.pk])
    data = {"indicator": indicator, "decision": decision, **extra}
    return client.post(path, data, follow=follow)


def test_the_compute_page_lists_the_gaps_before_anything_is_computed(client, personas, month_round):
    login(client, personas.company)
    body = client.get(reverse("evaluation:round_compute", args=[month_round.pk])).content.decode()
    gaps = body.split('data-testid="data-gap-obligation_rate"')[1].split("</details>")[0]
    assert "组织生活按期完成" in gaps and "缺数 3" in gaps
    assert "A3供电所党支部：缺数（本期没有应办事项记录）" in gaps
    assert 'data-testid="data-gap-fee_recovery"' in body and "缺数 6" in body
    assert "尚未决定如何处理" in body
    month_round.refresh_from_db()
    assert month_round.state == RoundState.SCORING and month_round.computed_at is None


def test_the_company_records_a_decision_from_the_compute_page(client, personas, month_round):
    login(client, personas.company)
    compute = reverse("evaluation:round_compute", args=[month_round.pk])
    response = decide(client, month_round, note="日历未生成", next=compute)
    assert response.status_code == 302 and response.url == compute
    recorded = RoundDataDecision.objects.get(round=month_round)
    assert (recorded.decision, recorded.note, recorded.decided_by) == (
        DataDecision.EXCLUDE,
        "日历未生成",
        personas.company,
    )
    body = client.get(month_round.get_absolute_url()).content.decode()
    shown = body.split('data-testid="data-decision-obligation_rate"')[1].split(
        "</div>\n    </div>"
    )[0]
    assert "全员剔除该指标" in shown and "日历未生成" in shown


@pytest.mark.parametrize("persona", ["county", "secretary_a", "member", "outsider"])
def test_who_may_not_publish_the_round_cannot_decide(client, personas, month_round, persona):
    login(client, getattr(personas, persona))
    assert decide(client, month_round).status_code == 404
    assert not RoundDataDecision.objects.exists()


def test_a_bad_decision_is_told_in_words(client, personas, month_round):
    login(client, personas.company)
    response = decide(client, month_round, decision="maybe", follow=True)
    assert "请选择“全员剔除该指标”或“等待数据”。" in response.content.decode()
    response = decide(client, month_round, indicator="task_rate", follow=True)
    assert "没有缺数，无需决定" in response.content.decode()


def test_publishing_from_the_page_is_refused_with_the_undecided_indicators(
    client, personas, month_round
):
    rounds.round_compute(actor=personas.company, round_=month_round)
    login(client, personas.company)
    path = reverse("evaluation:round_publish", args=[month_round.pk])
    body = client.post(path, follow=True).content.decode()
    assert "尚未决定如何处理" in body and "电费回收率" in body
    month_round.refresh_from_db()
    assert month_round.state == RoundState.COMPUTED


def test_the_results_page_shows_the_decisions(client, personas, month_round):
    actor = personas.company
    rounds.round_data_decide(
        actor=actor, round_=month_round, indicator="obligation_rate", decision="wait"
    )
    rounds.round_compute(actor=actor, round_=month_round)
    login(client, actor)
    body = client.get(reverse("evaluation:results", args=[month_round.pk])).content.decode()
    assert 'data-testid="data-decision-obligation_rate"' in body and "等待数据" in body


def test_a_county_sees_only_its_own_stations_gaps_on_the_round(client, personas, month_round):
    login(client, personas.county)
    body = client.get(month_round.get_absolute_url()).content.decode()
    assert "A3供电所党支部：缺数" in body and "B2供电所党支部" not in body


# --- API --------------------------------------------------------------------------------------


def test_the_round_detail_exposes_readiness_and_decisions(api, personas, month_round):
    login(api, personas.company)
    api.post(
        url("round-data-decisions", month_round.pk),
        {"indicator": "obligation_rate", "decision": "wait", "note": "等日历"},
        format="json",
    )
    body = api.get(url("round-detail", month_round.pk)).json()
    readiness = body["data_readiness"]
    assert readiness["complete"] is False and readiness["publishable"] is False
    by_code = {item["code"]: item for item in readiness["indicators"]}
    assert by_code["obligation_rate"]["missing_count"] == 3
    assert by_code["obligation_rate"]["decision"]["decision"] == "wait"
    assert by_code["fee_recovery"]["decision"] is None
    assert body["data_decisions"][0]["note"] == "等日历"


def test_the_api_compute_preview_lists_the_gaps(api, personas, month_round):
    login(api, personas.company)
    body = api.get(url("round-compute", month_round.pk)).json()
    assert "以下数据项缺数或数据不全" in body["message"]
    codes = {item["code"] for item in body["data_readiness"]["indicators"]}
    assert {"obligation_rate", "fee_recovery", "reliability"} <= codes


def test_the_api_refuses_to_publish_with_undecided_gaps(api, personas, month_round):
    rounds.round_compute(actor=personas.company, round_=month_round)
    response = login(api, personas.company).post(url("round-publish", month_round.pk))
    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert message.startswith("以下指标缺数或数据不全，尚未决定如何处理：")
    assert "组织生活按期完成" in message


@pytest.mark.parametrize(("persona", "status"), [("county", 403), ("outsider", 404)])
def test_the_api_decision_needs_the_right_to_publish(api, personas, month_round, persona, status):
    response = login(api, getattr(personas, persona)).post(
        url("round-data-decisions", month_round.pk),
        {"indicator": "obligation_rate", "decision": "exclude"},
        format="json",
    )
    assert response.status_code == status
    assert not RoundDataDecision.objects.exists()


def test_the_api_tells_a_bad_decision_in_chinese(api, personas, month_round):
    response = login(api, personas.company).post(
        url("round-data-decisions", month_round.pk),
        {"indicator": "obligation_rate", "decision": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["decision"] == ["请选择“全员剔除该指标”或“等待数据”。"]
