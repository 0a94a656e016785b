"""The demo cascade follows the rules of issue 14 item 2: each item is written by an organization
of its level, and the status it stores is the one its roll-up gives (no 已完成 below 100 %)."""

from bastion.tasks import selectors_cascade as selectors
from bastion.tasks.cascade_rules import fits_level
from bastion.tasks.models import CascadeItem


def test_every_demo_item_is_written_by_an_organization_of_its_level(demo):
    items = CascadeItem.objects.select_related("organization")
    assert items.exists()
    for item in items:
        assert fits_level(item.level, item.organization), (item.title, item.organization.name)


def test_every_demo_status_agrees_with_its_roll_up(demo):
    objectives = CascadeItem.objects.filter(level="objective")
    assert objectives.exists()
    for objective in objectives:
        node = selectors.settled_node(objective)
        stack = [node]
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            assert node.status == node.item.status, node.item.title
            assert (node.status == "done") == (node.rollup.percent == 100), node.item.title


def test_the_demo_sheet_counts_the_branches_without_a_plan(demo):
    plan = CascadeItem.objects.get(level="action_plan", organization__code="NY-C01-Z01")
    sheet = selectors.settled_node(plan.parent)
    assert sheet.rollup.missing  # the county's other 支部 have not answered yet
    assert sheet.rollup.expected == len(sheet.children) + len(sheet.rollup.missing)
    assert 0 < sheet.rollup.percent < 100
