"""Wherever an account appears, the person's name and organization are shown, the username only
beside them (issue 12, item 1): the account's own name, the greeting, role grants and their
history, audit history, evaluator lists, inbox senders and the role-grant picker."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bastion.core.notifications.services import notification_send
from bastion.core.testing import count_queries, login
from bastion.orgs.models import Role, RoleAssignment
from bastion.orgs.services import person_update
from bastion.orgs.tests.factories import PersonFactory, UserFactory

GRANT = "orgs:role_grant"


def give_account(person, user):
    person.user = user
    person.save(update_fields=["user"])
    return user


# --- the account's name ---------------------------------------------------------------------


def test_an_account_of_nobody_is_called_by_its_username(db):
    user = UserFactory(username="lonely")
    assert (str(user), user.display_name, user.organization_name) == ("lonely", "lonely", "")


def test_an_account_with_its_own_name_shows_the_username_beside(db):
    user = UserFactory(username="admin", first_name="系统管理员")
    assert str(user) == "系统管理员（admin）"
    assert user.display_name == "系统管理员"


def test_an_account_of_a_person_is_called_by_the_persons_name(personas):
    member = get_user_model().objects.get(pk=personas.member.pk)
    assert str(member) == "张三（p_member）"
    assert member.display_name == "张三"
    assert member.organization_name == "A1供电所党支部"


def test_the_persons_name_wins_over_the_accounts_own_name(personas, people):
    user = give_account(people.li_si, UserFactory(username="lisi", first_name="旧名字"))
    assert get_user_model().objects.get(pk=user.pk).display_name == "李四"


def test_a_lone_account_loads_its_person_and_organization_in_one_query(
    personas, django_assert_num_queries
):
    member = get_user_model().objects.get(pk=personas.member.pk)
    with django_assert_num_queries(1):
        assert (member.display_name, member.organization_name) == ("张三", "A1供电所党支部")


def test_a_list_that_selected_the_person_costs_no_query_per_account(
    personas, people, django_assert_num_queries
):
    give_account(people.wang_wu, personas.secretary_a)
    accounts = list(get_user_model().objects.select_related("person__organization"))
    with django_assert_num_queries(0):
        names = {account.username: str(account) for account in accounts}
    assert names["p_member"] == "张三（p_member）"
    assert names["p_secretary_a"] == "王五（p_secretary_a）"
    assert names["p_county"] == "p_county"


# --- pages ------------------------------------------------------------------------------------


def test_the_home_greeting_uses_the_persons_name(client, personas):
    client.force_login(personas.member)
    html = client.get(reverse("home")).content.decode()
    assert "您好，张三" in html
    assert "您好，p_member" not in html


def test_the_topbar_shows_name_and_organization(client, personas):
    client.force_login(personas.member)
    html = client.get(reverse("account")).content.decode()
    topbar = html.split('data-testid="topbar-account"')[1].split("</a>")[0]
    assert "张三" in topbar and "A1供电所党支部" in topbar and "p_member" in topbar
    assert 'data-testid="account-display-name">张三<' in html


def test_the_role_list_shows_name_organization_and_username(client, personas):
    client.force_login(personas.company)
    response = client.get(reverse("orgs:role_list"))
    html = response.content.decode()
    row = next(part for part in html.split('data-testid="role-row"')[1:] if "p_member" in part)
    assert "张三" in row and "A1供电所党支部" in row
    assert row.index("张三") < row.index("p_member")


@pytest.mark.parametrize("query", ["张三", "zs", "p_member"])
def test_the_role_list_finds_an_account_by_its_persons_name(client, personas, query):
    client.force_login(personas.company)
    page = client.get(reverse("orgs:role_list"), {"q": query}).context["page"]
    assert [a.user for a in page] == [personas.member]


def test_the_role_list_costs_the_same_queries_with_more_named_accounts(client, personas, tree):
    client.force_login(personas.company)
    url = reverse("orgs:role_list")
    few = count_queries(client, url)
    role = Role.objects.get(code="member")
    for i in range(8):
        user = UserFactory(username=f"named{i}")
        PersonFactory(name=f"党员{i}", organization=tree.station_b1, user=user)
        RoleAssignment.objects.create(user=user, role=role, organization=tree.station_b1)
    assert count_queries(client, url) == few


def test_audit_history_names_the_actor_by_person(client, personas, people):
    give_account(people.county_clerk, personas.county)
    person = people.li_si
    person_update(actor=personas.county, person=person, data={"phone": "13800000000"})
    client.force_login(personas.county)
    html = client.get(reverse("orgs:person_history", args=[person.pk])).content.decode()
    assert "钱七" in html and "p_county" in html
    assert html.index("钱七") < html.index("p_county")


# --- the inbox ------------------------------------------------------------------------------


def test_the_inbox_names_the_sender(client, api, personas, people):
    give_account(people.wang_wu, personas.secretary_a)
    [note] = notification_send(
        actor=personas.secretary_a,
        recipients=[personas.member],
        event="test.hello",
        title="请按时交党费",
        channels=(),
    )
    client.force_login(personas.member)
    listing = client.get(reverse("inbox")).content.decode()
    detail = client.get(reverse("notification_detail", args=[note.pk])).content.decode()
    for html in (listing, detail):
        assert 'data-testid="notification-sender"' in html
        assert "王五" in html and "A2供电所党支部" in html and "p_secretary_a" in html
    data = login(api, personas.member).get(f"/api/v1/notifications/{note.pk}/").json()
    assert (data["actor"], data["actor_display_name"]) == ("p_secretary_a", "王五")


# --- the role-grant picker ------------------------------------------------------------------


def grant_post(person, role_code, organization):
    role = Role.objects.get(code=role_code)
    return {"person": getattr(person, "pk", ""), "role": role.pk, "organization": organization.pk}


def test_the_picker_lists_people_with_accounts_as_name_and_organization(client, personas):
    client.force_login(personas.county)
    form = client.get(reverse(GRANT)).context["form"]
    labels = [label for _pk, label in form.fields["person"].widget.choices]
    assert "张三 · A1供电所党支部" in labels
    assert not any(label.startswith("李四") for label in labels)  # no account


def test_the_picker_search_narrows_the_list(client, personas, people):
    give_account(people.wang_wu, personas.secretary_a)
    client.force_login(personas.county)
    form = client.get(reverse(GRANT), {"q": "ww"}).context["form"]
    assert [label for _pk, label in form.fields["person"].widget.choices][1:] == [
        "王五 · A2供电所党支部"
    ]


def test_a_grant_picks_the_account_by_its_person(client, personas, people, tree):
    client.force_login(personas.county)
    response = client.post(
        reverse(GRANT), grant_post(people.zhang_san, "branch_secretary", tree.station_a1)
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user=personas.member, role__code="branch_secretary", organization=tree.station_a1
    ).exists()


def test_a_person_outside_the_scope_is_refused_in_chinese(client, personas, people, tree):
    give_account(people.zhao_liu, personas.outsider)
    client.force_login(personas.county)
    response = client.post(reverse(GRANT), grant_post(people.zhao_liu, "member", tree.station_a1))
    assert response.context["form"].errors["person"] == ["所选人员不在您的管理范围内，请重新选择。"]
    assert not RoleAssignment.objects.filter(user=personas.outsider).exists()


def test_a_person_without_an_account_is_refused_in_chinese(client, personas, people, tree):
    client.force_login(personas.county)
    response = client.post(reverse(GRANT), grant_post(people.li_si, "member", tree.station_a1))
    assert response.context["form"].errors["person"] == [
        "“李四”还没有可用的账号，请先为其开通账号再授予角色。"
    ]


def test_nobody_chosen_is_refused_in_chinese(client, personas, tree):
    client.force_login(personas.county)
    response = client.post(reverse(GRANT), grant_post(None, "member", tree.station_a1))
    assert response.context["form"].errors["person"] == ["请选择要授予角色的人员。"]


def test_an_account_of_nobody_may_still_be_granted_by_username(client, personas, tree):
    client.force_login(personas.company)
    data = grant_post(None, "member", tree.station_b1)
    response = client.post(reverse(GRANT), {**data, "username": "p_outsider"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=personas.outsider).exists()


def test_an_account_of_a_person_must_be_picked_by_the_person(client, personas, tree):
    client.force_login(personas.company)
    data = grant_post(None, "member", tree.station_b1)
    response = client.post(reverse(GRANT), {**data, "username": "p_member"})
    assert response.context["form"].errors["username"] == [
        "该账号已关联人员，请在“人员”中按姓名选择。"
    ]
