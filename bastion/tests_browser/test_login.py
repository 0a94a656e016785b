"""Journey 1: a branch secretary logs in; wrong passwords are refused, then the account locks."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def submit_login(page, username, password):
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    # Wait for the answer page: the next attempt must type into it, not into the old form.
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()


def test_secretary_logs_in_through_the_form_and_is_greeted_on_the_workbench(page, personas):
    page.goto("/")
    # Anonymous visitors are sent to the login page first.
    expect(page.get_by_role("heading", name="登录您的账号")).to_be_visible()

    submit_login(page, "p_secretary_a", "bastion-test")

    expect(page).to_have_url("/")
    expect(page).to_have_title("工作台 · 堡垒 Bastion")
    expect(page.locator(".page-title")).to_have_text("您好，p_secretary_a")
    expect(page.get_by_test_id("scope-summary")).to_be_visible()
    expect(page.get_by_role("link", name="人员名册").first).to_be_visible()


def test_wrong_password_shows_the_chinese_error_and_five_lock_the_account(page, personas):
    page.goto("/accounts/login/")

    submit_login(page, "p_secretary_a", "wrong-password")
    expect(page.get_by_role("alert")).to_have_text(
        "用户名或密码不正确。连续输错5次，账号将被临时锁定。"
    )
    expect(page.get_by_label("用户名", exact=True)).to_have_value("p_secretary_a")

    for _ in range(4):
        submit_login(page, "p_secretary_a", "wrong-password")

    locked = page.get_by_test_id("locked-out")
    expect(locked).to_contain_text("账号已临时锁定")
    expect(locked).to_contain_text("该账号连续5次登录失败")

    # Locked means locked: even the right password no longer opens the workbench.
    page.get_by_role("link", name="返回登录页").click()
    submit_login(page, "p_secretary_a", "bastion-test")
    expect(page.get_by_test_id("locked-out")).to_contain_text("账号已临时锁定")
    page.goto("/")
    expect(page.get_by_role("heading", name="登录您的账号")).to_be_visible()
