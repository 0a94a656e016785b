"""Journey 2: the company administrator browses the organization tree and opens a branch."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_company_admin_expands_a_county_and_opens_a_branch(page, login, personas, tree):
    login(page, personas.company)
    page.get_by_role("link", name="组织树").first.click()

    expect(page).to_have_url("/orgs/")
    company = page.locator(f"#node-{tree.company.pk}")
    # The top of the scope arrives expanded: both counties show, their branches do not yet.
    expect(company.locator(".tree-row").first).to_contain_text("市公司党委")
    expect(page.locator(f"#node-{tree.county_a.pk}")).to_contain_text("A县公司党委")
    expect(page.locator(f"#node-{tree.county_b.pk}")).to_contain_text("B县公司党委")
    expect(page.get_by_text("A1供电所党支部")).to_have_count(0)

    county_a = page.locator(f"#node-{tree.county_a.pk}")
    toggle = county_a.locator(".tree-toggle").first
    expect(toggle).to_have_text("▸")
    toggle.click()

    # htmx fetched the children of county A, each with its members / people count.
    expect(toggle).to_have_text("▾")
    station = page.locator(f"#node-{tree.station_a1.pk}")
    expect(station.locator(".tree-row")).to_contain_text("A1供电所党支部")
    expect(station.get_by_title("党员 / 总人数")).to_have_text("1 / 2")
    expect(page.locator(f"#node-{tree.station_a2.pk}").get_by_title("党员 / 总人数")).to_have_text(
        "1 / 1"
    )
    # B's branch was not asked for: only the clicked node loaded its children.
    expect(page.get_by_text("B1供电所党支部")).to_have_count(0)

    station.get_by_role("link", name="A1供电所党支部").click()
    expect(page).to_have_url(f"/orgs/{tree.station_a1.pk}/")
    expect(page.locator(".page-title")).to_have_text("A1供电所党支部")
    expect(page.get_by_test_id("member-count")).to_have_text("1")
