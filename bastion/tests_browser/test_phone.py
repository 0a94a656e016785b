"""Journey 5: a member on a phone (390 px): the menu folds away and nothing scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True),
]

# Sub-pixel rounding may add a pixel; a real overflow is a column or a table, far wider.
TOLERANCE_PX = 2


def assert_no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + TOLERANCE_PX, f"{page.url} is {width}px wide at 390px"


def test_member_reads_home_and_own_record_on_a_phone(page, login, personas, people):
    login(page, personas.member)
    expect(page.locator(".page-title")).to_have_text("您好，张三")  # the person, not the username
    assert_no_sideways_scroll(page)

    toggler = page.get_by_role("button", name="菜单")
    menu = page.locator("#sidebar-menu")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    toggler.click()
    # Bootstrap ignores a toggle while the menu is still sliding: wait until it is fully open.
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="工作台")).to_be_visible()
    # A member holds no people permission: the roster is absent, not a dead link.
    expect(menu.get_by_role("link", name="人员名册")).to_have_count(0)
    toggler.click()
    expect(menu).to_be_hidden()

    page.get_by_role("link", name="我的档案").click()
    expect(page).to_have_url(f"/orgs/people/{people.zhang_san.pk}/")
    expect(page.locator(".page-title")).to_contain_text("张三")
    expect(page.get_by_text("基本信息")).to_be_visible()
    assert_no_sideways_scroll(page)
