"""The persona × page matrix: allowed inside the scope, 404 outside it."""

import pytest
from django.urls import reverse

PERSONAS = ["company", "county", "secretary_a", "secretary_b", "member", "outsider"]

# (url name, target, action description) → personas that get 200; everyone else gets 404.
MATRIX = [
    ("orgs:org_detail", "org:station_a1", {"company", "county", "secretary_a", "member"}),
    ("orgs:org_detail", "org:station_b1", {"company", "secretary_b"}),
    ("orgs:org_detail", "org:company", {"company"}),
    ("orgs:tree_children", "org:county_b", {"company"}),
    ("orgs:tree_children", "org:station_a1", {"company", "county", "secretary_a", "member"}),
    ("orgs:org_edit", "org:station_a1", {"company", "county", "secretary_a"}),
    ("orgs:org_edit", "org:county_a", {"company", "county"}),
    ("orgs:org_create", "org:station_a1", {"company", "county"}),
    ("orgs:org_move", "org:station_a1", {"company", "county"}),
    ("orgs:org_history", "org:station_a1", {"company", "county", "secretary_a"}),
    ("orgs:committee_add", "org:station_b1", {"company", "secretary_b"}),
    ("orgs:person_detail", "person:zhang_san", {"company", "county", "secretary_a", "member"}),
    ("orgs:person_detail", "person:li_si", {"company", "county", "secretary_a"}),
    ("orgs:person_detail", "person:zhao_liu", {"company", "secretary_b"}),
    ("orgs:person_edit", "person:li_si", {"company", "county", "secretary_a"}),
    ("orgs:person_edit", "person:zhang_san", {"company", "county", "secretary_a"}),
    ("orgs:person_history", "person:zhao_liu", {"company", "secretary_b"}),
]


def resolve_target(target, tree, people):
    kind, name = target.split(":")
    return getattr(tree if kind == "org" else people, name).pk


@pytest.mark.parametrize("url_name,target,allowed", MATRIX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_page_is_404_outside_scope(
    client, personas, tree, people, url_name, target, allowed, persona
):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse(url_name, args=[resolve_target(target, tree, people)]))
    assert response.status_code == (200 if persona in allowed else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_can_open_the_tree_list_and_home(client, personas, persona):
    client.force_login(getattr(personas, persona))
    for name in ("home", "orgs:tree", "orgs:person_list", "orgs:switch", "account"):
        response = client.get(reverse(name))
        assert (
            response.status_code == 200
            if persona != "outsider" or name != "orgs:switch"
            else (response.status_code == 404)
        )


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("company", ["张三", "李四", "王五", "赵六", "钱七"]),
        ("county", ["张三", "李四", "王五", "钱七"]),
        ("secretary_a", ["张三", "李四"]),
        ("secretary_b", ["赵六"]),
        ("member", ["张三"]),
        ("outsider", []),
    ],
)
def test_person_list_shows_only_the_scope(client, personas, persona, expected):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("orgs:person_list"), {"all": "1"})
    shown = sorted(p.name for p in response.context["page"])
    assert shown == sorted(expected)


def test_within_choice_list_only_offers_organizations_in_scope(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("orgs:person_list"))
    offered = {
        int(v.value) for v, _label in response.context["filter"].form.fields["within"].choices if v
    }
    assert offered == {tree.station_a1.pk, tree.group_a1.pk}


def test_filtering_within_another_branch_is_not_found(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("orgs:person_list"), {"within": tree.station_b1.pk})
    assert response.status_code == 404
    assert "赵六" not in response.content.decode()


@pytest.mark.parametrize("persona", ["company", "county"])
def test_role_pages_open_for_administrators(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("orgs:role_list")).status_code == 200
    assert client.get(reverse("orgs:role_grant")).status_code == 200


@pytest.mark.parametrize("persona", ["secretary_a", "member", "outsider"])
def test_role_pages_are_404_for_others(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("orgs:role_list")).status_code == 404
    assert client.get(reverse("orgs:role_grant")).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_security_log_is_for_superusers_only(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("security_log")).status_code == 404


def test_within_picker_lists_only_nearby_organizations(client, personas, tree):
    client.force_login(personas.secretary_a)
    response = client.get(reverse("orgs:person_list"))
    assert {o.pk for o in response.context["within_options"]} == {
        tree.station_a1.pk,
        tree.group_a1.pk,
    }
    client.force_login(personas.company)
    response = client.get(reverse("orgs:person_list"), {"within": tree.county_a.pk})
    assert {o.pk for o in response.context["within_options"]} == {
        tree.company.pk,
        tree.county_a.pk,
        tree.county_b.pk,
        tree.station_a1.pk,
        tree.station_a2.pk,
    }


def test_outside_scope_page_explains_itself_in_chinese(client, personas, tree, settings):
    settings.DEBUG = False
    client.force_login(personas.secretary_a)
    response = client.get(reverse("orgs:org_detail", args=[tree.station_b1.pk]))
    assert response.status_code == 404
    assert "不在您的权限范围内" in response.content.decode()


def test_committee_seats_link_only_to_people_the_reader_may_open(client, personas, tree, people):
    from bastion.orgs.models import CommitteeMember

    CommitteeMember.objects.create(organization=tree.station_a1, person=people.li_si,
                                   position="secretary")  # fmt: skip
    url = reverse("orgs:org_detail", args=[tree.station_a1.pk])
    link = f'href="{reverse("orgs:person_detail", args=[people.li_si.pk])}"'
    client.force_login(personas.member)
    page = client.get(url).content.decode()
    assert "李四" in page and link not in page
    client.force_login(personas.secretary_a)
    assert link in client.get(url).content.decode()
