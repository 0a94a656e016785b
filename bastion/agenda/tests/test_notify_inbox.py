"""The inbox pages and the bell: only the recipient ever sees a notification."""

import copy

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bastion.core.notifications.context_processors import inbox
from bastion.core.notifications.digest import send_daily_digests
from bastion.core.notifications.models import Notification

from .notify_scenario import TODAY, build_scenario

pytestmark = pytest.mark.usefixtures("month_end_calendar")  # written in month ends, see conftest

PERSONAS = ["company", "county", "secretary_a", "secretary_b", "member", "outsider"]


@pytest.fixture
def with_bell(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append(
        "bastion.core.notifications.context_processors.inbox"
    )
    settings.TEMPLATES = templates


def make_note(user, title="消息", **fields):
    fields.setdefault("level", "info")
    return Notification.objects.create(recipient=user, title=title, **fields)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_only_their_own_notifications(client, personas, persona):
    user = getattr(personas, persona)
    own = make_note(user, title=f"给{persona}的消息")
    other = make_note(personas.outsider if persona != "outsider" else personas.member)
    client.force_login(user)

    assert client.get(reverse("notification_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("notification_detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("inbox"))
    assert listing.status_code == 200
    assert f"给{persona}的消息" in listing.content.decode()
    assert f'notification-{other.pk}"' not in listing.content.decode()
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("inbox"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_opening_a_notification_marks_it_read_once(client, personas):
    note = make_note(personas.secretary_a)
    client.force_login(personas.secretary_a)

    client.get(reverse("notification_detail", args=[note.pk]))
    note.refresh_from_db()
    first = note.read_at
    client.get(reverse("notification_detail", args=[note.pk]))
    note.refresh_from_db()

    assert first is not None and note.read_at == first


def test_a_digest_opens_to_its_items_with_colours_and_links(client, tree, personas, settings):
    settings.BASTION_WEBHOOK_URL = ""
    build_scenario(tree)
    send_daily_digests(TODAY)
    note = Notification.objects.get(recipient=personas.county)
    client.force_login(personas.county)

    page = client.get(reverse("notification_detail", args=[note.pk])).content.decode()

    assert 'data-testid="section-branches"' in page
    assert "A1供电所党支部" in page and "已逾期 49 天" in page
    assert "bg-red text-red-fg" in page
    assert f'href="/agenda/board/?org={tree.station_a1.pk}"' in page
    assert "B1供电所" not in page  # out of scope; a bare "B1" may occur in a token


def test_a_returned_meeting_message_links_to_its_target(client, personas):
    note = make_note(
        personas.secretary_a,
        title="会议记录被退回",
        body="原因：缺少签到表",
        url="/agenda/meetings/1/",
    )
    client.force_login(personas.secretary_a)

    page = client.get(reverse("notification_detail", args=[note.pk])).content.decode()

    assert "原因：缺少签到表" in page and 'href="/agenda/meetings/1/"' in page


def test_unread_notifications_come_first(client, personas):
    old_unread = make_note(personas.secretary_a, title="旧的未读")
    make_note(personas.secretary_a, title="新的已读", read_at=timezone.now())
    client.force_login(personas.secretary_a)

    page = client.get(reverse("inbox")).content.decode()

    assert page.index("旧的未读") < page.index("新的已读")
    assert old_unread.read_at is None


def test_read_all_marks_only_my_notifications(client, personas):
    mine = [make_note(personas.secretary_a) for _ in range(3)]
    theirs = make_note(personas.secretary_b)
    client.force_login(personas.secretary_a)

    assert client.get(reverse("notification_read_all")).status_code == 405
    response = client.post(reverse("notification_read_all"))

    assert response.status_code == 302 and response["Location"] == reverse("inbox")
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_costs_the_same_queries_for_3_or_30_notifications(client, personas, with_bell):
    client.force_login(personas.county)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("inbox")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        make_note(personas.county)
    small = queries()
    for _ in range(27):
        make_note(personas.county, read_at=timezone.now())
    large = queries()

    assert small == large


def test_the_unread_count_is_one_count_query_and_none_for_anonymous(personas, rf):
    make_note(personas.member)
    make_note(personas.member)
    make_note(personas.member, read_at=timezone.now())
    make_note(personas.outsider)
    request = rf.get("/")
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as ctx:
        assert inbox(request) == {}
    assert len(ctx.captured_queries) == 0

    request.user = personas.member
    with CaptureQueriesContext(connection) as ctx:
        context = inbox(request)
        assert len(ctx.captured_queries) == 0  # lazy: nothing until a template reads it
        assert context["unread_notifications"] == 2
        assert context["unread_notifications"] > 1
    assert len(ctx.captured_queries) == 1
    assert "COUNT(" in ctx.captured_queries[0]["sql"].upper()


def test_the_bell_shows_the_unread_count(client, personas, with_bell):
    for _ in range(2):
        make_note(personas.member)
    client.force_login(personas.member)

    page = client.get(reverse("inbox")).content.decode()
    assert 'data-testid="inbox-unread">2</span>' in page

    client.post(reverse("notification_read_all"))
    page = client.get(reverse("inbox")).content.decode()
    assert 'data-testid="inbox-bell"' in page and "inbox-unread" not in page


def test_the_bell_says_99_plus_beyond_99(client, personas, with_bell):
    Notification.objects.bulk_create(
        [Notification(recipient=personas.member, level="info", title="x") for _ in range(120)]
    )
    client.force_login(personas.member)

    page = client.get(reverse("inbox")).content.decode()

    assert 'data-testid="inbox-unread">99+</span>' in page


def test_the_top_bar_bell_carries_the_unread_count(client, personas):
    make_note(personas.member)
    client.force_login(personas.member)

    page = client.get(reverse("inbox")).content.decode()

    assert 'data-testid="inbox-bell"' in page
    assert 'data-testid="inbox-unread">1</span>' in page


def test_the_top_bar_renders_without_the_context_processor(client, personas, settings):
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [p for p in processors if not p.endswith(".inbox")],
            },
        }
    ]
    make_note(personas.member)
    client.force_login(personas.member)

    page = client.get(reverse("inbox")).content.decode()

    assert 'data-testid="inbox-bell"' in page and "inbox-unread" not in page


def test_a_missing_page_number_falls_back_to_a_valid_page(client, personas):
    make_note(personas.member)
    client.force_login(personas.member)

    assert client.get(reverse("inbox"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("inbox"), {"page": "999"}).status_code == 200
