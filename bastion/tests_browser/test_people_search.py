"""Journey 3: a branch secretary finds a person by pinyin initials, and only within the branch."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def search(page, text, *, within="全部（我的范围）"):
    page.get_by_label("姓名/拼音/工号").fill(text)
    page.get_by_label("所在组织（含下级）").select_option(label=within)
    # Wait for the results page: "no match" from the previous search must not pass for this one.
    with page.expect_navigation():
        page.get_by_role("button", name="查询", exact=True).click()


def test_zs_finds_zhang_san_and_not_li_si(page, login, personas, people):
    login(page, personas.secretary_a)
    page.get_by_role("link", name="人员名册").first.click()
    expect(page).to_have_url("/orgs/people/")
    table = page.get_by_test_id("people-table")
    expect(table.get_by_role("link", name="张三")).to_be_visible()
    expect(table.get_by_role("link", name="李四")).to_be_visible()

    search(page, "zs")
    expect(page).to_have_url(re.compile(r"/orgs/people/\?q=zs&"))
    expect(page.get_by_label("姓名/拼音/工号")).to_have_value("zs")
    expect(table.get_by_role("link", name="张三")).to_be_visible()
    expect(table.get_by_text("李四")).to_have_count(0)
    expect(page.get_by_text("共 1 人")).to_be_visible()

    table.get_by_role("link", name="张三").click()
    expect(page).to_have_url(f"/orgs/people/{people.zhang_san.pk}/")
    expect(page.locator(".page-title")).to_contain_text("张三")


def test_branch_secretary_never_sees_a_person_of_another_county(page, login, personas, people):
    # Control: 赵六 is findable by "zl" for someone whose scope holds county B.
    login(page, personas.company)
    page.goto("/orgs/people/")
    search(page, "zl")
    expect(page.get_by_test_id("people-table").get_by_role("link", name="赵六")).to_be_visible()
    page.context.clear_cookies()

    login(page, personas.secretary_a)
    page.goto("/orgs/people/")
    table = page.get_by_test_id("people-table")
    # County B is not even offered as a filter choice.
    expect(page.get_by_label("所在组织（含下级）").locator("option")).not_to_contain_text(
        ["B1供电所党支部"]
    )
    search(page, "")
    expect(table.get_by_role("link", name="张三")).to_be_visible()
    expect(table.get_by_text("赵六")).to_have_count(0)
    for text in ("zl", "赵六"):
        search(page, text)
        expect(page.get_by_label("姓名/拼音/工号")).to_have_value(text)
        expect(table).to_contain_text("没有符合条件的人员")

    response = page.goto(f"/orgs/people/{people.zhao_liu.pk}/")
    assert response.status == 404
    expect(page.get_by_text("赵六")).to_have_count(0)
