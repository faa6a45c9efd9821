"""Notifications of every module: written by `core.notifications.notify`, read on one page, their
unread count on the « Mon espace » dashboard (the header links to them without a query)."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essor.core import notifications
from essor.core.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/notifications/"


def test_notify_writes_one_notification_per_person_once(world):
    member = world.users["organisation_member"]

    count = notifications.notify(users=[member, None, member], message="Bonjour", url="/x/")

    assert count == 1
    assert [(n.user, n.message, n.url) for n in Notification.objects.all()] == [
        (member, "Bonjour", "/x/")
    ]


def test_notify_with_a_subject_sends_the_e_mail_after_the_commit_only(
    world, django_capture_on_commit_callbacks
):
    member = world.users["organisation_member"]

    with django_capture_on_commit_callbacks() as callbacks:
        notifications.notify(
            users=[member],
            message="Offre retenue",
            url="/c/1/",
            subject="Sujet",
            category="foodlink.award",
        )
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert [(m.subject, m.to) for m in mail.outbox] == [("Sujet", [member.email])]
    assert mail.outbox[0].body.endswith("/c/1/\n")


def test_a_long_message_is_cut_to_the_column(world):
    notifications.notify(users=[world.users["organisation_member"]], message="x" * 600)

    assert len(Notification.objects.get().message) == 500


def test_mark_read_marks_only_the_persons_notifications(world):
    member, other = world.users["organisation_member"], world.users["organisation_admin"]
    notifications.notify(users=[member, other], message="Bonjour")

    assert notifications.mark_read(user=member) == 1

    assert notifications.unread_count(member) == 0
    assert notifications.unread_count(other) == 1


def test_the_page_lists_the_persons_notifications_newest_first(client, world):
    member = world.users["organisation_member"]
    notifications.notify(users=[member], message="Première")
    notifications.notify(users=[member], message="Seconde")
    notifications.notify(users=[world.users["organisation_admin"]], message="Pas pour vous")
    client.force_login(member)

    page = client.get(URL).context["page"]

    assert [n.message for n in page.object_list] == ["Seconde", "Première"]


def test_the_page_marks_everything_read(client, world):
    member = world.users["organisation_member"]
    notifications.notify(users=[member], message="Bonjour")
    client.force_login(member)

    response = client.post(URL)

    assert response["Location"] == URL
    assert notifications.unread_count(member) == 0


def test_the_dashboard_entry_shows_the_unread_count(client, world):
    member = world.users["organisation_member"]
    notifications.notify(users=[member], message="Un")
    notifications.notify(users=[member], message="Deux")
    client.force_login(member)

    body = client.get("/compte/").content.decode()

    assert '<a href="/notifications/">Notifications (2 non lues)</a>' in body


def test_the_dashboard_entry_has_no_count_once_everything_is_read(client, world):
    member = world.users["organisation_member"]
    notifications.notify(users=[member], message="Un")
    notifications.mark_read(user=member)
    client.force_login(member)

    body = client.get("/compte/").content.decode()

    assert '<a href="/notifications/">Notifications</a>' in body


def test_the_header_links_signed_in_people_to_their_notifications_without_a_query(client, world):
    member = world.users["organisation_member"]
    notifications.notify(users=[member], message="Un")
    client.force_login(member)
    client.get("/mentions-legales/")

    with CaptureQueriesContext(connection) as captured:
        body = client.get("/mentions-legales/").content.decode()

    assert 'href="/notifications/"' in body
    assert not [q for q in captured.captured_queries if "core_notification" in q["sql"]]


def test_the_header_has_no_notifications_entry_for_anonymous_visitors(client, world):
    assert 'href="/notifications/"' not in client.get("/mentions-legales/").content.decode()


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_takes_a_constant_number_of_queries(client, world):
    member = UserFactory(email="lecteur@example.org")
    client.force_login(member)
    counts = []
    for size in (2, 20):
        for index in range(size):
            notifications.notify(users=[member], message=f"Message {index}", url="/x/")
        counts.append(_queries(client, URL))

    assert counts[0] == counts[1]
