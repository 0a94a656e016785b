"""The sidebar shows each agenda page to whoever may open it, and only to them."""

import pytest
from django.urls import reverse

from bastion.core.navigation import visible_sections


def agenda_links(user) -> set[str]:
    sections = visible_sections(user, "/")
    return {
        item["url"] for s in sections for item in s["items"] if item["url"].startswith("/agenda/")
    }


@pytest.mark.django_db
def test_the_secretary_reaches_every_page_of_their_work(personas):
    links = agenda_links(personas.secretary_a)
    for name in (
        "board",
        "annual_map",
        "rollup",
        "meeting_list",
        "dues_ledger",
        "dues_import",
        "term_list",
        "rule_list",
        "guide_list",
    ):
        assert reverse(f"agenda:{name}") in links, name
    sidebar = visible_sections(personas.secretary_a, "/")
    assert reverse("inbox") in {item["url"] for s in sidebar for item in s["items"]}


@pytest.mark.django_db
def test_a_member_sees_the_board_but_not_the_ledger(personas):
    links = agenda_links(personas.member)
    assert reverse("agenda:board") in links
    assert reverse("agenda:dues_ledger") not in links
    assert reverse("agenda:dues_import") not in links


@pytest.mark.django_db
def test_the_sidebar_renders_on_a_page(client, personas):
    client.force_login(personas.secretary_a)
    page = client.get(reverse("agenda:board")).content.decode()
    assert "党费台账" in page and "工作看板" in page


@pytest.mark.django_db
def test_only_the_longest_matching_item_is_active(personas):
    sections = visible_sections(personas.secretary_a, reverse("tasks:assignment_inbox"))
    active = [item["label"] for s in sections for item in s["items"] if item["active"]]
    assert active == ["我的任务"]
