"""Check-in by code (typed, scanned, or from the QR code's address), its undo, and the attendance page and CSV with
their figures. Wrong codes change nothing; only the people running the meeting get in."""

import csv
import datetime
import io
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cittasmart.core.models import AuditEntry
from cittasmart.core.roles import Role
from cittasmart.meetings import qr
from cittasmart.meetings.models import Registration, RegistrationStatus
from cittasmart.stakeholders.models import OrganisationCategory
from tests.factories import MeetingFactory, RegistrationFactory, UserFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

CODE = "ABCD2345"


@pytest.fixture
def group(facilitator):
    return WorkingGroupFactory(facilitators=[facilitator], title="Mobilità")


@pytest.fixture
def meeting(group):
    return group.meeting


@pytest.fixture
def registration(meeting, group):
    return RegistrationFactory(meeting=meeting, group=group, code=CODE, name="Maria Rossi")


def checkin_url(meeting) -> str:
    return reverse("meetings:checkin", kwargs={"slug": meeting.slug})


def post_code(client, meeting, code):
    return client.post(checkin_url(meeting), {"op": "checkin", "code": code})


def checkin_entries():
    return AuditEntry.objects.filter(code="meetings.registration.checked_in")


# --- Check-in -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [CODE, "abcd2345", " abcd 2345 ", "ABCD-2345"])
def test_check_in_by_typed_code(client, facilitator, meeting, registration, typed):
    client.force_login(facilitator)
    response = post_code(client, meeting, typed)
    assert response.status_code == 302
    assert response["Location"] == checkin_url(meeting)
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    assert registration.checked_in_by == facilitator
    assert checkin_entries().count() == 1
    page = client.get(checkin_url(meeting)).content.decode()
    assert "Maria Rossi" in page
    assert "Mobilità" in page


def test_check_in_by_the_address_of_the_qr_code(client, plan_office, meeting, registration):
    client.force_login(plan_office)
    address = qr.checkin_url(registration)
    assert address.endswith(f"?code={CODE}")
    assert post_code(client, meeting, address).status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_the_qr_code_address_prefills_the_field_and_writes_nothing(
    client, facilitator, meeting, registration
):
    client.force_login(facilitator)
    response = client.get(checkin_url(meeting), {"code": CODE.lower()})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["code"].value() == CODE.lower()
    page = response.content.decode()
    assert f'value="{CODE.lower()}"' in page
    assert "Maria Rossi" in page  # whose code it is, before the button is pressed
    assert "autofocus" in page
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert not checkin_entries().exists()


def test_an_unknown_code_in_the_address_says_so(client, facilitator, meeting, registration):
    client.force_login(facilitator)
    response = client.get(checkin_url(meeting), {"code": "ZZZZ9999"})
    assert response.status_code == 200
    assert response.context["preview"] is False
    assert _("No registration of this meeting has this code.") in response.content.decode()


def assert_refused(response, message, registration):
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert response.context["form"].errors["code"] == [message]
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert registration.checked_in_by is None
    assert not checkin_entries().exists()


def test_unknown_code_writes_nothing(client, facilitator, meeting, registration):
    client.force_login(facilitator)
    response = post_code(client, meeting, "ZZZZ9999")
    assert_refused(response, _("No registration of this meeting has this code."), registration)


def test_code_of_another_meeting_writes_nothing(client, facilitator, meeting, registration):
    other = RegistrationFactory(meeting=MeetingFactory(), code="QQQQ7777")
    client.force_login(facilitator)
    response = post_code(client, meeting, other.code)
    assert_refused(response, _("No registration of this meeting has this code."), registration)
    other.refresh_from_db()
    assert other.checked_in_at is None


def test_empty_code_is_refused(client, facilitator, meeting, registration):
    client.force_login(facilitator)
    response = post_code(client, meeting, "")
    assert response.status_code == 400
    assert _("Type the registration code.") in response.content.decode()
    assert not checkin_entries().exists()


def test_waitlisted_person_is_not_checked_in(client, facilitator, meeting, registration):
    Registration.objects.filter(pk=registration.pk).update(
        status=RegistrationStatus.WAITLISTED, confirmed_at=None
    )
    client.force_login(facilitator)
    response = post_code(client, meeting, CODE)
    assert_refused(response, _("This person is on the waitlist: they do not hold a seat yet."), registration)


@pytest.mark.parametrize("status", [RegistrationStatus.CANCELLED, RegistrationStatus.PENDING])
def test_cancelled_or_unconfirmed_registration_is_not_checked_in(
    client, facilitator, meeting, registration, status
):
    Registration.objects.filter(pk=registration.pk).update(
        status=status, confirmed_at=None, cancelled_at=timezone.now()
    )
    client.force_login(facilitator)
    response = post_code(client, meeting, CODE)
    assert_refused(
        response,
        _("This registration is not confirmed (cancelled, or its address was never confirmed)."),
        registration,
    )


def test_a_second_check_in_changes_nothing_and_says_when(client, facilitator, meeting, registration):
    first = timezone.make_aware(datetime.datetime(2030, 5, 6, 9, 5), timezone.get_current_timezone())
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=first)
    client.force_login(facilitator)
    response = post_code(client, meeting, CODE)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_at == first
    assert registration.checked_in_by is None
    assert not checkin_entries().exists()
    page = unescape(client.get(checkin_url(meeting)).content.decode())
    expected = _("%(name)s (%(group)s) was already checked in at %(time)s.") % {
        "name": "Maria Rossi",
        "group": "Mobilità",
        "time": "09:05",
    }
    assert expected in page


def test_counts_and_latest_check_ins(client, facilitator, meeting, group):
    now = timezone.now()
    RegistrationFactory.create_batch(3, meeting=meeting, group=group)
    RegistrationFactory(meeting=meeting, group=group, name="Arrived Early", checked_in_at=now)
    RegistrationFactory(
        meeting=meeting, status=RegistrationStatus.WAITLISTED, confirmed_at=None, name="Waiting Person"
    )
    client.force_login(facilitator)
    response = client.get(checkin_url(meeting))
    figures = response.context["figures"]
    assert (figures.registered, figures.attended) == (4, 1)
    assert [r.name for r in response.context["recent"]] == ["Arrived Early"]


def test_undo_a_check_in(client, facilitator, meeting, registration):
    client.force_login(facilitator)
    post_code(client, meeting, CODE)
    response = client.post(checkin_url(meeting), {"op": "undo", "registration": registration.pk})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert AuditEntry.objects.filter(code="meetings.registration.check_in_undone").count() == 1


def test_undo_cannot_reach_another_meeting(client, facilitator, meeting):
    other = RegistrationFactory(meeting=MeetingFactory(), checked_in_at=timezone.now())
    client.force_login(facilitator)
    client.post(checkin_url(meeting), {"op": "undo", "registration": other.pk})
    other.refresh_from_db()
    assert other.checked_in_at is not None
    assert not AuditEntry.objects.filter(code="meetings.registration.check_in_undone").exists()


def test_scan_button_is_progressive(client, facilitator, meeting):
    client.force_login(facilitator)
    page = client.get(checkin_url(meeting)).content.decode()
    assert 'id="checkin-scan" hidden' in page
    assert "js/checkin-scanner" in page
    assert "<script>" not in page


# --- Who gets in ----------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, meeting, registration):
    response = client.get(checkin_url(meeting), {"code": CODE})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_citizen_gets_403_and_writes_nothing(client, user, meeting, registration):
    client.force_login(user)
    assert client.get(checkin_url(meeting)).status_code == 403
    assert post_code(client, meeting, CODE).status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert not checkin_entries().exists()


def test_facilitator_of_another_meeting_gets_403(client, meeting, registration):
    stranger = UserFactory(roles=[Role.FACILITATOR])
    WorkingGroupFactory(facilitators=[stranger])
    client.force_login(stranger)
    for name in ("checkin", "attendance", "attendance_csv"):
        assert client.get(reverse(f"meetings:{name}", kwargs={"slug": meeting.slug})).status_code == 403
    assert post_code(client, meeting, CODE).status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None


@pytest.mark.parametrize("who", ["facilitator", "plan_office"])
def test_facilitator_and_plan_office_get_in(client, request, meeting, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("checkin", "attendance", "attendance_csv"):
        assert client.get(reverse(f"meetings:{name}", kwargs={"slug": meeting.slug})).status_code == 200


def test_unpublished_meeting_is_404_for_its_facilitator(client, facilitator, meeting):
    meeting.is_published = False
    meeting.save()
    client.force_login(facilitator)
    assert client.get(checkin_url(meeting)).status_code == 404


# --- Attendance -----------------------------------------------------------------------------------------


@pytest.fixture
def crowd(meeting, group):
    """A meeting with two groups: 3 + 2 confirmed (2 + 1 checked in), 2 waiting, 1 pending, 1 cancelled."""
    other = WorkingGroupFactory(meeting=meeting, title="Energia", capacity=10)
    now = timezone.now()
    public, company = OrganisationCategory.PUBLIC_BODY, OrganisationCategory.ENTERPRISE
    RegistrationFactory(meeting=meeting, group=group, organisation_category=public, checked_in_at=now)
    RegistrationFactory(meeting=meeting, group=group, organisation_category=public, checked_in_at=now)
    RegistrationFactory(meeting=meeting, group=group, organisation_category=company)
    RegistrationFactory(meeting=meeting, group=other, organisation_category=company, checked_in_at=now)
    RegistrationFactory(meeting=meeting, group=other, organisation_category="")
    for name, minutes in (("Second Waiting", 5), ("First Waiting", 1)):
        RegistrationFactory(
            meeting=meeting,
            group=other,
            name=name,
            status=RegistrationStatus.WAITLISTED,
            confirmed_at=None,
            queued_at=now + datetime.timedelta(minutes=minutes),
        )
    RegistrationFactory(meeting=meeting, status=RegistrationStatus.PENDING, confirmed_at=None, queued_at=None)
    RegistrationFactory(
        meeting=meeting, status=RegistrationStatus.CANCELLED, confirmed_at=None, cancelled_at=now
    )
    return other


def attendance_url(meeting) -> str:
    return reverse("meetings:attendance", kwargs={"slug": meeting.slug})


def test_attendance_figures(client, facilitator, meeting, group, crowd):
    client.force_login(facilitator)
    response = client.get(attendance_url(meeting))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.registered, figures.attended, figures.no_shows) == (5, 3, 2)
    assert (figures.waitlisted, figures.pending, figures.cancelled) == (2, 1, 1)

    by_category = {row.label: (row.registered, row.attended) for row in response.context["by_category"].rows}
    assert by_category[str(OrganisationCategory.PUBLIC_BODY.label)] == (2, 2)
    assert by_category[str(OrganisationCategory.ENTERPRISE.label)] == (2, 1)
    assert by_category[str(OrganisationCategory.THIRD_SECTOR.label)] == (0, 0)
    assert by_category[_("Not stated")] == (1, 0)
    total = response.context["by_category"].total
    assert (total.registered, total.attended) == (5, 3)

    by_group = {
        row.label: (row.seats, row.registered, row.attended) for row in response.context["by_group"].rows
    }
    assert by_group == {"Mobilità": (None, 3, 2), "Energia": (10, 2, 1)}


def test_attendance_lists(client, facilitator, meeting, crowd):
    client.force_login(facilitator)
    response = client.get(attendance_url(meeting))
    assert response.context["confirmed"].paginator.count == 5
    assert [(p, r.name) for p, r in response.context["waiting"]] == [
        (1, "First Waiting"),
        (2, "Second Waiting"),
    ]
    page = response.content.decode()
    assert "<caption>" in page
    assert 'scope="col"' in page and 'scope="row"' in page


def test_attendance_queries_do_not_grow(client, facilitator, meeting, group, django_assert_max_num_queries):
    client.force_login(facilitator)

    def add(count):
        for _i in range(count):
            RegistrationFactory(meeting=meeting, group=group, organisation_name="Comune")
            RegistrationFactory(meeting=meeting, status=RegistrationStatus.WAITLISTED, confirmed_at=None)

    add(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(attendance_url(meeting)).status_code == 200
    add(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(attendance_url(meeting))
    assert response.context["confirmed"].paginator.count == 50
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("meetings:checkin", kwargs={"slug": meeting.slug}))


def read_csv(response) -> tuple[str, list[dict]]:
    raw = b"".join(response.streaming_content).decode("utf-8")
    return raw, list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))


def test_attendance_csv(client, plan_office, meeting, group, crowd):
    client.force_login(plan_office)
    response = client.get(reverse("meetings:attendance_csv", kwargs={"slug": meeting.slug}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="attendance-{meeting.slug}.csv"'
    raw, rows = read_csv(response)
    assert raw.startswith("\ufeff")
    assert len(rows) == 7  # 5 confirmed, then 2 waiting; pending and cancelled are left out
    assert [row["state"] for row in rows] == ["confirmed"] * 5 + ["waitlisted"] * 2
    assert [row["waitlist_position"] for row in rows[5:]] == ["1", "2"]
    assert [row["name"] for row in rows[5:]] == ["First Waiting", "Second Waiting"]
    assert sum(1 for row in rows if row["checked_in_at"]) == 3
    assert {row["working_group"] for row in rows} == {"Mobilità", "Energia"}


def test_attendance_csv_neutralises_formulas(client, facilitator, meeting, group):
    RegistrationFactory(
        meeting=meeting,
        group=group,
        name='=HYPERLINK("http://evil.example","x")',
        organisation_name="@evil",
        answers={"1": "+cmd"},
    )
    client.force_login(facilitator)
    _raw, rows = read_csv(client.get(reverse("meetings:attendance_csv", kwargs={"slug": meeting.slug})))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["organisation"] == "'@evil"


def test_attendance_csv_has_the_answers_to_the_questions(client, facilitator, meeting, group):
    question = meeting.questions.create(label="=Diet", required=False)
    RegistrationFactory(meeting=meeting, group=group, answers={str(question.pk): "-vegan"})
    client.force_login(facilitator)
    _raw, rows = read_csv(client.get(reverse("meetings:attendance_csv", kwargs={"slug": meeting.slug})))
    assert rows[0]["'=Diet"] == "'-vegan"


def test_citizen_gets_403_on_attendance(client, user, meeting):
    client.force_login(user)
    assert client.get(attendance_url(meeting)).status_code == 403
    assert client.get(reverse("meetings:attendance_csv", kwargs={"slug": meeting.slug})).status_code == 403


@pytest.mark.parametrize("pk", ["²", "①", "9" * 5000])
def test_undo_with_a_registration_that_is_not_a_number_changes_nothing(
    client, facilitator, meeting, registration, pk
):
    # str.isdigit() accepts "²" and "①", which the filter on the key refused with ValueError (a 500).
    client.force_login(facilitator)
    post_code(client, meeting, CODE)

    response = client.post(checkin_url(meeting), {"op": "undo", "registration": pk})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    assert not AuditEntry.objects.filter(code="meetings.registration.check_in_undone").exists()
