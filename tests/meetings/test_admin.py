"""Meetings in the Django admin: the pages load, the Markdown is rendered on save, raised seats go to the waitlist,
fewer seats than the people holding one are refused, registrations are read-only and are cancelled through the
service (which promotes the waitlist)."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from cittasmart.core.models import AuditEntry
from cittasmart.core.roles import Role
from cittasmart.meetings import services
from cittasmart.meetings.models import (
    AgendaItem,
    Attribution,
    Contribution,
    Meeting,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from tests.factories import (
    MeetingFactory,
    RegistrationFactory,
    ThemeFactory,
    TourFactory,
    UserFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _waitlisted(meeting, group=None, **kwargs):
    return RegistrationFactory(
        meeting=meeting, group=group, status=RegistrationStatus.WAITLISTED, confirmed_at=None, **kwargs
    )


def _change_data(meeting: Meeting, groups=(), **changes) -> dict:
    """The POST of the meeting's change form, with its inlines, as the page would send it."""
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    data = {
        "tour": meeting.tour_id or "",
        "process": meeting.process_id or "",
        "title": meeting.title,
        "slug": meeting.slug,
        "summary": meeting.summary,
        "description": meeting.description,
        "venue_name": meeting.venue_name,
        "address": meeting.address,
        "municipality": meeting.municipality,
        "territory": meeting.territory,
        "latitude": "",
        "longitude": "",
        "online_url": "",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "accessibility": meeting.accessibility,
        "capacity": meeting.capacity or "",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "is_published": "on" if meeting.is_published else "",
        "report": meeting.report,
    }
    for prefix in ("agenda", "questions"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(
        {
            "groups-TOTAL_FORMS": str(len(groups)),
            "groups-INITIAL_FORMS": str(len(groups)),
            "groups-MIN_NUM_FORMS": "0",
            "groups-MAX_NUM_FORMS": "1000",
        }
    )
    for index, group in enumerate(groups):
        data.update(
            {
                f"groups-{index}-id": group.pk,
                f"groups-{index}-meeting": meeting.pk,
                f"groups-{index}-theme": group.theme_id,
                f"groups-{index}-title": group.title,
                f"groups-{index}-capacity": group.capacity or "",
                f"groups-{index}-order": group.order,
            }
        )
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_the_changelists_load(admin_client):
    meeting = MeetingFactory(tour=TourFactory())
    group = WorkingGroupFactory(meeting=meeting)
    registration = RegistrationFactory(meeting=meeting, group=group, name="Ada Lovelace")
    Contribution.objects.create(group=group, text="More benches.", attribution=Attribution.UNREGISTERED)
    for model in ("theme", "tour", "meeting", "registration", "contribution"):
        response = admin_client.get(reverse(f"admin:meetings_{model}_changelist"))
        assert response.status_code == 200, model
    page = admin_client.get(reverse("admin:meetings_registration_changelist")).content.decode()
    assert registration.code in page and "Ada Lovelace" in page
    filtered = admin_client.get(
        reverse("admin:meetings_registration_changelist"), {"status__exact": RegistrationStatus.WAITLISTED}
    )
    assert registration.code not in filtered.content.decode()
    by_meeting = admin_client.get(
        reverse("admin:meetings_registration_changelist"), {"meeting__id__exact": meeting.pk}
    )
    assert registration.code in by_meeting.content.decode()


def test_the_meeting_change_form_has_its_inlines(admin_client, facilitator):
    meeting = MeetingFactory()
    WorkingGroupFactory(meeting=meeting, title="Mobility table", facilitators=[facilitator])
    AgendaItem.objects.create(meeting=meeting, starts_at=datetime.time(9, 30), title="Welcome coffee")
    RegistrationQuestion.objects.create(meeting=meeting, label="Which sector?")
    response = admin_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for prefix in ("agenda", "groups", "questions"):
        assert f'name="{prefix}-TOTAL_FORMS"' in page
    assert "Mobility table" in page and "Welcome coffee" in page and "Which sector?" in page
    # The facilitators are chosen with the autocomplete, which lists the facilitator already chosen.
    assert 'name="groups-0-facilitators"' in page and "admin-autocomplete" in page
    assert facilitator.email in page or facilitator.display_name in page
    assert admin_client.get(reverse("admin:meetings_meeting_add")).status_code == 200
    assert admin_client.get(reverse("admin:meetings_tour_add")).status_code == 200


def test_saving_a_meeting_renders_its_markdown(admin_client):
    meeting = MeetingFactory(description="Old", report="")
    data = _change_data(meeting, description="Bring **your ideas**.", report="We met in *four* groups.")
    response = admin_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.description_html == "<p>Bring <strong>your ideas</strong>.</p>"
    assert "<em>four</em>" in meeting.report_html
    assert meeting.report_published_at is None  # published only by the action, through the service


def test_saving_a_tour_renders_its_markdown(admin_client):
    tour = TourFactory()
    data = {
        "title": tour.title,
        "slug": tour.slug,
        "summary": "",
        "description": "A *tour*.",
        "is_published": "on",
    }
    response = admin_client.post(reverse("admin:meetings_tour_change", args=[tour.pk]), data)
    assert response.status_code == 302
    tour.refresh_from_db()
    assert tour.description_html == "<p>A <em>tour</em>.</p>"


def test_raising_the_seats_of_a_meeting_promotes_the_waitlist(admin_client):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    first, second, third = _waitlisted(meeting), _waitlisted(meeting), _waitlisted(meeting)
    data = _change_data(meeting, capacity="3")
    response = admin_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), data)
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == RegistrationStatus.CONFIRMED
    assert statuses[third.pk] == RegistrationStatus.WAITLISTED
    assert AuditEntry.objects.filter(code="meetings.meeting.promoted").count() == 1


def test_raising_the_seats_of_a_group_promotes_its_waitlist(admin_client):
    meeting = MeetingFactory(capacity=10)
    full, other = WorkingGroupFactory(meeting=meeting, capacity=1), WorkingGroupFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, group=full)
    waiting = _waitlisted(meeting, group=full)
    data = _change_data(meeting, groups=[full, other], **{"groups-0-capacity": "2"})
    response = admin_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), data)
    assert response.status_code == 302
    full.refresh_from_db()
    assert full.capacity == 2
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_saving_without_raising_the_seats_promotes_nobody(admin_client):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    waiting = _waitlisted(meeting)
    # A seat freed behind the services' back is not given away by an unrelated edit.
    Registration.objects.exclude(pk=waiting.pk).update(status=RegistrationStatus.CANCELLED)
    data = _change_data(meeting, title="Renamed")
    assert (
        admin_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), data).status_code
        == 302
    )
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert not AuditEntry.objects.filter(code="meetings.meeting.promoted").exists()


def test_fewer_seats_than_people_holding_one_are_refused(admin_client):
    meeting = MeetingFactory(capacity=3)
    group = WorkingGroupFactory(meeting=meeting, capacity=3)
    RegistrationFactory.create_batch(2, meeting=meeting, group=group)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    response = admin_client.post(url, _change_data(meeting, groups=[group], capacity="1"))
    assert response.status_code == 200
    assert "capacity" in response.context["adminform"].form.errors
    response = admin_client.post(url, _change_data(meeting, groups=[group], **{"groups-0-capacity": "1"}))
    assert response.status_code == 200
    meeting.refresh_from_db()
    group.refresh_from_db()
    assert meeting.capacity == 3 and group.capacity == 3


def test_registrations_are_read_only(admin_client):
    registration = RegistrationFactory(name="Ada Lovelace")
    url = reverse("admin:meetings_registration_change", args=[registration.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert registration.token not in page.content.decode()
    assert admin_client.post(url, {"name": "Changed"}).status_code == 403
    registration.refresh_from_db()
    assert registration.name == "Ada Lovelace"
    assert admin_client.get(reverse("admin:meetings_registration_add")).status_code == 403


def _cancel(client, registrations):
    return client.post(
        reverse("admin:meetings_registration_changelist"),
        {"action": "cancel_registrations", ACTION_CHECKBOX_NAME: [r.pk for r in registrations]},
        follow=True,
    )


def test_the_cancel_action_cancels_and_promotes(admin_client, superuser):
    meeting = MeetingFactory(capacity=1)
    holder = RegistrationFactory(meeting=meeting)
    waiting = _waitlisted(meeting)
    response = _cancel(admin_client, [holder])
    assert response.status_code == 200
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.status == RegistrationStatus.CANCELLED and holder.cancelled_at is not None
    assert waiting.status == RegistrationStatus.CONFIRMED and waiting.confirmed_at is not None
    messages = [str(m) for m in response.context["messages"]]
    assert any("1" in m for m in messages)
    entry = AuditEntry.objects.get(code="meetings.registration.cancelled")
    assert entry.actor == superuser and entry.data == {"registration": holder.pk, "promoted": [waiting.pk]}


def test_the_cancel_action_skips_what_cannot_be_cancelled(admin_client):
    past = MeetingFactory(
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=2),
    )
    over = RegistrationFactory(meeting=past)
    cancelled = RegistrationFactory(status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now())
    active = RegistrationFactory()
    _cancel(admin_client, [over, cancelled, active])
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses[over.pk] == RegistrationStatus.CONFIRMED
    assert statuses[active.pk] == RegistrationStatus.CANCELLED
    assert AuditEntry.objects.filter(code="meetings.registration.cancelled").count() == 1


def test_only_the_plan_office_cancels_from_the_admin(client):
    """Django staff without a platform role sees the registrations but cannot cancel them."""
    from django.contrib.auth.models import Permission

    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(clerk)
    registration = RegistrationFactory()
    _cancel(client, [registration])
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    office = UserFactory(is_staff=True, roles=[Role.PLAN_OFFICE])
    office.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(office)
    _cancel(client, [registration])
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_the_publish_report_action_goes_through_the_service(admin_client):
    meeting = MeetingFactory(report="We met.")
    empty = MeetingFactory(report="")
    admin_client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "publish_reports", ACTION_CHECKBOX_NAME: [meeting.pk, empty.pk]},
    )
    meeting.refresh_from_db()
    empty.refresh_from_db()
    assert meeting.report_published_at is not None and meeting.report_html == "<p>We met.</p>"
    assert empty.report_published_at is None
    assert AuditEntry.objects.filter(code="meetings.report.published").count() == 1


def test_a_meeting_with_a_theme_group_can_be_added_with_its_groups(admin_client):
    theme = ThemeFactory()
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=5))
    data = _change_data(
        MeetingFactory.build(slug="new-meeting", starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    )
    data.update(
        {
            "groups-TOTAL_FORMS": "1",
            "groups-INITIAL_FORMS": "0",
            "groups-0-theme": theme.pk,
            "groups-0-capacity": "10",
            "groups-0-order": "1",
            "description": "Come *along*.",
        }
    )
    response = admin_client.post(reverse("admin:meetings_meeting_add"), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(slug="new-meeting")
    assert meeting.description_html == "<p>Come <em>along</em>.</p>"
    assert meeting.groups.get().capacity == 10
    assert services.registration_create(
        meeting=meeting, name="Ada", email="ada@example.org", group=meeting.groups.get()
    )[1]
