"""党员积分手册 pages: persona matrix, scope (404 outside), recording, review, evidence,
filters and constant queries at two sizes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bastion.core.testing import PERSONAS, Opens, persona_matrix
from bastion.evaluation.models import PointsEntry
from bastion.orgs.tests.factories import PersonFactory

from .helpers_points import entry, make_items, png

pytestmark = pytest.mark.django_db
LIST = reverse("evaluation:points_list")
MINE = reverse("evaluation:points_mine")
NEW = reverse("evaluation:points_create")
ITEMS = reverse("evaluation:points_items")


def today():
    return timezone.localdate()


@pytest.fixture
def items(db):
    return make_items()


@pytest.fixture
def ledger(people, items):
    """An approved and a pending entry of 张三 (with evidence), one of 赵六 in county B."""
    return {
        "approved": entry(people.zhang_san, items["t_study"], on=today()),
        "pending": entry(
            people.zhang_san,
            items["t_guard"],
            state="pending",
            on=today(),
            evidence=_stored(),
            evidence_name="现场.png",
        ),
        "zhao": entry(people.zhao_liu, items["t_study"], on=today()),
    }


def _stored():
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    return default_storage.save("evaluation/points/test/e.png", ContentFile(png().read()))


def review_url(pk):
    return reverse("evaluation:points_review", args=[pk])


def evidence_url(pk):
    return reverse("evaluation:points_evidence", args=[pk])


# The ledger is for reviewers, "mine" for members with a record; the handbook is for everyone.
REVIEWERS = set(PERSONAS) - {"member", "outsider"}
LEDGER = [
    Opens(["evaluation:points_list"], by=REVIEWERS, fixtures=["ledger"]),
    Opens(["evaluation:points_mine"], by={"member"}, fixtures=["ledger"]),
    Opens(["evaluation:points_create"], by=set(PERSONAS) - {"outsider"}, fixtures=["ledger"]),
    Opens(["evaluation:points_items"], by=PERSONAS, fixtures=["ledger"]),
]

test_points_pages_persona_matrix = persona_matrix(*LEDGER)


def test_handbook_needs_login_and_lists_active_items_by_category(client, personas, items):
    assert client.get(ITEMS).status_code == 302
    client.force_login(personas.outsider)
    body = client.get(ITEMS).content.decode()
    assert "测试参加学习" in body and "测试现场保安" in body and "测试停用项目" not in body
    assert "须附佐证" in body and "安全积分" in body


def test_member_sees_own_entries_and_monthly_balance(client, personas, ledger):
    client.force_login(personas.member)
    response = client.get(MINE)
    shown = {e.pk for e in response.context["page"].object_list}
    assert shown == {ledger["approved"].pk, ledger["pending"].pk}
    assert response.context["this_month"]["total"] == 2
    assert len(response.context["chart"]["months"]) == 12
    assert 'data-testid="add-points"' in response.content.decode()


def test_ledger_scope_per_secretary(client, personas, ledger):
    client.force_login(personas.secretary_b)
    response = client.get(LIST)
    assert [e.pk for e in response.context["page"].object_list] == [ledger["zhao"].pk]
    assert response.context["queue"] == []
    assert [r["person__name"] for r in response.context["ranking"]] == ["赵六"]
    client.force_login(personas.secretary_a)
    response = client.get(LIST)
    assert {e.pk for e in response.context["page"].object_list} == {
        ledger["approved"].pk,
        ledger["pending"].pk,
    }
    assert [e.pk for e in response.context["queue"]] == [ledger["pending"].pk]
    assert 'data-testid="approve"' in response.content.decode()


def test_secretary_b_gets_404_on_a1_entries(client, personas, ledger):
    client.force_login(personas.secretary_b)
    pending = ledger["pending"]
    assert client.post(review_url(pending.pk), {"decision": "approve"}).status_code == 404
    assert client.get(evidence_url(pending.pk)).status_code == 404
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_secretary_approves_from_the_queue(client, personas, ledger):
    client.force_login(personas.secretary_a)
    pending = ledger["pending"]
    response = client.post(review_url(pending.pk), {"decision": "approve", "next": LIST})
    assert response.status_code == 302 and response["Location"] == LIST
    pending.refresh_from_db()
    assert pending.state == "approved" and pending.approver == personas.secretary_a
    again = client.post(review_url(pending.pk), {"decision": "reject"}, follow=True)
    assert "只能审核待审核的记录" in again.content.decode()
    evil = client.post(
        review_url(ledger["approved"].pk), {"decision": "x", "next": "https://evil.example/"}
    )
    assert evil.status_code == 302 and evil["Location"] == LIST


def test_member_cannot_review_own_entry(client, personas, ledger):
    client.force_login(personas.member)
    assert client.post(review_url(ledger["pending"].pk), {"decision": "approve"}).status_code == 404
    assert client.get(review_url(ledger["pending"].pk)).status_code == 405


def test_evidence_download_scope(client, personas, ledger):
    pending = ledger["pending"]
    for persona in ("member", "secretary_a", "county", "company"):
        client.force_login(getattr(personas, persona))
        response = client.get(evidence_url(pending.pk))
        assert response.status_code == 200, persona
        assert "attachment" in response["Content-Disposition"]
    client.force_login(personas.outsider)
    assert client.get(evidence_url(pending.pk)).status_code == 404
    client.force_login(personas.member)
    assert client.get(evidence_url(ledger["approved"].pk)).status_code == 404  # no file


def test_member_records_through_the_form(client, personas, people, items):
    client.force_login(personas.member)
    form = client.get(NEW).context["form"]
    assert not form.records_for_others and "points" not in form.fields
    post = {
        "person": people.zhang_san.pk,
        "item": items["t_guard"].pk,
        "occurred_on": today().isoformat(),
        "note": "保电值守",
        "evidence": png(),
    }
    response = client.post(NEW, post)
    assert response.status_code == 302 and response["Location"] == MINE
    made = PointsEntry.objects.get()
    assert made.state == "pending" and made.evidence_name == "photo.png"


def test_member_cannot_record_for_someone_else_through_the_form(client, personas, people, items):
    client.force_login(personas.member)
    post = {
        "person": people.wang_wu.pk,
        "item": items["t_study"].pk,
        "occurred_on": today().isoformat(),
    }
    response = client.post(NEW, post)
    assert response.status_code == 200 and "不在您的管理范围内" in response.content.decode()
    assert not PointsEntry.objects.exists()


def test_form_errors_rerender_in_chinese(client, personas, people, items):
    client.force_login(personas.member)
    base = {"person": people.zhang_san.pk, "item": items["t_study"].pk}
    future = client.post(NEW, {**base, "occurred_on": (today() + dt.timedelta(days=2)).isoformat()})
    assert "不能晚于今天" in future.content.decode()
    evidence = client.post(
        NEW, {**base, "item": items["t_guard"].pk, "occurred_on": today().isoformat()}
    )
    assert "须附佐证材料" in evidence.content.decode()
    assert client.post(NEW, {**base, "occurred_on": "昨天"}).status_code == 200
    assert not PointsEntry.objects.exists()


def test_secretary_records_for_a_member_approved(client, personas, people, items):
    client.force_login(personas.secretary_a)
    form = client.get(NEW).context["form"]
    choices = {p.pk for p in form.fields["person"].queryset}
    assert people.zhang_san.pk in choices and people.zhao_liu.pk not in choices
    assert people.li_si.pk not in choices  # not a party member
    response = client.post(
        NEW,
        {
            "person": people.zhang_san.pk,
            "item": items["t_study"].pk,
            "occurred_on": today().isoformat(),
            "points": "3",
        },
    )
    assert response.status_code == 302 and response["Location"] == LIST
    made = PointsEntry.objects.get()
    assert (made.state, made.points) == ("approved", 3)


def test_ledger_filters(client, personas, people, items, ledger):
    old = entry(people.zhang_san, items["t_late"], on=dt.date(2025, 6, 3))
    client.force_login(personas.county)
    ids = lambda r: {e.pk for e in r.context["page"].object_list}  # noqa: E731
    assert ids(client.get(LIST, {"month": "2025-06"})) == {old.pk}
    assert ids(client.get(LIST, {"state": "pending"})) == {ledger["pending"].pk}
    assert ids(client.get(LIST, {"name": "zs", "category": "deduction"})) == {old.pk}
    assert ids(client.get(LIST, {"person": people.zhang_san.pk})) == {
        old.pk,
        ledger["approved"].pk,
        ledger["pending"].pk,
    }
    bad = client.get(LIST, {"month": "June"})
    assert bad.status_code == 200 and "周期“June”无效" in bad.content.decode()
    client.force_login(personas.company)
    narrowed = client.get(LIST, {"within": people.zhao_liu.organization_id})
    assert ids(narrowed) == {ledger["zhao"].pk}
    assert [r["person__name"] for r in narrowed.context["ranking"]] == ["赵六"]
    client.force_login(personas.county)  # an organization outside the scope: 404
    assert client.get(LIST, {"within": people.zhao_liu.organization_id}).status_code == 404


def _grow(tree, items, count):
    for n in range(count):
        person = PersonFactory(
            name=f"党员{n}", organization=tree.station_a1, membership_status="full"
        )
        entry(person, items["t_study"], on=today())
        entry(person, items["t_guard"], state="pending", on=today())


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona,url", [("secretary_a", LIST), ("member", MINE)])
def test_pages_cost_the_same_queries_at_two_sizes(
    client, personas, tree, people, items, ledger, persona, url
):
    client.force_login(getattr(personas, persona))
    _queries(client, url)
    small = _queries(client, url)
    _grow(tree, items, 60)
    for _n in range(30):
        entry(people.zhang_san, items["t_study"], on=today())
    assert _queries(client, url) == small


def test_queue_refuses_to_approve_an_entry_missing_its_evidence(client, personas, people, items):
    bare = entry(people.zhang_san, items["t_guard"], state="pending", on=today())
    client.force_login(personas.secretary_a)
    page = client.get(LIST).content.decode()
    assert 'data-testid="missing-evidence"' in page
    response = client.post(review_url(bare.pk), {"decision": "approve", "next": LIST}, follow=True)
    assert response.status_code == 200
    assert "测试现场保安" in response.content.decode() and "佐证" in response.content.decode()
    bare.refresh_from_db()
    assert bare.state == "pending"
