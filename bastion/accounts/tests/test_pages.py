"""人员账号 pages: the list and its filters, one account, and 停用/启用/重置/解除锁定."""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from bastion.accounts import selectors, services
from bastion.accounts.models import ActivationCode
from bastion.core.models import SecurityEvent
from bastion.core.testing import count_queries
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant, make_org

from .page_fixtures import STRONG_PASSWORD, opened_fixture  # noqa: F401 (fixtures)


def shown(response) -> list[str]:
    return [row.person.name for row in response.context["rows"]]


def lock(user, failures=5, address="10.0.0.9"):
    AccessAttempt.objects.create(
        username=user.username,
        ip_address=address,
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=failures,
    )


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_name_organization_username_and_state(client, personas, opened):
    client.force_login(personas.county)
    lock(opened.county_clerk)
    response = client.get(reverse("accounts:account_list"))
    html = response.content.decode()
    assert shown(response) == ["钱七", "张三", "王五"]  # in tree order
    assert opened.wang_wu.username in html and "A2供电所党支部" in html
    rows = {row.person.name: row for row in response.context["rows"]}
    assert rows["王五"].awaiting_activation and not rows["张三"].awaiting_activation
    assert rows["钱七"].locked and not rows["王五"].locked
    assert html.count('data-testid="state-awaiting"') == 2
    assert html.count('data-testid="state-locked"') == 1


def test_list_searches_by_name_initials_employee_no_and_username(client, personas, people, opened):
    client.force_login(personas.company)
    url = reverse("accounts:account_list")
    assert shown(client.get(url, {"q": "王五"})) == ["王五"]
    assert shown(client.get(url, {"q": people.zhao_liu.employee_no})) == ["赵六"]
    assert shown(client.get(url, {"q": personas.member.username})) == ["张三"]
    assert shown(client.get(url, {"q": people.county_clerk.name_initials})) == ["钱七"]


def test_list_filters_by_subtree_state_and_activation(client, personas, tree, opened):
    client.force_login(personas.company)
    url = reverse("accounts:account_list")
    assert set(shown(client.get(url, {"within": tree.county_a.pk}))) == {"张三", "王五", "钱七"}
    services.account_deactivate(actor=personas.company, user=opened.wang_wu, reason="调离")
    assert shown(client.get(url, {"is_active": "0"})) == ["王五"]
    assert "王五" not in shown(client.get(url, {"is_active": "1"}))
    assert set(shown(client.get(url, {"awaiting": "1"}))) == {"王五", "赵六", "钱七"}
    assert shown(client.get(url, {"awaiting": "0"})) == ["张三"]


def test_list_filter_outside_the_scope_is_not_found(client, personas, tree, opened):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("accounts:account_list"), {"within": tree.station_b1.pk})
    assert response.status_code == 404


def test_list_refuses_a_bad_switch_value_in_chinese(client, personas, opened):
    client.force_login(personas.company)
    response = client.get(reverse("accounts:account_list"), {"is_active": "maybe"})
    assert response.status_code == 200
    assert "只能为 1 或 0" in response.content.decode()


def grow(tree, stations: int, per_station: int, tag: str):
    """Stations under county A full of people with accounts (some locked, some waiting)."""
    for i in range(stations):
        station = make_org(tree.county_a, name=f"扩展所{tag}{i}", code=f"C-A-{tag}{i:03d}")
        for person in PersonFactory.create_batch(per_station, organization=station):
            user = UserFactory()
            person.user = user
            person.save()
            lock(user)


def test_list_queries_do_not_grow_with_the_accounts(client, personas, tree, opened):
    client.force_login(personas.company)
    url = reverse("accounts:account_list")
    grow(tree, 2, 3, "S")
    small = count_queries(client, url)
    grow(tree, 6, 10, "L")
    large = count_queries(client, url)
    assert len(large.response.context["rows"]) == 50  # a full page
    assert small == large


def test_detail_queries_do_not_grow_with_roles_and_sign_ins(client, personas, tree, opened):
    client.force_login(personas.company)
    url = reverse("accounts:account_detail", args=[opened.zhang_san.pk])
    small = count_queries(client, url)
    for org in (tree.station_a2, tree.county_a, tree.group_a1):
        grant(opened.zhang_san, "member", org)
    for _ in range(5):
        SecurityEvent.objects.create(kind="login", username="p_member", user=opened.zhang_san)
    assert count_queries(client, url) == small


# --- one account --------------------------------------------------------------------------------


def test_detail_shows_person_roles_in_the_viewers_scope_and_sign_ins(
    client, personas, tree, opened
):
    grant(opened.zhang_san, "member", tree.station_b1)  # a role secretary A does not see
    SecurityEvent.objects.create(
        kind="login", username="p_member", user=opened.zhang_san, ip_address="10.1.2.3"
    )
    client.force_login(personas.secretary_a)
    response = client.get(reverse("accounts:account_detail", args=[opened.zhang_san.pk]))
    html = response.content.decode()
    assert "张三" in html and "A1供电所党支部" in html and "p_member" in html
    assert [a.organization for a in response.context["roles"]] == [tree.station_a1]
    assert "10.1.2.3" in html
    client.force_login(personas.company)
    response = client.get(reverse("accounts:account_detail", args=[opened.zhang_san.pk]))
    assert {a.organization for a in response.context["roles"]} == {
        tree.station_a1,
        tree.station_b1,
    }


def test_deactivate_with_a_reason_then_reactivate(client, personas, opened):
    client.force_login(personas.secretary_a)
    member = opened.zhang_san
    response = client.post(
        reverse("accounts:account_deactivate", args=[member.pk]), {"reason": "长期病假"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(member), object_id=member.pk
    ).latest("timestamp")
    assert entry.additional_data["reason"] == "长期病假"
    page = client.get(response["Location"]).content.decode()
    assert "已停用张三的账号" in page and 'data-testid="reactivate"' in page
    client.post(reverse("accounts:account_reactivate", args=[member.pk]))
    member.refresh_from_db()
    assert member.is_active


def test_history_shows_what_the_services_wrote(client, personas, opened):
    services.account_deactivate(actor=personas.county, user=opened.wang_wu, reason="调离")
    client.force_login(personas.county)
    response = client.get(reverse("accounts:account_history", args=[opened.wang_wu.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) >= 2  # opened, deactivated
    html = response.content.decode()
    assert 'data-testid="history-reason">调离<' in html  # the reason the manager gave
    assert "修改" in html and "update" not in html and "True" not in html


def test_history_says_why_an_account_closed_when_its_person_left(client, personas, opened, people):
    people.wang_wu.status = "transferred"
    people.wang_wu.save()
    services.accounts_close_for_leavers(person_ids=[people.wang_wu.pk])
    client.force_login(personas.county)
    html = client.get(reverse("accounts:account_history", args=[opened.wang_wu.pk])).content
    assert "人员状态变为“转出”，账号自动停用" in html.decode()


def test_nobody_deactivates_their_own_account_from_the_page(client, tree, people):
    secretary = UserFactory(username="sec_self")
    grant(secretary, "branch_secretary", tree.station_a1)
    people.li_si.user = secretary
    people.li_si.save()
    client.force_login(secretary)
    response = client.get(reverse("accounts:account_detail", args=[secretary.pk]))
    assert 'data-testid="deactivate"' not in response.content.decode()
    response = client.post(reverse("accounts:account_deactivate", args=[secretary.pk]))
    assert "不能停用自己的账号" in client.get(response["Location"]).content.decode()
    secretary.refresh_from_db()
    assert secretary.is_active


def test_deactivate_refuses_an_overlong_reason_beside_the_field(client, personas, opened):
    client.force_login(personas.secretary_a)
    url = reverse("accounts:account_deactivate", args=[opened.zhang_san.pk])
    response = client.post(url, {"reason": "长" * 201})
    assert response.status_code == 400
    assert response.context["deactivate_form"].errors["reason"]
    opened.zhang_san.refresh_from_db()
    assert opened.zhang_san.is_active


def test_reset_shows_the_code_once_and_it_activates_the_account(client, personas, opened):
    client.force_login(personas.secretary_a)
    member = opened.zhang_san
    response = client.post(reverse("accounts:account_reset", args=[member.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = response.context["code"]
    assert code in response.content.decode() and len(code) == 9
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert (
        client.get(reverse("accounts:account_detail", args=[member.pk]))
        .content.decode()
        .count(code)
        == 0
    )
    user = services.account_activate(username=member.username, code=code, password=STRONG_PASSWORD)
    assert user.check_password(STRONG_PASSWORD)


def test_reset_of_a_deactivated_account_is_refused_with_a_message(client, personas, opened):
    services.account_deactivate(actor=personas.company, user=opened.wang_wu)
    client.force_login(personas.county)
    response = client.post(reverse("accounts:account_reset", args=[opened.wang_wu.pk]))
    assert response.status_code == 302
    assert "账号已停用，请先启用" in client.get(response["Location"]).content.decode()
    assert not ActivationCode.objects.filter(user=opened.wang_wu, reason="reset").exists()


def test_failures_from_two_addresses_add_up_to_a_lock_as_sign_in_counts_them(personas, opened):
    member = opened.wang_wu
    lock(member, failures=3, address="10.0.0.1")
    assert selectors.locked_usernames([member.username]) == set()
    lock(member, failures=2, address="10.0.0.2")
    assert selectors.locked_usernames([member.username]) == {member.username}


def test_unlock_is_offered_only_when_locked_and_lifts_the_lock(client, personas, opened):
    client.force_login(personas.county)
    url = reverse("accounts:account_detail", args=[opened.wang_wu.pk])
    assert 'data-testid="unlock"' not in client.get(url).content.decode()
    lock(opened.wang_wu)
    assert 'data-testid="unlock"' in client.get(url).content.decode()
    client.post(reverse("accounts:account_unlock", args=[opened.wang_wu.pk]))
    assert not AccessAttempt.objects.filter(username=opened.wang_wu.username).exists()
    assert 'data-testid="state-locked"' not in client.get(url).content.decode()


@pytest.mark.parametrize(
    "name", ["account_deactivate", "account_reactivate", "account_reset", "account_unlock"]
)
def test_management_actions_only_answer_post(client, personas, opened, name):
    client.force_login(personas.company)
    response = client.get(reverse(f"accounts:{name}", args=[opened.wang_wu.pk]))
    assert response.status_code == 405
    opened.wang_wu.refresh_from_db()
    assert opened.wang_wu.is_active


def test_management_actions_need_the_csrf_token(personas, opened):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.company)
    response = client.post(reverse("accounts:account_deactivate", args=[opened.wang_wu.pk]))
    assert response.status_code == 403
    opened.wang_wu.refresh_from_db()
    assert opened.wang_wu.is_active


# --- the person panel and the home widget -------------------------------------------------------


def test_person_panel_offers_open_to_a_manager_and_manage_once_opened(client, personas, people):
    client.force_login(personas.secretary_a)
    url = reverse("orgs:person_detail", args=[people.li_si.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="open-account"' in html
    services.account_open(actor=personas.secretary_a, person=people.li_si)
    html = client.get(url).content.decode()
    assert 'data-testid="open-account"' not in html
    assert 'data-testid="manage-account"' in html and "待激活" in html


def test_person_panel_is_hidden_from_a_member(client, personas, people):
    client.force_login(personas.member)
    html = client.get(reverse("orgs:person_detail", args=[people.zhang_san.pk])).content.decode()
    assert 'data-testid="account-panel"' not in html


def test_home_widget_shows_waiting_requests_and_lists(client, personas, people, opened):
    services.password_help_request(username=opened.wang_wu.username)
    services.account_open(actor=personas.county, person=people.li_si)
    client.force_login(personas.county)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="accounts-widget"' in html
    assert 'data-testid="widget-help-row"' in html and "王五" in html
    assert 'data-testid="widget-pending-list"' in html
    client.force_login(personas.secretary_b)  # nothing waits in B1
    assert 'data-testid="accounts-widget"' not in client.get(reverse("home")).content.decode()
