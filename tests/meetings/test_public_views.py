"""The public pages of meetings and the registration pages, through the test client, with query bounds."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from cittasmart.meetings.models import Registration, RegistrationStatus
from tests.factories import (
    MeetingFactory,
    RegistrationFactory,
    ThemeFactory,
    TourFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.helpers import italian

pytestmark = pytest.mark.django_db


def past_meeting(**kwargs):
    start = timezone.now() - datetime.timedelta(days=30)
    return MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=4), **kwargs)


def make_tour(stops: int):
    tour = TourFactory()
    themes = ThemeFactory.create_batch(2)
    tour.themes.set(themes)
    for index in range(stops):
        meeting = (past_meeting if index % 2 else MeetingFactory)(
            tour=tour,
            territory=f"Province {index}",
            latitude=43.5 + index / 10,
            longitude=11.0 + index / 10,
            capacity=20,
        )
        for theme in themes:
            WorkingGroupFactory(meeting=meeting, theme=theme, facilitators=[UserFactory()])
        RegistrationFactory.create_batch(2, meeting=meeting)
    return tour, themes


# --- Lists, tour, meeting --------------------------------------------------------------------------------


@pytest.mark.parametrize("stops", [2, 10])
def test_the_tour_page_lists_upcoming_and_past_stops_with_a_map(client, django_assert_max_num_queries, stops):
    tour, _themes = make_tour(stops)
    with django_assert_max_num_queries(12):
        response = client.get(tour.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('class="cs-map-point"') == stops
    assert len(response.context["upcoming"]) == (stops + 1) // 2
    assert len(response.context["past"]) == stops // 2
    assert italian("Upcoming stops") in content and italian("Past stops") in content


def test_the_tour_filters_by_territory_and_theme(client):
    tour, themes = make_tour(4)
    other_theme_meeting = MeetingFactory(tour=tour, territory="Lucca")
    WorkingGroupFactory(meeting=other_theme_meeting, theme=ThemeFactory())
    tour.themes.add(other_theme_meeting.groups.get().theme)

    by_territory = client.get(tour.get_absolute_url(), {"territory": "Province 2"})
    by_theme = client.get(tour.get_absolute_url(), {"theme": themes[0].slug})
    unknown = client.get(tour.get_absolute_url(), {"territory": "Atlantis", "theme": "nope"})

    shown = by_territory.context["upcoming"] + by_territory.context["past"]
    assert [m.territory for m in shown] == ["Province 2"]
    themed = by_theme.context["upcoming"] + by_theme.context["past"]
    assert len(themed) == 4 and other_theme_meeting not in themed
    # An unknown filter is ignored, not an error.
    assert unknown.status_code == 200
    assert len(unknown.context["upcoming"] + unknown.context["past"]) == 5


def test_the_home_shows_upcoming_meetings_and_tours(client, django_assert_max_num_queries):
    tour, _ = make_tour(4)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("meetings:home"))
    assert response.status_code == 200
    assert [m.is_past for m in response.context["page"].object_list] == [False, False]
    assert tour.title in response.content.decode()
    past = client.get(reverse("meetings:home"), {"timing": "past"})
    assert [m.is_past for m in past.context["page"].object_list] == [True, True]


def test_unpublished_meetings_and_tours_are_hidden_from_visitors(client, plan_office):
    hidden_tour = TourFactory(is_published=False)
    in_hidden_tour = MeetingFactory(tour=hidden_tour)
    hidden = MeetingFactory(is_published=False)
    for url in (hidden.get_absolute_url(), hidden_tour.get_absolute_url(), in_hidden_tour.get_absolute_url()):
        assert client.get(url).status_code == 404
    assert hidden not in client.get(reverse("meetings:home")).context["page"].object_list
    client.force_login(plan_office)
    assert client.get(hidden.get_absolute_url()).status_code == 200


def test_the_meeting_page_shows_agenda_groups_and_seats(client, django_assert_max_num_queries):
    meeting = MeetingFactory(capacity=3, accessibility="Step-free access from Via Puccetti.")
    meeting.agenda.create(starts_at=datetime.time(9, 30), title="Welcome", speakers="The mayor")
    full = WorkingGroupFactory(meeting=meeting, capacity=1, facilitators=[UserFactory(display_name="Giulia")])
    WorkingGroupFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, group=full)
    with django_assert_max_num_queries(12):
        response = client.get(meeting.get_absolute_url())
    content = response.content.decode()
    assert "Welcome" in content and "The mayor" in content and "Giulia" in content
    assert "Step-free access" in content
    assert translation.gettext("Full: new registrations join the waitlist.") in unescape(content)
    assert reverse("meetings:register", kwargs={"slug": meeting.slug}) in content


# --- Registering ------------------------------------------------------------------------------------------


def form_data(meeting, **extra):
    data = {"name": "Anna Rossi", "email": "anna@example.org", "privacy": "on"}
    group = meeting.groups.first()
    if group:
        data["group"] = group.pk
    data.update(extra)
    return data


def test_registering_with_email_only_asks_to_confirm_the_address(client):
    meeting = MeetingFactory()
    WorkingGroupFactory(meeting=meeting)
    response = client.post(reverse("meetings:register", kwargs={"slug": meeting.slug}), form_data(meeting))
    assert response.status_code == 200
    assert "meetings/check_email.html" in [t.name for t in response.templates]
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.PENDING and registration.group == meeting.groups.first()


def test_registering_logged_in_books_the_seat_and_shows_the_code(client, user):
    meeting = MeetingFactory()
    client.force_login(user)
    response = client.post(
        reverse("meetings:register", kwargs={"slug": meeting.slug}), {"name": "Luca", "privacy": "on"}
    )
    registration = Registration.objects.get()
    assert response.status_code == 302 and response.url == registration.get_absolute_url()
    page = client.get(registration.get_absolute_url()).content.decode()
    assert registration.code in page and registration.email == user.email
    # A second visit to the form leads to the registration.
    again = client.get(reverse("meetings:register", kwargs={"slug": meeting.slug}))
    assert again.status_code == 302 and again.url == registration.get_absolute_url()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"privacy": ""}, "privacy", "Please confirm that you have read the privacy notice."),
        ({"name": "   "}, "name", "This field is required."),
    ],
)
def test_bad_input_gets_a_translated_message_and_writes_nothing(client, data, field, message):
    meeting = MeetingFactory()
    response = client.post(
        reverse("meetings:register", kwargs={"slug": meeting.slug}), form_data(meeting, **data)
    )
    assert response.status_code == 400
    assert italian(message) in response.content.decode()
    assert field in response.context["form"].errors
    assert not Registration.objects.exists()


def test_a_closed_registration_says_so_and_writes_nothing(client):
    meeting = past_meeting()
    page = client.get(reverse("meetings:register", kwargs={"slug": meeting.slug}))
    assert italian("Registration for this meeting is closed.") in page.content.decode()
    response = client.post(reverse("meetings:register", kwargs={"slug": meeting.slug}), form_data(meeting))
    assert response.status_code == 400
    assert italian("Registration for this meeting is closed.") in response.content.decode()
    assert not Registration.objects.exists()
    # An empty submission too: the form is bound, and the refusal is a message, not a server error.
    empty = client.post(reverse("meetings:register", kwargs={"slug": meeting.slug}), {})
    assert empty.status_code == 400
    assert italian("Registration for this meeting is closed.") in empty.content.decode()


def test_the_confirmation_link_shows_a_button_and_only_the_button_confirms(client):
    meeting = MeetingFactory()
    client.post(reverse("meetings:register", kwargs={"slug": meeting.slug}), form_data(meeting))
    registration = Registration.objects.get()
    url = reverse("meetings:registration_confirm", kwargs={"token": registration.token})

    assert client.get(url).status_code == 200
    assert Registration.objects.get().status == RegistrationStatus.PENDING
    response = client.post(url)
    assert response.status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


def test_an_expired_confirmation_link_says_so(client):
    registration = RegistrationFactory(
        status=RegistrationStatus.PENDING,
        queued_at=None,
        confirmed_at=None,
        confirmation_sent_at=timezone.now() - datetime.timedelta(days=3),
    )
    url = reverse("meetings:registration_confirm", kwargs={"token": registration.token})
    message = italian("This confirmation link has expired. Register again to receive a new one.")
    assert message in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400 and message in response.content.decode()
    assert Registration.objects.get().status == RegistrationStatus.PENDING


def test_cancelling_from_the_link_frees_the_seat(client):
    meeting = MeetingFactory(capacity=1)
    seat = RegistrationFactory(meeting=meeting)
    waiting = RegistrationFactory(meeting=meeting, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    response = client.post(reverse("meetings:registration_cancel", kwargs={"token": seat.token}))
    assert response.status_code == 302
    assert Registration.objects.get(pk=seat.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    again = client.post(reverse("meetings:registration_cancel", kwargs={"token": seat.token}))
    assert again.status_code == 400
    assert italian("This registration has already been cancelled.") in again.content.decode()


def test_the_waitlist_position_is_shown(client):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    waiting = [
        RegistrationFactory(meeting=meeting, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
        for _ in range(3)
    ]
    response = client.get(waiting[2].get_absolute_url())
    assert response.context["position"] == 3


def test_unknown_tokens_are_not_found(client):
    for name in ("meetings:registration", "meetings:registration_confirm"):
        assert client.get(reverse(name, kwargs={"token": "nope"})).status_code == 404
    assert client.post(reverse("meetings:registration_cancel", kwargs={"token": "nope"})).status_code == 404


def test_my_registrations_lists_mine_and_cancels(client, django_assert_max_num_queries):
    user = UserFactory(email="mine@example.org")
    mine = [RegistrationFactory(user=user, email=user.email) for _ in range(3)]
    by_address = RegistrationFactory(email="MINE@example.org")
    RegistrationFactory()  # somebody else's
    assert client.get(reverse("meetings:my_registrations")).status_code == 302  # to the login
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:my_registrations"))
    assert {r.pk for r in response.context["upcoming"]} == {r.pk for r in [*mine, by_address]}
    feed_path = reverse("meetings:my_ics", kwargs={"token": response.context["feed"].token})
    assert feed_path in response.content.decode()

    cancel = client.post(
        reverse("meetings:registration_cancel", kwargs={"token": mine[0].token}), {"next": "mine"}
    )
    assert cancel.url == reverse("meetings:my_registrations")
    assert Registration.objects.get(pk=mine[0].pk).status == RegistrationStatus.CANCELLED


def test_the_code_is_shown_only_to_the_holder_of_the_link(client):
    registration = RegistrationFactory()
    page = client.get(registration.get_absolute_url()).content.decode()
    assert registration.code in page
    assert not re.search(
        registration.code, client.get(registration.meeting.get_absolute_url()).content.decode()
    )


def test_the_site_search_finds_visible_meetings_and_tours(client):
    tour = TourFactory(title="Toscana Digitale")
    shown = MeetingFactory(tour=tour, title="Toscana Digitale – Prato")
    hidden = MeetingFactory(title="Toscana Digitale – Siena", is_published=False)
    response = client.get(reverse("core:search"), {"q": "toscana digitale"})
    content = response.content.decode()
    assert tour.get_absolute_url() in content and shown.get_absolute_url() in content
    assert hidden.get_absolute_url() not in content


def test_the_profile_says_how_many_upcoming_meetings(client, user):
    RegistrationFactory.create_batch(2, user=user, email=user.email)
    RegistrationFactory(user=user, email=user.email, status=RegistrationStatus.CANCELLED)
    client.force_login(user)
    content = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("meetings:my_registrations") in content
    with translation.override("it"):
        expected = ngettext(
            "You are registered to %(counter)s upcoming meeting.",
            "You are registered to %(counter)s upcoming meetings.",
            2,
        ) % {"counter": 2}
    assert expected in content


def test_the_link_to_manage_meetings_is_shown_to_who_can_use_it(client, plan_office):
    admin_url = reverse("admin:meetings_meeting_changelist")
    client.force_login(plan_office)
    assert admin_url not in client.get(reverse("meetings:home")).content.decode()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert admin_url in client.get(reverse("meetings:home")).content.decode()
