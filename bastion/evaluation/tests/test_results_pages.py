"""Results pages: the ranking, its export and one target's result, for every persona."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from bastion.core.testing import PERSONAS, count_queries
from bastion.evaluation.models import Target
from bastion.evaluation.selectors_results import visible_targets
from bastion.evaluation.services import rounds, scores
from bastion.evaluation.views.results import safe_reverse

from .helpers import OPEN_DAY, open_round, simple_scheme
from .helpers_results import (
    branch_round,
    grow_stations,
    member_round,
    score_org,
)

pytestmark = pytest.mark.django_db


def labels(response) -> list[str]:
    return [t.label for t in response.context["page"].object_list]


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"evaluation:{name}", args=args), params)


# --- the ranking ---------------------------------------------------------------------------

PUBLISHED_SEES = {
    "company": ["A1供电所党支部", "B1供电所党支部", "A2供电所党支部"],
    "county": ["A1供电所党支部", "A2供电所党支部"],
    "secretary_a": ["A1供电所党支部"],
    "secretary_b": ["B1供电所党支部"],
    "member": ["A1供电所党支部"],
    "outsider": None,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_ranking_shows_each_persona_its_scope(client, tree, personas, persona):
    round_ = branch_round(tree, personas)
    response = get(client, getattr(personas, persona), "results", round_.pk)
    expected = PUBLISHED_SEES[persona]
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert labels(response) == expected


UNPUBLISHED_SEES = {**PUBLISHED_SEES, "member": None}


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unpublished_round_is_hidden_from_members(client, tree, personas, persona):
    round_ = branch_round(tree, personas, publish=False)
    response = get(client, getattr(personas, persona), "results", round_.pk)
    expected = UNPUBLISHED_SEES[persona]
    if expected is None:
        assert response.status_code == 404
        return
    assert labels(response) == expected
    assert b'data-testid="unpublished"' in response.content


def test_the_ranking_shows_totals_titles_and_top_level_points(client, tree, personas):
    round_ = branch_round(tree, personas)
    response = get(client, personas.company, "results", round_.pk)
    html = response.content.decode()
    assert [c["name"] for c in response.context["indicators"]] == [
        "党建管理",
        "生产经营",
        "加分",
        "安全底线",
    ]
    first = response.context["page"].object_list[0]
    assert first.cells[:2] == ["54.00", "36.00"]  # 60 × 0.9, 40 × 0.9
    assert "★★★★★" in html and "流动红旗" in html
    summary = response.context["summary"]
    assert summary["count"] == 3
    assert f"{summary['average']:.2f}" == "73.33"
    assert (summary["compliant"], summary["compliant_rate"]) == (2, 66.7)
    assert (summary["red_flags"], summary["watch"]) == (1, 1)
    assert 'data-testid="card-compliant"' in html


def test_the_compliance_card_is_absent_without_a_compliance_rule(client, tree, personas):
    round_ = branch_round(tree, personas, scheme=simple_scheme(tree.company))
    response = get(client, personas.company, "results", round_.pk)
    assert response.context["summary"]["compliant_rate"] is None
    assert b'data-testid="card-compliant"' not in response.content


def test_a_vetoed_target_shows_the_veto_badge(client, tree, personas):
    round_ = branch_round(tree, personas, publish=False)
    round_.state = "scoring"
    round_.save(update_fields=["state"])
    target = Target.objects.get(round=round_, organization=tree.station_a2)
    scores.score_submit(
        actor=personas.county,
        round_=round_,
        target=target,
        group="higher",
        values={"integrity": 1},
        today=OPEN_DAY,
    )
    rounds.round_compute(actor=personas.company, round_=round_)
    response = get(client, personas.company, "results", round_.pk)
    assert response.content.count(b'data-testid="vetoed"') == 1


def test_filters_narrow_the_ranking_and_an_organization_outside_is_404(client, tree, personas):
    round_ = branch_round(tree, personas)
    user = personas.company
    assert labels(get(client, user, "results", round_.pk, within=tree.county_b.pk)) == [
        "B1供电所党支部"
    ]
    assert labels(get(client, user, "results", round_.pk, q="A2")) == ["A2供电所党支部"]
    assert get(client, user, "results", round_.pk, within="abc").status_code == 404
    assert get(client, user, "results", round_.pk, page="x").status_code == 200
    # an organization outside the scope is answered as anything outside it: 404
    county = get(client, personas.county, "results", round_.pk, within=tree.county_b.pk)
    assert county.status_code == 404
    client.force_login(personas.county)
    export = reverse("evaluation:results_export", args=[round_.pk])
    assert client.get(export, {"within": tree.county_b.pk}).status_code == 404
    assert client.get(export, {"within": tree.county_a.pk}).status_code == 200


def test_a_round_of_another_scheme_owner_outside_is_404(client, tree, personas):
    scheme = simple_scheme(tree.county_b, titles=[])
    round_ = open_round(personas.company, scheme, tree.county_b)
    assert get(client, personas.county, "results", round_.pk).status_code == 404
    assert get(client, personas.company, "results", round_.pk).status_code == 200
    assert get(client, personas.company, "results", 999999).status_code == 404


@pytest.mark.parametrize("persona", ["company", "member"])
def test_the_ranking_costs_the_same_queries_for_5_and_40_targets(client, tree, personas, persona):
    grow_stations(tree, 2, "S")
    small = branch_round(tree, personas)
    grow_stations(tree, 35, "L")
    large = branch_round(tree, personas, scheme=small.scheme, n=1)
    assert Target.objects.filter(round=small).count() == 5
    assert Target.objects.filter(round=large).count() == 40
    client.force_login(getattr(personas, persona))
    url = reverse("evaluation:results", args=[small.pk])
    assert count_queries(client, url) == count_queries(
        client, reverse("evaluation:results", args=[large.pk])
    )


# --- export --------------------------------------------------------------------------------


def test_the_export_holds_what_the_user_sees(client, tree, personas):
    from openpyxl import load_workbook

    round_ = branch_round(tree, personas)
    response = get(client, personas.county, "results_export", round_.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content))["考评结果"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("名次", "考评对象", "所在组织", "总分")
    assert "党建管理" in rows[0]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        (1, "A1供电所党支部", 90.0),
        (3, "A2供电所党支部", 50.0),
    ]
    assert "流动红旗" in rows[1][4] and "★★★★★" in rows[1][4]


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_the_export_needs_view_target(client, tree, personas, persona):
    round_ = branch_round(tree, personas)
    response = get(client, getattr(personas, persona), "results_export", round_.pk)
    assert response.status_code == 404


# --- members: published rankings and their own results only ---------------------------------


def test_a_member_sees_their_branch_members_and_themself_only(client, tree, personas, people):
    round_ = member_round(tree, personas, people)
    response = get(client, personas.member, "results", round_.pk)
    assert labels(response) == ["张三", "孙八"]
    rows = {t.label: t for t in response.context["page"].object_list}
    assert rows["张三"].cells == ["90.00"]  # their own points
    assert rows["孙八"].cells == [None]  # a peer's total and rank only


def test_a_member_sees_nothing_of_an_unpublished_member_round(client, tree, personas, people):
    round_ = member_round(tree, personas, people, publish=False)
    assert get(client, personas.member, "results", round_.pk).status_code == 404
    own = Target.objects.get(round=round_, person=people.zhang_san)
    assert get(client, personas.member, "target_detail", own.pk).status_code == 404
    assert not visible_targets(personas.member, round_).exists()
    secretary = get(client, personas.secretary_a, "results", round_.pk)
    assert labels(secretary) == ["张三", "孙八"]


def test_a_member_never_sees_the_evaluators_scores(client, tree, personas, people):
    round_ = member_round(tree, personas, people)
    own = Target.objects.get(round=round_, person=people.zhang_san)
    peer = Target.objects.get(round=round_, person=people.sun_ba)
    mine = get(client, personas.member, "target_detail", own.pk)
    assert mine.status_code == 200
    assert b'data-testid="indicator-tree"' in mine.content
    assert b'data-testid="scores-table"' not in mine.content
    theirs = get(client, personas.member, "target_detail", peer.pk)
    assert theirs.status_code == 200
    assert b'data-testid="indicator-tree"' not in theirs.content
    assert b'data-testid="scores-table"' not in theirs.content
    far = Target.objects.get(round=round_, person=people.wang_wu)
    assert get(client, personas.member, "target_detail", far.pk).status_code == 404


# --- one target's result -------------------------------------------------------------------

DETAIL_OF_A2 = {
    "company": 200,
    "county": 200,
    "secretary_a": 404,
    "secretary_b": 404,
    "member": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_target_detail_follows_the_scope(client, tree, personas, persona):
    round_ = branch_round(tree, personas)
    target = Target.objects.get(round=round_, organization=tree.station_a2)
    response = get(client, getattr(personas, persona), "target_detail", target.pk)
    assert response.status_code == DETAIL_OF_A2[persona]


def test_target_detail_shows_the_indicator_tree_and_scores(client, tree, personas):
    round_ = branch_round(tree, personas, values={"station_a1": ("county", 90)})
    target = Target.objects.get(round=round_, organization=tree.station_a1)
    response = get(client, personas.company, "target_detail", target.pk)
    nodes = {n["code"]: n for n in response.context["nodes"]}
    assert nodes["party"]["points"] == "54.00" and nodes["party"]["percent"] == "90.00"
    assert nodes["party"]["raw"] == "90.00" and not nodes["party"]["missing"]
    assert [s.value for s in response.context["scores"]] == [90, 90]
    assert {m["group_label"] for m in response.context["means"]} == {"上级党组织"}
    assert b'data-testid="scores-table"' in response.content
    missing = Target.objects.get(round=round_, organization=tree.station_b1)
    response = get(client, personas.company, "target_detail", missing.pk)
    assert response.content.count(b'data-testid="missing-item"') == 2


def test_the_secretary_sees_results_but_not_the_scores_table(client, tree, personas):
    round_ = branch_round(tree, personas)
    target = Target.objects.get(round=round_, organization=tree.station_a1)
    response = get(client, personas.secretary_a, "target_detail", target.pk)
    assert response.status_code == 200
    assert b'data-testid="indicator-tree"' in response.content
    assert b'data-testid="scores-table"' not in response.content


def test_the_appeal_button_shows_within_the_window_only(
    client, tree, personas, people, monkeypatch
):
    from bastion.evaluation.views import results as views

    monkeypatch.setattr(
        views,
        "safe_reverse",
        lambda name, *args: f"/appeal/{args[0]}/" if "appeal" in name else None,
    )
    round_ = member_round(tree, personas, people)
    own = Target.objects.get(round=round_, person=people.zhang_san)
    round_.appeal_until = timezone.localdate() + dt.timedelta(days=2)
    round_.save(update_fields=["appeal_until"])
    assert b'data-testid="appeal"' in get(client, personas.member, "target_detail", own.pk).content
    peer = Target.objects.get(round=round_, person=people.sun_ba)
    assert (
        b'data-testid="appeal"'
        not in get(client, personas.member, "target_detail", peer.pk).content
    )
    round_.appeal_until = timezone.localdate() - dt.timedelta(days=1)
    round_.save(update_fields=["appeal_until"])
    assert (
        b'data-testid="appeal"' not in get(client, personas.member, "target_detail", own.pk).content
    )


def test_the_appeal_button_links_the_appeal_page(client, tree, personas, people):
    round_ = member_round(tree, personas, people)
    round_.appeal_until = timezone.localdate() + dt.timedelta(days=2)
    round_.save(update_fields=["appeal_until"])
    own = Target.objects.get(round=round_, person=people.zhang_san)
    response = get(client, personas.member, "target_detail", own.pk)
    assert response.status_code == 200
    url = safe_reverse("evaluation:appeal_create", own.pk)
    if url is None:  # the appeals area is not installed: no button, no error
        assert b'data-testid="appeal"' not in response.content
    else:
        assert f'href="{url}" data-testid="appeal"' in response.content.decode()


def test_target_detail_costs_the_same_queries_with_more_scores(client, tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.company)
    score_org(personas.county, round_, tree.station_a1, 90)
    score_org(personas.company, round_, tree.station_a1, 80)
    score_org(personas.company, round_, tree.station_b1, 60)
    rounds.round_compute(actor=personas.company, round_=round_)
    many = Target.objects.get(round=round_, organization=tree.station_a1)
    few = Target.objects.get(round=round_, organization=tree.station_b1)
    assert many.scores.count() == 4 and few.scores.count() == 2
    client.force_login(personas.company)
    small = count_queries(client, reverse("evaluation:target_detail", args=[few.pk]))
    assert small == count_queries(client, reverse("evaluation:target_detail", args=[many.pk]))


# --- a zero is 0.00, never "—" (issue 14) -----------------------------------------------------


def vetoed_round(tree, personas):
    """A2 vetoed: its total is capped at 0.00, a real zero."""
    round_ = branch_round(tree, personas, publish=False)
    target = Target.objects.get(round=round_, organization=tree.station_a2)
    round_.state = "scoring"
    round_.save(update_fields=["state"])
    scores.score_submit(
        actor=personas.county,
        round_=round_,
        target=target,
        group="higher",
        values={"integrity": 1},
        today=OPEN_DAY,
    )
    rounds.round_compute(actor=personas.company, round_=round_)
    target.refresh_from_db()
    assert str(target.total) == "0.00"
    return round_, target


def total_cell(html: str, marker: str) -> str:
    import re

    found = re.search(rf'data-testid="{marker}"[^>]*>(.*?)</', html, re.S)
    return found.group(1).strip()


def test_a_zero_total_reads_0_00_in_the_ranking_and_the_result(client, tree, personas):
    round_, target = vetoed_round(tree, personas)
    ranking = get(client, personas.company, "results", round_.pk, q="A2").content.decode()
    assert total_cell(ranking, "total") == "0.00"
    detail = get(client, personas.company, "target_detail", target.pk).content.decode()
    assert total_cell(detail, "total") == "0.00"


def test_a_bonus_nobody_gave_reads_0_00_and_missing_data_says_so(client, tree, personas):
    round_ = branch_round(tree, personas, values={"station_a1": ("county", 90)})
    given = Target.objects.get(round=round_, organization=tree.station_a1)
    raws = {
        row["data-code"]: row["raw"]
        for row in raw_cells(get(client, personas.company, "target_detail", given.pk))
    }
    assert raws["bonus"] == "0.00" and raws["safety"] == "0.00" and raws["party"] == "90.00"
    missing = Target.objects.get(round=round_, organization=tree.station_b1)
    raws = {
        row["data-code"]: row["raw"]
        for row in raw_cells(get(client, personas.company, "target_detail", missing.pk))
    }
    assert raws["party"].startswith("—") and "缺数据" in raws["party"]


def raw_cells(response) -> list[dict]:
    import re

    html = response.content.decode()
    rows = re.findall(
        r'data-testid="indicator-row" data-code="([^"]+)".*?data-testid="raw">(.*?)</td>',
        html,
        re.S,
    )
    return [{"data-code": code, "raw": re.sub(r"<[^>]+>", "", raw).strip()} for code, raw in rows]
