"""A meeting's changes on its organization's history page (变更记录), behind the meeting's door."""

from django.urls import reverse

from .meetings_factories import photo, record


def org_history(client, user, org, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("orgs:org_history", args=[org.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_meeting_recorded_shows_on_its_branch_history(client, personas, tree, people):
    record(personas.secretary_a, tree.station_a1, topic="学习新修订的党章")
    html = org_history(client, personas.secretary_a, tree.station_a1)
    assert "学习新修订的党章" in html
    assert "会议记录" in html and "新增" in html
    # Each organization lists only what belongs to it.
    assert "学习新修订的党章" not in org_history(client, personas.county, tree.county_a)


def test_the_history_filters_by_what_changed(client, personas, tree, people):
    record(personas.secretary_a, tree.station_a1, topic="学习新修订的党章")
    client.force_login(personas.secretary_a)
    url = reverse("orgs:org_history", args=[tree.station_a1.pk])
    page = client.get(url)
    kinds = {name: pk for pk, name in page.context["kinds"]}
    only_org = client.get(url, {"kind": kinds["组织"]}).content.decode()
    assert "学习新修订的党章" not in only_org
    only_meetings = client.get(url, {"kind": kinds["会议记录"]}).content.decode()
    assert "学习新修订的党章" in only_meetings
    # A kind that is not the page's lists everything, never an error.
    assert client.get(url, {"kind": "99999"}).status_code == 200
    assert client.get(url, {"kind": "abc"}).status_code == 200


def test_evidence_added_to_a_meeting_shows_on_its_branch_history(client, personas, tree, people):
    record(personas.secretary_a, tree.station_a1, files=[photo("支部大会现场.png")])
    html = org_history(client, personas.secretary_a, tree.station_a1)
    assert "会议附件" in html
    assert "支部大会现场.png" in html


def test_the_history_lists_a_meeting_only_for_who_may_open_it(client, tree, people, personas):
    from bastion.orgs.models import Role
    from bastion.orgs.tests.factories import UserFactory, grant

    record(personas.secretary_a, tree.station_a1, topic="学习新修订的党章", files=[photo()])
    Role.objects.create(
        code="org_editor",
        name="组织信息维护",
        permissions=["orgs.view_organization", "orgs.change_organization"],
    )
    editor = UserFactory(username="org_editor")
    grant(editor, "org_editor", tree.station_a1)
    html = org_history(client, editor, tree.station_a1)
    assert "学习新修订的党章" not in html
    assert "会议附件" not in html
