"""Journey (issue Accounts, 批量开通): a branch secretary opens accounts for the five party members
of their station in one action (the preview first: five to open, 张三 skipped because he has an
account), downloads the 开户清单 once, and one member activates on a 390 px phone with the code
from it, sets her own password and rates a key event in the open arena round under her own name."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from bastion.accounts.models import AccountList, ActivationCode
from bastion.core.periods import Period
from bastion.evaluation.models import Scheme, Score
from bastion.evaluation.services.key_events import key_event_submit
from bastion.evaluation.services.rounds import round_open
from bastion.orgs.models import RoleAssignment
from bastion.orgs.tests.factories import PersonFactory

from .conftest import PHONE
from .test_evaluation_journey import DIMENSIONS, open_round_list
from .test_phone import assert_no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIVE = {"E3101": "陈明", "E3102": "刘芳", "E3103": "黄伟", "E3104": "周强", "E3105": "吴静"}
JOINED = {
    "membership_status": "full",
    "admitted_on": dt.date(2014, 7, 1),
    "confirmed_on": dt.date(2015, 7, 1),
}
HER_PASSWORD = "Wujing-2026-dianli"
EVENT = (
    "迎峰度夏连续值守配电房",
    "高温负荷创新高，带班值守配电房 12 天，发现并消除过热缺陷 3 处。",
)


def open_arena_round(company, branch, member):
    """This quarter's arena round over ``branch``, with ``member``'s key event in it."""
    today = timezone.localdate()
    quarter = Period.containing("quarter", today)
    round_ = round_open(
        actor=company,
        scheme=Scheme.objects.get(code="arena"),
        organization=branch,
        period_label=quarter.label,
        period_start=quarter.start,
        period_end=quarter.end,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    key_event_submit(
        actor=member, round_=round_, title=EVENT[0], happened_on=today, description=EVENT[1]
    )
    return round_


def test_a_secretary_opens_five_accounts_and_a_member_activates_and_rates_on_a_phone(
    page, phone, login, personas, people, tree
):
    branch = tree.station_a1
    for employee_no, name in FIVE.items():
        PersonFactory(name=name, employee_no=employee_no, organization=branch, **JOINED)
    round_ = open_arena_round(personas.company, branch, personas.member)

    # 1. The secretary previews 批量开通 for the station's party members.
    login(page, personas.secretary_a)
    page.get_by_role("link", name="批量开通").click()
    form = page.get_by_test_id("bulk-form")
    form.get_by_label("开通范围（含下级组织）").select_option(str(branch.pk))
    form.get_by_label("政治面貌").select_option(label="党员（正式+预备）")
    form.get_by_role("button", name="预览").click()
    expect(page.get_by_test_id("preview-summary")).to_have_text("将开通 5 个账号，跳过 1 人")
    expect(page.get_by_test_id("to-open-row")).to_have_count(5)
    skipped = page.get_by_test_id("skipped-row")
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text("张三")
    expect(skipped).to_contain_text("已有账号")
    assert not ActivationCode.objects.exists()  # a preview writes nothing

    # 2. One action opens all five; the 开户清单 downloads once.
    page.get_by_test_id("confirm").click()
    expect(page.get_by_role("alert").filter(has_text="已开通 5 个账号")).to_be_visible()
    expect(page.get_by_test_id("list-count")).to_have_text("5")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-list").click()
    download = download_info.value
    assert download.suggested_filename.startswith("开户清单-")
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).worksheets[0]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] in FIVE.values()]
    listed = {name: (username, code) for name, _org, username, code, _how in rows}
    assert {name: username for name, (username, _code) in listed.items()} == {
        name: employee_no for employee_no, name in FIVE.items()
    }
    page.reload()
    expect(page.get_by_test_id("already-downloaded")).to_be_visible()
    assert AccountList.objects.get().entries == []  # the codes are no longer kept

    # 3. 吴静 activates on her phone with the code from the list and sets her own password.
    username, code = listed["吴静"]
    member = phone()
    member.goto(reverse("login"))
    member.get_by_test_id("login-help-links").get_by_role("link", name="首次登录").click()
    activation = member.get_by_test_id("activate-form")
    activation.get_by_label("用户名").fill(username)
    activation.get_by_label("激活码").fill(code.lower().replace("-", ""))
    activation.get_by_label("设置新密码").fill(HER_PASSWORD)
    activation.get_by_label("再次输入新密码").fill(HER_PASSWORD)
    assert_no_sideways_scroll(member)
    activation.get_by_role("button", name="设置密码并登录").click()
    expect(member.locator(".page-title")).to_have_text("您好，吴静")
    assert member.viewport_size == PHONE
    assert_no_sideways_scroll(member)
    she = ActivationCode.objects.get(user__username=username).user
    assert she.check_password(HER_PASSWORD)
    assert RoleAssignment.objects.filter(
        user=she, role__code="member", organization=branch
    ).exists()

    # 4. ... and rates 张三's key event in the open arena round, as herself.
    open_round_list(member, round_.name)
    row = member.get_by_test_id("target-row").filter(has_text=EVENT[0])
    row.get_by_test_id("row-pending").click()
    scores = member.get_by_test_id("score-form")
    for dimension, mark in zip(DIMENSIONS, ("9", "8", "9", "10"), strict=True):
        scores.get_by_label(dimension).fill(mark)
    scores.get_by_test_id("submit-scores").click()
    expect(member.get_by_role("alert").filter(has_text="已保存对")).to_be_visible()
    assert Score.objects.filter(round=round_, evaluator=she).count() == 4

    # The code was used: a second activation with it is refused in Chinese.
    second = phone()
    second.goto(reverse("accounts:activate"))
    again = second.get_by_test_id("activate-form")
    again.get_by_label("用户名").fill(username)
    again.get_by_label("激活码").fill(code)
    again.get_by_label("设置新密码").fill("Another-pass-2026")
    again.get_by_label("再次输入新密码").fill("Another-pass-2026")
    again.get_by_role("button", name="设置密码并登录").click()
    expect(second.get_by_test_id("activate-form")).to_contain_text("激活码")
    she.refresh_from_db()
    assert she.check_password(HER_PASSWORD)
