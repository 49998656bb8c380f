"""Notifications: who is told of what, the list and its actions, the e-mail preferences, the one-click
unsubscribe, the e-mails at once and the daily digest, the header badge and the profile card."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cittasmart.participation import panels, services, tasks
from cittasmart.participation.models import (
    EmailFrequency,
    Notification,
    NotificationKind,
    NotificationSettings,
)
from tests.factories import IdeaFactory, ProcessFactory, UserFactory
from tests.helpers import italian, links_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks run at once; absolute links in e-mails use a known site address."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://partecipa.example.org"


def wants(user, frequency: str) -> NotificationSettings:
    return services.notification_settings_update(user=user, email_frequency=frequency)


def follow(user, target) -> None:
    services.follow_set(user=user, target=target, following=True)


def notifications_of(user) -> list[tuple[str, int | None]]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "idea_id"))


@pytest.fixture
def idea(db):
    return IdeaFactory(title="Bike lane on Via Roma")


# --- Who is told of what ---------------------------------------------------------------------------------


def test_a_new_idea_is_notified_to_the_followers_of_the_process_not_to_its_author(user):
    process = ProcessFactory()
    follower, other = UserFactory(), UserFactory()
    follow(follower, process)
    follow(user, process)  # the author follows the process too

    idea = services.idea_create(user=user, process=process, title="Trees", body="More trees in the park.")

    assert notifications_of(follower) == [(NotificationKind.NEW_IDEA, idea.pk)]
    assert notifications_of(user) == []
    assert notifications_of(other) == []


def test_a_comment_is_notified_to_the_followers_of_the_idea_not_to_the_commenter(idea, user):
    follower = UserFactory()
    follow(follower, idea)
    follow(user, idea)

    comment = services.comment_create(user=user, idea=idea, body="Yes, please.")

    assert list(Notification.objects.filter(recipient=follower).values_list("kind", "comment")) == [
        (NotificationKind.NEW_COMMENT, comment.pk)
    ]
    assert notifications_of(user) == []


def test_a_reply_tells_the_author_of_the_comment_once_as_a_reply(idea, user):
    follow(user, idea)
    comment = services.comment_create(user=user, idea=idea, body="A first thought.")
    replier = UserFactory()

    reply = services.comment_create(user=replier, idea=idea, body="I disagree.", parent=comment)

    assert list(Notification.objects.filter(recipient=user).values_list("kind", "comment")) == [
        (NotificationKind.REPLY, reply.pk)
    ]
    assert notifications_of(replier) == []


def test_an_answer_and_a_state_change_are_notified_to_followers_not_to_the_plan_office(idea, plan_office):
    follower = UserFactory()
    follow(follower, idea)
    follow(plan_office, idea)

    services.idea_set_evaluating(actor=plan_office, idea=idea)
    services.answer_save(actor=plan_office, idea=idea, outcome="rejected", text="Not in this plan.")

    assert notifications_of(follower) == [
        (NotificationKind.STATUS, idea.pk),
        (NotificationKind.ANSWERED, idea.pk),
    ]
    assert notifications_of(plan_office) == []


def test_hiding_and_showing_again_tell_the_author_why(idea, user, moderator):
    comment = services.comment_create(user=user, idea=idea, body="Something rude.")
    follow(moderator, idea)

    services.content_hide(actor=moderator, reason="Insults", comment=comment)
    services.content_unhide(actor=moderator, reason="Reviewed on appeal", comment=comment)

    assert list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "comment", "reason")
    ) == [
        (NotificationKind.HIDDEN, comment.pk, "Insults"),
        (NotificationKind.UNHIDDEN, comment.pk, "Reviewed on appeal"),
    ]
    assert notifications_of(moderator) == []


# --- The list ------------------------------------------------------------------------------------------


def test_the_list_needs_login(client):
    response = client.get(reverse("participation:notifications"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_list_shows_who_did_what_with_links_and_does_not_mark_read(client, idea, user):
    follow(user, idea)
    commenter = UserFactory(display_name="Giulia Neri")
    comment = services.comment_create(user=commenter, idea=idea, body="Good idea.")
    client.force_login(user)

    response = client.get(reverse("participation:notifications"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Giulia Neri" in page and "Bike lane on Via Roma" in page
    assert f'href="{idea.get_absolute_url()}#comment-{comment.pk}"' in page
    assert italian("Unread") in page  # said in words, not only by colour
    assert Notification.objects.get(recipient=user).read_at is None


def test_the_list_shows_the_moderation_reason_and_links_the_hidden_idea_for_its_author(
    client, idea, moderator
):
    services.content_hide(actor=moderator, reason="Personal data of a neighbour", idea=idea)
    client.force_login(idea.author)

    page = client.get(reverse("participation:notifications")).content.decode()

    assert "Personal data of a neighbour" in page
    assert f'href="{idea.get_absolute_url()}"' in page


def test_followers_do_not_read_the_title_of_an_idea_hidden_later(client, idea, moderator):
    follower = UserFactory()
    follow(follower, idea)
    services.comment_create(user=UserFactory(), idea=idea, body="A comment.")
    services.content_hide(actor=moderator, reason="Offensive title", idea=idea)
    client.force_login(follower)

    page = client.get(reverse("participation:notifications")).content.decode()

    assert Notification.objects.filter(recipient=follower).count() == 1
    assert "Bike lane on Via Roma" not in page
    assert idea.get_absolute_url() not in page


def test_the_list_shows_only_the_own_notifications(client, idea, user):
    other = UserFactory()
    follow(other, idea)
    services.comment_create(user=UserFactory(), idea=idea, body="Hello.")
    client.force_login(user)

    page = client.get(reverse("participation:notifications")).content.decode()

    assert "Bike lane on Via Roma" not in page


def make_notifications(user, count: int) -> None:
    """``count`` notifications of every kind for ``user``, on a few ideas and comments (fast: bulk_create)."""
    ideas = [IdeaFactory() for _ in range(3)]
    actor = UserFactory()
    comment = services.comment_create(user=actor, idea=ideas[0], body="A comment.")
    kinds = NotificationKind.values
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kinds[i % len(kinds)],
                actor=actor if i % 2 else None,
                idea=ideas[i % 3],
                process=ideas[i % 3].process,
                comment=comment if i % 3 == 0 else None,
                reason="A reason" if kinds[i % len(kinds)] in ("hidden", "unhidden") else "",
                read_at=timezone.now() if i % 4 == 0 else None,
            )
            for i in range(count)
        ]
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_the_list_query_count_does_not_grow_with_the_notifications(
    client, user, count, django_assert_max_num_queries
):
    make_notifications(user, count)
    client.force_login(user)
    client.get(reverse("core:home"))  # the site settings are created and cached once

    # session, user, count, page, unread count (the header badge and the page share it), one to spare
    with django_assert_max_num_queries(6):
        response = client.get(reverse("participation:notifications"), {"page": 2 if count > 20 else 1})

    assert response.status_code == 200


def test_the_list_pages_through_the_notifications(client, user):
    make_notifications(user, 45)
    client.force_login(user)

    last = client.get(reverse("participation:notifications"), {"page": 3})
    beyond = client.get(reverse("participation:notifications"), {"page": "x"})

    assert last.context["page"].number == 3 and len(last.context["page"].object_list) == 5
    assert beyond.status_code == 200 and beyond.context["page"].number == 1


# --- Marking read --------------------------------------------------------------------------------------


@pytest.fixture
def three(user):
    make_notifications(user, 3)
    Notification.objects.filter(recipient=user).update(read_at=None)
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_mark_one_as_read(client, user, three):
    client.force_login(user)

    response = client.post(reverse("participation:notifications_read"), {"id": three[1].pk, "page": "2"})

    assert response.status_code == 302
    assert response["Location"] == reverse("participation:notifications") + "?page=2"
    assert [n.read_at is not None for n in Notification.objects.order_by("id")] == [False, True, False]


def test_mark_all_as_read(client, user, three):
    others = UserFactory()
    make_notifications(others, 2)
    Notification.objects.update(read_at=None)
    client.force_login(user)

    client.post(reverse("participation:notifications_read"))

    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=others, read_at__isnull=True).count() == 2


def test_nobody_marks_the_notifications_of_someone_else(client, user, three):
    intruder = UserFactory()
    client.force_login(intruder)

    client.post(reverse("participation:notifications_read"), {"id": three[0].pk})

    assert Notification.objects.get(pk=three[0].pk).read_at is None


def test_mark_read_refuses_get_and_a_bad_id(client, user, three):
    client.force_login(user)

    assert client.get(reverse("participation:notifications_read")).status_code == 405
    assert client.post(reverse("participation:notifications_read"), {"id": "1 OR 1=1"}).status_code == 400
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_mark_read_needs_login(client, three):
    response = client.post(reverse("participation:notifications_read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=False).exists()


# --- Preferences and unsubscribe -----------------------------------------------------------------------


def test_preferences_show_and_save_the_frequency(client, user):
    client.force_login(user)

    shown = client.get(reverse("participation:notification_settings"))
    saved = client.post(reverse("participation:notification_settings"), {"email_frequency": "immediate"})

    assert shown.status_code == 200
    assert shown.context["form"].initial["email_frequency"] == EmailFrequency.DAILY
    assert saved.status_code == 302
    assert NotificationSettings.objects.get(user=user).email_frequency == EmailFrequency.IMMEDIATE


def test_preferences_refuse_an_unknown_frequency(client, user):
    wants(user, EmailFrequency.NEVER)
    client.force_login(user)

    response = client.post(reverse("participation:notification_settings"), {"email_frequency": "hourly"})

    assert response.status_code == 400
    assert NotificationSettings.objects.get(user=user).email_frequency == EmailFrequency.NEVER


def test_preferences_need_login(client):
    assert client.get(reverse("participation:notification_settings")).status_code == 302


def test_opening_the_unsubscribe_link_asks_and_changes_nothing(client, user):
    row = wants(user, EmailFrequency.IMMEDIATE)

    response = client.get(reverse("participation:unsubscribe", kwargs={"token": row.unsubscribe_token}))

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    row.refresh_from_db()
    assert row.email_frequency == EmailFrequency.IMMEDIATE


def test_the_one_click_post_turns_emails_off_without_login_or_csrf_token(user):
    from django.test import Client

    row = wants(user, EmailFrequency.DAILY)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("participation:unsubscribe", kwargs={"token": row.unsubscribe_token}),
        {"List-Unsubscribe": "One-Click"},
    )

    assert response.status_code == 200
    assert response.context["emails_off"] is True
    assert reverse("participation:notification_settings") in response.content.decode()
    row.refresh_from_db()
    assert row.email_frequency == EmailFrequency.NEVER


def test_an_unknown_unsubscribe_token_gets_a_friendly_404(client, user):
    row = wants(user, EmailFrequency.DAILY)

    for method in (client.get, client.post):
        response = method(reverse("participation:unsubscribe", kwargs={"token": "not-a-token"}))
        assert response.status_code == 404
        assert "participation/unsubscribe.html" in [t.name for t in response.templates]

    row.refresh_from_db()
    assert row.email_frequency == EmailFrequency.DAILY


# --- E-mails -------------------------------------------------------------------------------------------


def test_people_who_want_emails_at_once_get_one_per_notification(idea, django_capture_on_commit_callbacks):
    follower = UserFactory()
    row = wants(follower, EmailFrequency.IMMEDIATE)
    follow(follower, idea)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.comment_create(user=UserFactory(display_name="Anna"), idea=idea, body="One.")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(user=UserFactory(), idea=idea, body="Two.")

    assert [m.to for m in mail.outbox] == [[follower.email], [follower.email]]
    message = mail.outbox[0]
    assert "\n" not in message.subject
    assert "Anna" in message.body and "Bike lane on Via Roma" in message.body
    unsubscribe = reverse("participation:unsubscribe", kwargs={"token": row.unsubscribe_token})
    assert message.extra_headers["List-Unsubscribe"] == f"<https://partecipa.example.org{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in links_in(message.body)
    assert f"{idea.get_absolute_url()}#comment-{first.pk}" in links_in(message.body)
    assert not Notification.objects.filter(recipient=follower, emailed_at__isnull=True).exists()


def test_the_email_is_written_in_the_site_language(idea, settings):
    follower = UserFactory()
    wants(follower, EmailFrequency.IMMEDIATE)
    follow(follower, idea)
    services.comment_create(user=UserFactory(), idea=idea, body="One.")
    ids = list(Notification.objects.values_list("pk", flat=True))

    with translation.override("en"):
        tasks.send_notification_emails.enqueue(ids)

    links = links_in(mail.outbox[0].body)
    assert reverse("participation:notifications") in links  # the Italian address: no /en/ prefix
    assert not any(link.startswith("/en/") for link in links)
    with translation.override(settings.LANGUAGE_CODE):
        assert str(NotificationKind.NEW_COMMENT.label) in mail.outbox[0].subject


def test_an_email_goes_once_and_only_while_unread(idea, user):
    wants(user, EmailFrequency.IMMEDIATE)
    follow(user, idea)
    services.comment_create(user=UserFactory(), idea=idea, body="One.")
    services.comment_create(user=UserFactory(), idea=idea, body="Two.")
    first, second = Notification.objects.filter(recipient=user).order_by("id")
    services.notifications_mark_read(user=user, ids=[first.pk])

    tasks.send_notification_emails.enqueue([first.pk, second.pk])
    tasks.send_notification_emails.enqueue([first.pk, second.pk])

    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=first.pk).emailed_at is None


@pytest.mark.parametrize("who", ["never", "daily", "inactive", "erased", "unverified"])
def test_no_immediate_email_to_whoever_does_not_want_or_cannot_get_it(
    idea, who, django_capture_on_commit_callbacks
):
    person = UserFactory(verified=who != "unverified")
    wants(person, EmailFrequency.NEVER if who == "never" else EmailFrequency.DAILY)
    if who not in ("never", "daily"):
        wants(person, EmailFrequency.IMMEDIATE)
    follow(person, idea)
    if who == "inactive":
        type(person).objects.filter(pk=person.pk).update(is_active=False)
    if who == "erased":
        type(person).objects.filter(pk=person.pk).update(erased_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(user=UserFactory(), idea=idea, body="One.")
    tasks.send_notification_emails.enqueue(list(Notification.objects.values_list("pk", flat=True)))

    assert Notification.objects.filter(recipient=person).count() == 1
    assert mail.outbox == []


def test_the_daily_digest_has_every_unread_notification_and_goes_once(idea, user, moderator):
    wants(user, EmailFrequency.DAILY)
    follow(user, idea)
    services.comment_create(user=UserFactory(display_name="Anna"), idea=idea, body="One.")
    services.comment_create(user=UserFactory(display_name="Bruno"), idea=idea, body="Two.")
    mine = services.comment_create(user=user, idea=idea, body="Three.")
    services.content_hide(actor=moderator, reason="Off topic here", comment=mine)
    services.comment_create(user=UserFactory(display_name="Carla"), idea=idea, body="Read already.")
    services.notifications_mark_read(
        user=user, ids=[Notification.objects.filter(recipient=user).order_by("id").last().pk]
    )
    assert mail.outbox == []  # daily people get nothing at once

    call_command("send_digests", "--now", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [user.email]
    assert "Anna" in digest.body and "Bruno" in digest.body and "Off topic here" in digest.body
    assert "Carla" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert NotificationSettings.objects.get(user=user).last_digest_at is not None

    call_command("send_digests", "--now", stdout=io.StringIO())

    assert len(mail.outbox) == 1


def test_the_next_digest_has_only_what_is_new(idea, user):
    wants(user, EmailFrequency.DAILY)
    follow(user, idea)
    services.comment_create(user=UserFactory(display_name="Anna"), idea=idea, body="One.")
    tasks.send_digest.enqueue(user.pk)
    services.comment_create(user=UserFactory(display_name="Bruno"), idea=idea, body="Two.")

    tasks.enqueue_daily_digests()

    assert len(mail.outbox) == 2
    assert "Bruno" in mail.outbox[1].body and "Anna" not in mail.outbox[1].body


def test_a_digest_is_never_empty(idea, user):
    wants(user, EmailFrequency.DAILY)
    quiet = UserFactory()
    wants(quiet, EmailFrequency.DAILY)
    follow(user, idea)
    services.comment_create(user=UserFactory(), idea=idea, body="One.")
    services.notifications_mark_read(user=user)

    assert tasks.enqueue_daily_digests(now=True) == 0
    assert tasks.send_digest.call(user.pk) == 0
    assert tasks.send_digest.call(quiet.pk) == 0
    assert mail.outbox == []


def test_people_who_want_no_emails_get_none(idea, user, django_capture_on_commit_callbacks):
    wants(user, EmailFrequency.NEVER)
    follow(user, idea)

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(user=UserFactory(), idea=idea, body="One.")
    call_command("send_digests", "--now", stdout=io.StringIO())
    tasks.send_digest.call(user.pk)

    assert Notification.objects.filter(recipient=user).count() == 1
    assert mail.outbox == []


def test_the_unsubscribe_link_of_an_email_stops_the_emails(client, idea, user):
    wants(user, EmailFrequency.DAILY)
    follow(user, idea)
    services.comment_create(user=UserFactory(), idea=idea, body="One.")
    tasks.enqueue_daily_digests(now=True)
    token = NotificationSettings.objects.get(user=user).unsubscribe_token
    assert reverse("participation:unsubscribe", kwargs={"token": token}) in links_in(mail.outbox[0].body)

    client.post(reverse("participation:unsubscribe", kwargs={"token": token}))
    services.comment_create(user=UserFactory(), idea=idea, body="Two.")
    tasks.enqueue_daily_digests(now=True)

    assert len(mail.outbox) == 1


# --- Header badge and profile card ---------------------------------------------------------------------


def notification_queries(captured) -> int:
    return sum(1 for q in captured.captured_queries if '"participation_notification"' in q["sql"])


def test_the_header_badge_counts_the_unread_with_one_query(client, user):
    make_notifications(user, 7)  # 2 of them read
    client.force_login(user)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("core:home"))

    page = response.content.decode()
    assert re.search(r'<span class="badge[^"]*" aria-hidden="true">5</span>', page)
    with translation.override("it"):
        spoken = translation.ngettext(
            "%(counter)s unread notification", "%(counter)s unread notifications", 5
        ) % {"counter": 5}
    assert spoken in page
    assert f'href="{reverse("participation:notifications")}"' in page
    assert notification_queries(captured) == 1


def test_no_badge_and_no_query_for_anonymous_visitors(client, user):
    make_notifications(user, 3)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("core:home"))

    assert reverse("participation:notifications") not in response.content.decode()
    assert notification_queries(captured) == 0


def test_the_profile_card_shows_the_unread_count_and_the_email_frequency(user):
    make_notifications(user, 4)  # 1 read
    wants(user, EmailFrequency.IMMEDIATE)
    request = RequestFactory().get("/")
    request.user = user

    html = panels.profile_notifications(request)

    assert reverse("participation:notifications") in html
    assert reverse("participation:notification_settings") in html
    assert str(EmailFrequency.IMMEDIATE.label) in html
    with translation.override("it"):
        assert (
            translation.ngettext(
                "You have %(counter)s unread notification.", "You have %(counter)s unread notifications.", 3
            )
            % {"counter": 3}
            in html
        )


def test_the_profile_card_is_empty_for_anonymous_visitors():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert panels.profile_notifications(request) == ""


def test_a_digest_covers_what_came_since_the_last_one(idea, user):
    """Someone who turns the digest back on is not sent what they left unread long ago."""
    wants(user, EmailFrequency.DAILY)
    follow(user, idea)
    services.comment_create(user=UserFactory(), idea=idea, body="One.")
    Notification.objects.filter(recipient=user).update(created_at=timezone.now() - datetime.timedelta(days=3))
    NotificationSettings.objects.filter(user=user).update(
        last_digest_at=timezone.now() - datetime.timedelta(days=1)
    )

    assert tasks.daily_digest_recipients() == []
    assert tasks.send_digest.call(user.pk) == 0

    services.comment_create(user=UserFactory(display_name="Dario"), idea=idea, body="Two.")

    assert tasks.daily_digest_recipients() == [user.pk]
    assert tasks.send_digest.call(user.pk) == 1
    assert len(mail.outbox) == 1 and "Dario" in mail.outbox[0].body


def test_the_profile_card_and_the_header_badge_share_one_count(user):
    from cittasmart.participation.context_processors import notifications as unread_context

    make_notifications(user, 4)
    request = RequestFactory().get("/")
    request.user = user

    with CaptureQueriesContext(connection) as captured:
        panels.profile_notifications(request)
        badge = unread_context(request)["unread_notifications"]
        assert badge + 0 == 3

    assert notification_queries(captured) == 1


@pytest.mark.parametrize("bad", ["²", "①", "9" * 5000])
def test_mark_read_with_an_id_or_page_that_is_not_a_number(client, user, three, bad):
    # str.isdigit() accepts "²" and "①", which int() refused with ValueError (a 500); so it did 5000 digits.
    client.force_login(user)

    assert client.post(reverse("participation:notifications_read"), {"id": bad}).status_code == 400
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    response = client.post(reverse("participation:notifications_read"), {"id": three[0].pk, "page": bad})
    assert response["Location"] == reverse("participation:notifications")
    assert Notification.objects.filter(read_at__isnull=False).count() == 1
