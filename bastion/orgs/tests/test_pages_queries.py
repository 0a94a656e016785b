"""Constant queries per page: the same count for a few rows and for many."""

import pytest
from django.urls import reverse

from bastion.core.testing import count_queries
from bastion.orgs.models import CommitteeMember
from bastion.orgs.tests.factories import PersonFactory, make_org


def grow(tree, stations: int, people_per_station: int, tag: str = "X"):
    """Add stations under county A, each with people and a secretary."""
    for i in range(stations):
        station = make_org(tree.county_a, name=f"扩展供电所{tag}{i}", code=f"C-A-{tag}{i:03d}")
        members = PersonFactory.create_batch(
            people_per_station,
            organization=station,
            membership_status="full",
            admitted_on="2012-01-01",
            confirmed_on="2013-01-01",
        )
        CommitteeMember.objects.create(
            organization=station, person=members[0], position="secretary"
        )


@pytest.mark.parametrize(
    "url_name,args",
    [
        ("orgs:tree", None),
        ("orgs:person_list", None),
        ("home", None),
        ("orgs:org_detail", "county_a"),
        ("orgs:tree_children", "county_a"),
    ],
)
def test_page_queries_do_not_grow_with_data(client, personas, tree, url_name, args):
    client.force_login(personas.company)
    url = reverse(url_name, args=[getattr(tree, args).pk] if args else None)
    grow(tree, 2, 3)
    small = count_queries(client, url)
    grow(tree, 12, 8, tag="Y")
    large = count_queries(client, url)
    assert small == large


def test_person_detail_queries_are_constant(client, personas, tree, people):
    client.force_login(personas.company)
    url = reverse("orgs:person_detail", args=[people.zhang_san.pk])
    small = count_queries(client, url)
    grow(tree, 10, 5, tag="Y")
    assert count_queries(client, url) == small
