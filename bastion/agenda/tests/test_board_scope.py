"""The persona × page matrix of the board, the annual map, the roll-up and its export."""

import pytest
from django.urls import reverse

from bastion.core.testing import PERSONAS, Scope, Url, persona_matrix

from .board_helpers import today_fixture, year_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PAGES = ["agenda:board", "agenda:annual_map", "agenda:rollup"]

# target → personas that see it (agenda.view_obligation on the target's subtree)
VIEW = {
    "station_a1": {"company", "county", "secretary_a", "member"},
    "group_a1": {"company", "county", "secretary_a", "member"},
    "station_b1": {"company", "secretary_b"},
    "county_a": {"company", "county"},
    "county_b": {"company"},
    "company": {"company"},
}
# agenda.export_obligation: not the member
EXPORT = {target: allowed - {"member"} for target, allowed in VIEW.items()}


BOARD = [
    Scope(
        seen_by=VIEW,
        detail=[Url(name, param="org", query={"year": 2025}) for name in PAGES],
        fixtures=["year"],
    ),
    Scope(seen_by=EXPORT, detail=[Url("agenda:rollup_export", param="org")], fixtures=["year"]),
]

test_pages_are_404_outside_the_scope = persona_matrix(*BOARD)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", PAGES)
def test_without_org_every_persona_gets_a_page_with_only_its_data(
    client, personas, tree, year, url_name, persona
):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    node = response.context["node"]
    if persona == "outsider":
        assert node is None
        assert "A1供电所党支部" not in response.content.decode()
    else:
        assert persona in VIEW[next(name for name in VIEW if getattr(tree, name) == node)]


def test_an_anonymous_visitor_is_sent_to_login(client, tree):
    for name in [*PAGES, "agenda:rollup_export"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_member_sees_only_their_branch_data(client, personas, tree, year):
    client.force_login(personas.member)
    html = client.get(reverse("agenda:board")).content.decode()
    assert "A1供电所党支部" in html
    assert "A2供电所党支部" not in html and "B1供电所党支部" not in html
