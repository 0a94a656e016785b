"""Journey 6: the language selector in the top bar switches to English and back to Chinese."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_language_selector_switches_to_english_and_back(page, login, personas):
    login(page, personas.secretary_a)
    html = page.locator("html")
    selector = page.get_by_label("语言")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(selector).to_have_value("zh-hans")

    with page.expect_navigation():
        selector.select_option("en")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url("/")
    # The choice sticks for the next page.
    page.goto("/orgs/people/")
    expect(html).to_have_attribute("lang", "en")

    with page.expect_navigation():
        page.locator("select[name=language]").select_option(label="中文")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url("/orgs/people/")
    expect(page.locator(".page-title")).to_have_text("人员名册")
