"""Screenshots of the account pages (人员账号, 批量开通, 开通账号, 首次登录, 忘记密码, 我的账号) for
``docs/accounts-guide.md``.

Usage (against a demo server, never production)::

    export DATABASE_URL=sqlite:////tmp/docs_accounts.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo --if-empty
    .venv/bin/python manage.py runserver 127.0.0.1:18521 --noreload &
    .venv/bin/python scripts/screenshots_accounts.py http://127.0.0.1:18521

It logs in as the demo accounts (county / secretary / member, password ``bastion-demo``) and
writes ``docs/images/accounts-*.png``; the 首次登录 and 忘记密码 pages are taken on a phone-sized
window (390 px), not signed in. In the demo every party member and secretary already has an
account and the 群众 have none, so the 批量开通 preview of the secretary's station (政治面貌 全部)
opens the 群众 and skips the others; the preview is not confirmed. Unlike most scripts it writes
to the demo database: the secretary opens the account of one 群众 from the person page (the
one-time code is then typed into the phone's 首次登录 form, which is not submitted), a member of
the station asks for a new code on the 忘记密码 page, and the demo member takes an API token so
that 我的账号 lists one. A second run opens another 群众 (the preview then counts one fewer to
open), finds the 忘记密码 request still waiting (no second one is made) and adds a token: for the
pictures of the guide, run it once on a fresh demo database.
Any page answering 4xx/5xx, or a page without what a picture needs, stops the run and says so.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page
from shooter import PASSWORD, TIMEOUT_MS, Shooter, run

MAX_HEIGHT = 1800
PHONE = {"width": 390, "height": 844}
PHONE_MAX_HEIGHT = 1400
DEMO_LOGINS = {"admin", "company", "county", "secretary", "member"}
FORGOT_NOTE = "变电运维班，手机 139 0000 0000"
NEW_PASSWORD = "Dangjian#2025"  # typed into the form that is not submitted
TOKEN_NAME = "移动办公门户"


def first_link(page: Page, selector: str, what: str) -> str:
    link = page.locator(selector).first
    if not link.count():
        sys.exit(f"找不到{what}：{page.url}（演示数据是否已生成？）")
    return link.get_attribute("href")


def station(page: Page) -> str:
    """The secretary's branch: the only organization the 批量开通 form offers them."""
    option = page.locator("#id_organization option[value]:not([value=''])").first
    if not option.count():
        sys.exit(f"批量开通没有可选的组织：{page.url}")
    return option.get_attribute("value")


# --- the station secretary opens accounts ---------------------------------------------------


def bulk_preview(shot: Shooter) -> str:
    """批量开通 of the secretary's station, 政治面貌 全部: previewed, never confirmed. The
    station's id."""
    page = shot.open(shot.as_user("secretary"), "/accounts/bulk/")
    pk = station(page)
    page.select_option("#id_organization", pk)
    page.select_option("#id_membership_status", "")
    page.get_by_test_id("bulk-form").get_by_role("button", name="预览").click()
    page.wait_for_load_state("networkidle")
    summary = page.get_by_test_id("preview-summary")
    if not summary.count() or not page.get_by_test_id("skipped-row").count():
        sys.exit(f"预览里没有跳过的人员：{page.url}（演示数据是否已生成？）")
    print(summary.inner_text())
    shot.save(page, "bulk-preview", 0)
    return pk


def person_without_account(shot: Shooter, page: Page) -> None:
    """A 群众 of the secretary's station whose person page still offers 开通账号."""
    shot.open(page, "/orgs/people/?membership_status=none")
    links = page.locator("[data-testid=people-table] tbody a")
    urls = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for url in urls:
        shot.open(page, url)
        if page.get_by_test_id("open-account").count():
            return
    sys.exit("本支部的群众都已开通账号（请在新生成的演示数据上运行）")


def open_one(shot: Shooter) -> tuple[str, str]:
    """The person page's 开通账号, then the page that shows the code once: (username, code)."""
    page = shot.as_user("secretary")
    person_without_account(shot, page)
    shot.save(page, "person-panel")
    page.get_by_test_id("open-account").click()
    page.wait_for_load_state("networkidle")
    code = page.get_by_test_id("shown-code")
    if not code.count():
        sys.exit(f"开通账号后没有显示激活码：{page.url}")
    username = page.get_by_test_id("shown-username").inner_text().strip()
    shown = code.inner_text().strip()
    shot.save(page, "code")
    return username, shown


def member_username(shot: Shooter) -> str:
    """The 工号 (username) of a member of the station: the first account, past the demo logins,
    that waits for no activation code."""
    page = shot.open(shot.as_user("secretary"), "/accounts/people/?awaiting=0")
    names = page.locator("[data-testid=account-row] [data-testid=account-username]")
    for i in range(names.count()):
        username = names.nth(i).inner_text().strip()
        if username not in DEMO_LOGINS:
            return username
    sys.exit(f"人员账号里找不到党员的账号：{page.url}")


# --- 首次登录 and 忘记密码 on a phone, not signed in ------------------------------------------


def phone_page(shot: Shooter) -> Page:
    context = shot.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def save_phone(shot: Shooter, page: Page, name: str) -> None:
    """The phone page from its top, whole (at most PHONE_MAX_HEIGHT)."""
    page.evaluate("document.activeElement && document.activeElement.blur(); scrollTo(0, 0)")
    page.wait_for_timeout(500)
    path = shot.path(name)
    height = min(page.evaluate("document.documentElement.scrollHeight"), PHONE_MAX_HEIGHT)
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height}
    )
    shot.report(path)


def phone(shot: Shooter, opened: tuple[str, str], member: str) -> None:
    """首次登录 filled in with the code just issued (not submitted); 忘记密码 for ``member``,
    submitted: the station's secretary is told."""
    page = phone_page(shot)
    shot.open(page, "/accounts/activate/")
    form = page.get_by_test_id("activate-form")
    username, code = opened
    form.get_by_label("用户名").fill(username)
    form.get_by_label("激活码").fill(code)
    form.get_by_label("设置新密码").fill(NEW_PASSWORD)
    form.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    save_phone(shot, page, "phone-activate")
    shot.open(page, "/accounts/forgot/")
    form = page.get_by_test_id("forgot-form")
    form.get_by_label("用户名").fill(member)
    form.get_by_label("留言（可选）").fill(FORGOT_NOTE)
    save_phone(shot, page, "phone-forgot")
    form.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("networkidle")
    if not page.get_by_test_id("forgot-sent").count():
        sys.exit(f"忘记密码申请没有提交：{page.url}")
    page.context.close()


# --- what the secretary sees next -----------------------------------------------------------


def help_list(shot: Shooter, member: str) -> None:
    page = shot.open(shot.as_user("secretary"), "/accounts/help/")
    if not page.get_by_test_id("help-row").filter(has_text=member).count():
        sys.exit(f"忘记密码申请里没有 {member}：{page.url}")
    shot.save(page, "help", 600)


def home_widget(shot: Shooter) -> None:
    """The home page's 账号管理 card: the request waiting, the 开户清单 not yet downloaded."""
    page = shot.open(shot.as_user("secretary"), "/")
    if not page.get_by_test_id("accounts-widget").count():
        sys.exit(f"工作台上没有账号管理卡片：{page.url}")
    shot.save_element(page, "[data-testid=accounts-widget]", "widget")


def account_detail(shot: Shooter) -> None:
    """The demo member's account, as their secretary sees it (signed in by ``me`` already)."""
    page = shot.open(shot.as_user("secretary"), "/accounts/people/?q=member")
    shot.open(page, first_link(page, "[data-testid=account-row] a", "演示党员的账号"))
    if not page.get_by_test_id("reset").count():
        sys.exit(f"账号页上没有“重置”按钮：{page.url}")
    shot.save(page, "detail", 0)


# --- the county's list, the member's own page -----------------------------------------------


def account_list(shot: Shooter, station_pk: str) -> None:
    """The county's 人员账号 narrowed to the secretary's station: the account just opened waits
    for its activation, the member and the secretary have signed in."""
    page = shot.open(shot.as_user("county"), f"/accounts/people/?within={station_pk}")
    if not page.get_by_test_id("state-awaiting").count():
        sys.exit(f"人员账号列表里没有待激活的账号：{page.url}")
    shot.save(page, "list", 0)


def me(shot: Shooter) -> None:
    """我的账号 of the demo member, with one API token taken as a script would."""
    page = shot.as_user("member")
    response = page.request.post(
        shot.base + "/api/v1/auth/token/",
        data={"username": "member", "password": PASSWORD, "name": TOKEN_NAME},
    )
    if not response.ok:
        sys.exit(f"取得 API 令牌失败：返回 {response.status}")
    shot.open(page, "/accounts/me/")
    if not page.get_by_test_id("api-tokens").get_by_text(TOKEN_NAME).count():
        sys.exit(f"我的账号里没有 API 令牌：{page.url}")
    shot.save(page, "me", 0)


def steps(shot: Shooter, _tmp: Path) -> None:
    station_pk = bulk_preview(shot)
    opened = open_one(shot)
    member = member_username(shot)
    phone(shot, opened, member)
    help_list(shot, member)
    home_widget(shot)
    me(shot)
    account_detail(shot)
    account_list(shot, station_pk)


def main() -> None:
    run(__doc__, "accounts", steps, max_height=MAX_HEIGHT)


if __name__ == "__main__":
    main()
