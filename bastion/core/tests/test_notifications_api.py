"""``/api/v1/notifications/``: mine only, unread filter, mark read (404 for another's)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bastion.core.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
PERSONAS = ["company", "county", "secretary_a", "secretary_b", "member", "outsider"]


def note(user, title="消息", **fields):
    fields.setdefault("level", "info")
    return Notification.objects.create(recipient=user, title=title, **fields)


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_and_reads_only_their_own(personas, persona):
    user = getattr(personas, persona)
    other_user = personas.outsider if persona != "outsider" else personas.member
    own, other = note(user, title=f"给{persona}"), note(other_user, title="别人的")
    api = client_for(user)

    listing = api.get(LIST).json()
    assert [row["id"] for row in listing["results"]] == [own.pk]
    assert api.get(f"{LIST}{own.pk}/").status_code == 200
    assert api.get(f"{LIST}{other.pk}/").status_code == 404
    assert api.post(f"{LIST}{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_callers_are_refused(db):
    assert APIClient().get(LIST).status_code in (401, 403)


def test_unread_1_lists_only_the_unread(personas):
    unread = note(personas.member, title="未读")
    note(personas.member, title="已读", read_at=timezone.now())
    api = client_for(personas.member)

    rows = api.get(LIST, {"unread": "1"}).json()["results"]
    assert [row["id"] for row in rows] == [unread.pk]
    assert rows[0]["unread"] is True
    assert len(api.get(LIST).json()["results"]) == 2
    assert len(api.get(LIST, {"unread": "0"}).json()["results"]) == 2


def test_posting_read_marks_it_read_once(personas):
    mine = note(personas.member)
    api = client_for(personas.member)

    first = api.post(f"{LIST}{mine.pk}/read/")
    assert first.status_code == 200 and first.json()["unread"] is False
    read_at = Notification.objects.get(pk=mine.pk).read_at
    api.post(f"{LIST}{mine.pk}/read/")
    assert read_at is not None and Notification.objects.get(pk=mine.pk).read_at == read_at
    assert api.get(f"{LIST}{mine.pk}/read/").status_code == 405


def test_read_all_marks_only_mine_and_says_how_many(personas):
    for _ in range(3):
        note(personas.member)
    theirs = note(personas.county)

    response = client_for(personas.member).post(f"{LIST}read-all/")

    assert response.status_code == 200 and response.json() == {"marked": 3}
    assert not Notification.objects.filter(recipient=personas.member, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_costs_the_same_queries_for_3_or_30(personas):
    api = client_for(personas.member)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        note(personas.member, items=[{"title": "x", "lines": []}])
    small = queries()
    for _ in range(27):
        note(personas.member)
    assert queries() == small


def test_the_endpoints_are_documented(api_schema):
    paths = api_schema["paths"]
    for path in (LIST, f"{LIST}{{id}}/", f"{LIST}{{id}}/read/", f"{LIST}read-all/"):
        assert path in paths, path
        for operation in paths[path].values():
            assert operation["summary"], path
    parameters = {p["name"]: p for p in paths[LIST]["get"]["parameters"]}
    assert parameters["unread"]["schema"]["type"] == "boolean"
