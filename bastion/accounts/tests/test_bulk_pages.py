"""批量开通 (form → preview → confirm), 开通账号 from the person page, and the 开户清单 download."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from bastion.accounts import services, views_open
from bastion.accounts.models import AccountList
from bastion.core.testing import count_queries
from bastion.orgs.models import Person, RoleAssignment
from bastion.orgs.tests.factories import PersonFactory

from .page_fixtures import STRONG_PASSWORD

BULK = "accounts:bulk_open"


def preview(client, org, membership=""):
    return client.get(reverse(BULK), {"organization": org.pk, "membership_status": membership})


def confirm(client, org, signature, membership=""):
    data = {"organization": org.pk, "membership_status": membership, "signature": signature}
    return client.post(reverse(BULK), data)


@pytest.fixture
def a1_roster(tree, people):
    """Station A1: 张三 (member persona's account), 李四 (no account, 群众), 孙八 (a full
    member without an account) and 周九 (transferred away)."""
    joined = {"admitted_on": "2015-07-01", "confirmed_on": "2016-07-01"}
    sun = PersonFactory(
        name="孙八", organization=tree.station_a1, membership_status="full", **joined
    )
    zhou = PersonFactory(name="周九", organization=tree.station_a1, status="transferred")
    return {"sun": sun, "zhou": zhou}


def test_form_offers_only_organizations_where_the_user_opens_accounts(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.get(reverse(BULK))
    field = response.context["form"].fields["organization"]
    assert set(field.queryset) == {tree.station_a1, tree.group_a1}
    offered = {value for value, _label in field.widget.choices if value}
    assert offered == {tree.station_a1.pk, tree.group_a1.pk}


def test_form_without_an_organization_says_so_in_chinese(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.get(reverse(BULK), {"organization": "", "membership_status": "party"})
    assert "请选择要开通账号的组织" not in response.content.decode()  # an empty form first
    response = client.post(reverse(BULK), {"membership_status": "party", "signature": "x"})
    assert "请选择要开通账号的组织" in response.content.decode()


def test_preview_counts_and_names_the_skipped_with_reasons_and_writes_nothing(
    client, personas, tree, a1_roster
):
    client.force_login(personas.secretary_a)
    users_before = get_user_model().objects.count()
    response = preview(client, tree.station_a1)
    html = response.content.decode()
    assert "将开通 2 个账号，跳过 2 人" in html
    assert {p.name for p in response.context["to_open"]} == {"孙八", "李四"}
    reasons = {person.name: reason for person, reason in response.context["skipped"]}
    assert set(reasons) == {"周九", "张三"}
    assert "转出" in reasons["周九"] and reasons["周九"] in html
    assert "已有账号" in reasons["张三"] and "p_member" in reasons["张三"]  # named, with the why
    assert get_user_model().objects.count() == users_before


def test_preview_filters_by_membership(client, personas, tree, a1_roster):
    client.force_login(personas.secretary_a)
    party = preview(client, tree.station_a1, "party").context["preview"]
    assert party.to_open == [a1_roster["sun"].pk]
    masses = preview(client, tree.station_a1, "none").context["preview"]
    assert Person.objects.get(pk=masses.to_open[0]).name == "李四" and len(masses.to_open) == 1
    response = preview(client, tree.station_a1, "nonsense")
    assert response.context["form"].errors["membership_status"]


def test_confirm_opens_all_grants_the_member_role_and_a_second_run_opens_nothing(
    client, personas, tree, people, a1_roster
):
    client.force_login(personas.secretary_a)
    signature = preview(client, tree.station_a1).context["preview"].signature
    response = confirm(client, tree.station_a1, signature)
    assert response.status_code == 302
    account_list = AccountList.objects.get(opened_by=personas.secretary_a)
    assert response["Location"] == reverse("accounts:list_detail", args=[account_list.pk])
    assert account_list.count == 2
    sun, li_si = Person.objects.get(pk=a1_roster["sun"].pk), Person.objects.get(pk=people.li_si.pk)
    assert sun.user_id and li_si.user_id
    assert RoleAssignment.objects.filter(user=sun.user, role__code="member").exists()
    assert not RoleAssignment.objects.filter(user=li_si.user).exists()  # 群众
    assert Person.objects.get(pk=a1_roster["zhou"].pk).user_id is None
    page = client.get(response["Location"]).content.decode()
    assert "已开通 2 个账号" in page and 'data-testid="download-list"' in page
    again = preview(client, tree.station_a1)
    assert "将开通 0 个账号" in again.content.decode()
    assert 'data-testid="confirm"' not in again.content.decode()
    response = confirm(client, tree.station_a1, again.context["preview"].signature)
    assert response.status_code == 409
    assert "没有需要开通账号的人员" in response.content.decode()
    assert AccountList.objects.count() == 1


def test_a_roster_changed_since_the_preview_is_refused_and_nothing_written(
    client, personas, tree, people, a1_roster
):
    client.force_login(personas.secretary_a)
    signature = preview(client, tree.station_a1).context["preview"].signature
    PersonFactory(name="吴十", organization=tree.station_a1)  # someone adds a person meanwhile
    users_before = get_user_model().objects.count()
    response = confirm(client, tree.station_a1, signature)
    assert response.status_code == 409
    assert "数据已变化，请重新预览后再开通。" in response.content.decode()
    assert "将开通 3 个账号" in response.content.decode()  # the fresh preview
    assert get_user_model().objects.count() == users_before
    assert not AccountList.objects.exists()
    people.li_si.refresh_from_db()
    assert people.li_si.user_id is None


def test_a_confirmation_without_the_preview_signature_shows_the_form(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.post(reverse(BULK), {"organization": tree.station_a1.pk})
    assert response.status_code == 200
    assert not AccountList.objects.exists()


def test_preview_shows_at_most_the_first_rows_and_the_totals(
    client, personas, tree, a1_roster, monkeypatch
):
    monkeypatch.setattr(views_open, "SHOWN_ROWS", 1)
    PersonFactory(name="郑十一", organization=tree.station_a1, status="deceased")
    client.force_login(personas.secretary_a)
    response = preview(client, tree.station_a1)
    assert len(response.context["to_open"]) == 1 and len(response.context["skipped"]) == 1
    html = response.content.decode()
    assert "将开通 2 个账号，跳过 3 人" in html  # 周九 and 郑十一 left, 张三 has an account
    assert "另有 1 人未列出" in html and "另有 2 人未列出" in html


def test_preview_queries_do_not_grow_with_the_roster(client, personas, tree, people):
    client.force_login(personas.county)
    url = reverse(BULK)
    params = {"organization": tree.county_a.pk, "membership_status": ""}
    PersonFactory.create_batch(3, organization=tree.station_a2)
    small = count_queries(client, url, params)
    PersonFactory.create_batch(30, organization=tree.station_a2)
    PersonFactory.create_batch(5, organization=tree.station_a2, status="resigned")
    assert count_queries(client, url, params) == small


# --- the 开户清单 ---------------------------------------------------------------------------------


def download(client, account_list):
    return client.post(reverse("accounts:list_download", args=[account_list.pk]))


def test_list_downloads_once_with_codes_that_activate(client, personas, tree, people, a1_roster):
    client.force_login(personas.secretary_a)
    signature = preview(client, tree.station_a1).context["preview"].signature
    confirm(client, tree.station_a1, signature)
    account_list = AccountList.objects.get()
    response = download(client, account_list)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%BC%80%E6%88%B7%E6%B8%85%E5%8D%95" in response["Content-Disposition"]  # 开户清单
    workbook = load_workbook(io.BytesIO(response.content))
    sheet, notes = workbook.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "所在党组织", "用户名", "激活码", "登录方式")
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"李四", "孙八"}
    # The address as the secretary reached the site, not a configured default.
    assert by_name["李四"][1] == "A1供电所党支部"
    assert "http://testserver/accounts/activate/" in by_name["李四"][4]
    assert notes.title == "发放说明"  # a handout, not the import template's 填写说明
    handout = [row[0] for row in notes.iter_rows(values_only=True)]
    assert any("只能下载一次" in line for line in handout)
    username, code = by_name["李四"][2], by_name["李四"][3]
    user = services.account_activate(username=username, code=code, password=STRONG_PASSWORD)
    assert user.person.name == "李四"
    account_list.refresh_from_db()
    assert account_list.entries == [] and account_list.downloaded_at
    second = download(client, account_list)
    assert second.status_code == 302
    page = client.get(second["Location"]).content.decode()
    assert "该开户清单已下载过" in page and 'data-testid="already-downloaded"' in page
    assert 'data-testid="download-list"' not in page


def test_list_download_only_answers_post(client, personas, people):
    opened = services.account_open(actor=personas.secretary_a, person=people.li_si)
    client.force_login(personas.secretary_a)
    url = reverse("accounts:list_download", args=[opened.account_list.pk])
    assert client.get(url).status_code == 405
    opened.account_list.refresh_from_db()
    assert opened.account_list.downloadable


# --- 开通账号 from the person page ---------------------------------------------------------------


def test_open_from_the_person_page_shows_the_code_once_with_a_one_row_list(
    client, personas, people
):
    client.force_login(personas.secretary_a)
    response = client.post(reverse("accounts:person_open", args=[people.li_si.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    people.li_si.refresh_from_db()
    user = people.li_si.user
    html = response.content.decode()
    code = response.context["code"]
    assert user.username in html and code in html
    assert 'data-testid="download-list"' in html
    workbook = load_workbook(io.BytesIO(download(client, response.context["account_list"]).content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:4] == ("李四", "A1供电所党支部", user.username, code)
    assert services.account_activate(username=user.username, code=code, password=STRONG_PASSWORD)


def test_opening_for_someone_who_has_an_account_is_refused_with_a_message(client, personas, people):
    client.force_login(personas.secretary_a)
    response = client.post(reverse("accounts:person_open", args=[people.zhang_san.pk]))
    assert response.status_code == 302
    assert response["Location"] == people.zhang_san.get_absolute_url()
    assert "已有账号" in client.get(response["Location"]).content.decode()
    assert not AccountList.objects.exists()


def test_opening_for_someone_who_left_is_refused_with_a_message(client, personas, tree):
    gone = PersonFactory(name="周九", organization=tree.station_a1, status="deceased")
    client.force_login(personas.secretary_a)
    response = client.post(reverse("accounts:person_open", args=[gone.pk]))
    assert "不开通账号" in client.get(response["Location"]).content.decode()
    gone.refresh_from_db()
    assert gone.user_id is None


def test_opening_only_answers_post(client, personas, people):
    client.force_login(personas.secretary_a)
    assert client.get(reverse("accounts:person_open", args=[people.li_si.pk])).status_code == 405


def test_the_form_opens_on_the_secretarys_own_branch(client, personas, tree):
    client.force_login(personas.secretary_a)
    form = client.get(reverse(BULK)).context["form"]
    assert form["organization"].value() == tree.station_a1.pk
