"""The persona matrix of orgs (pages and API): allowed inside the scope, 404 outside it."""

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, Opens, Scope, persona_matrix

A1_READERS = {"company", "county", "secretary_a", "member"}

# Who sees which organization and person: their pages, their API records and the API lists.
ORGANIZATIONS = Scope(
    objects="tree",
    seen_by={
        "company": {"company"},
        "county_a": {"company", "county"},
        "county_b": {"company"},
        "station_a1": A1_READERS,
        "station_a2": {"company", "county"},
        "station_b1": {"company", "secretary_b"},
        "group_a1": A1_READERS,
    },
    detail=["orgs:org_detail", "orgs:tree_children", "api:org-detail"],
    rows=["api:org-list"],
)
PEOPLE = Scope(
    objects="people",
    seen_by={
        "zhang_san": A1_READERS,  # the member's own record, through the scope door's owner field
        "li_si": {"company", "county", "secretary_a"},
        "wang_wu": {"company", "county"},
        "zhao_liu": {"company", "secretary_b"},
        "county_clerk": {"company", "county"},
    },
    detail=["orgs:person_detail", "api:person-detail"],
    rows=["api:person-list"],
)
# The forms and histories: only those who may change the object open them.
ORGANIZATION_FORMS = [
    Scope(
        objects="tree",
        seen_by={
            "station_a1": {"company", "county", "secretary_a"},
            "county_a": {"company", "county"},
        },
        detail=["orgs:org_edit"],
    ),
    Scope(
        objects="tree",
        seen_by={"station_a1": {"company", "county"}},
        detail=["orgs:org_create", "orgs:org_move"],
    ),
    Scope(
        objects="tree",
        seen_by={"station_a1": {"company", "county", "secretary_a"}},
        detail=["orgs:org_history"],
    ),
    Scope(
        objects="tree",
        seen_by={"station_b1": {"company", "secretary_b"}},
        detail=["orgs:committee_add"],
    ),
]
PERSON_FORMS = [
    Scope(
        objects="people",
        seen_by={
            "li_si": {"company", "county", "secretary_a"},
            "zhang_san": {"company", "county", "secretary_a"},
        },
        detail=["orgs:person_edit"],
    ),
    Scope(
        objects="people",
        seen_by={"zhao_liu": {"company", "secretary_b"}},
        detail=["orgs:person_history"],
    ),
]
# Pages without an object.
EVERYONE = Opens(["home", "orgs:tree", "orgs:person_list", "account"], by=PERSONAS)
SWITCH = Opens(["orgs:switch"], by=set(PERSONAS) - {"outsider"})
ROLES = Opens(
    ["orgs:role_list", "orgs:role_grant"], by={"company", "county", "secretary_a", "secretary_b"}
)
SECURITY_LOG = Opens(["security_log"], by=())  # superusers only

test_orgs_answer_inside_the_scope_and_404_outside = persona_matrix(
    ORGANIZATIONS, PEOPLE, *ORGANIZATION_FORMS, *PERSON_FORMS, EVERYONE, SWITCH, ROLES, SECURITY_LOG
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

    CommitteeMember.objects.create(
        organization=tree.station_a1, person=people.li_si, position="secretary"
    )
    url = reverse("orgs:org_detail", args=[tree.station_a1.pk])
    link = f'href="{reverse("orgs:person_detail", args=[people.li_si.pk])}"'
    client.force_login(personas.member)
    page = client.get(url).content.decode()
    assert "李四" in page and link not in page
    client.force_login(personas.secretary_a)
    assert link in client.get(url).content.decode()
