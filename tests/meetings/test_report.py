"""Minutes of a working group (text and files), the meeting's report, its publication, and the files of the minutes:
nothing of it is public before the report is published."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from cittasmart.core.models import AuditEntry
from cittasmart.core.roles import Role
from cittasmart.meetings import services
from cittasmart.meetings.models import Attribution, MinutesAttachment
from tests.factories import ProcessFactory, RegistrationFactory, UserFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(name: str = "verbale.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def group(facilitator):
    group = WorkingGroupFactory(facilitators=[facilitator], title="Mobilità")
    group.meeting.process = ProcessFactory()
    group.meeting.save()
    return group


@pytest.fixture
def meeting(group):
    return group.meeting


def minutes_url(group) -> str:
    return reverse("meetings:minutes", kwargs={"slug": group.meeting.slug, "pk": group.pk})


def report_url(meeting) -> str:
    return reverse("meetings:report", kwargs={"slug": meeting.slug})


def edit_url(meeting) -> str:
    return reverse("meetings:report_edit", kwargs={"slug": meeting.slug})


def publish(client, meeting, text="We met and **talked**.", op="publish"):
    return client.post(edit_url(meeting), {"report": text, "op": op})


# --- Minutes --------------------------------------------------------------------------------------------


def test_minutes_with_a_pdf(client, facilitator, group):
    client.force_login(facilitator)
    response = client.post(
        minutes_url(group), {"minutes": "We agreed on *three* points.", "attachments": [pdf()]}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.minutes == "We agreed on *three* points."
    assert "<em>three</em>" in group.minutes_html
    attachment = MinutesAttachment.objects.get(group=group)
    assert (attachment.kind, attachment.content_type, attachment.original_name) == (
        "pdf",
        "application/pdf",
        "verbale.pdf",
    )
    assert AuditEntry.objects.filter(code="meetings.minutes.saved").count() == 1
    page = client.get(minutes_url(group)).content.decode()
    assert reverse("meetings:minutes_attachment", kwargs={"pk": attachment.pk}) in page
    assert "We agreed on *three* points." in page


def test_a_file_that_is_not_a_pdf_or_image_writes_nothing(client, facilitator, group):
    group.minutes = "Before."
    group.save()
    client.force_login(facilitator)
    fake = SimpleUploadedFile(
        "evil.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(minutes_url(group), {"minutes": "After.", "attachments": [fake]})
    assert response.status_code == 400
    assert response.context["form"].errors["attachments"] == [
        _("“%(name)s” is neither a PNG, JPEG or WebP image nor a PDF document.") % {"name": "evil.pdf"}
    ]
    group.refresh_from_db()
    assert group.minutes == "Before."
    assert not MinutesAttachment.objects.exists()


def test_facilitator_of_another_group_cannot_write_the_minutes(client, group, meeting):
    stranger = UserFactory(roles=[Role.FACILITATOR])
    WorkingGroupFactory(meeting=meeting, facilitators=[stranger])
    client.force_login(stranger)
    assert client.get(minutes_url(group)).status_code == 403
    assert client.post(minutes_url(group), {"minutes": "Mine now."}).status_code == 403
    group.refresh_from_db()
    assert group.minutes == ""


def test_citizen_cannot_write_the_minutes(client, user, group):
    client.force_login(user)
    assert client.get(minutes_url(group)).status_code == 403


# --- The files of the minutes ---------------------------------------------------------------------------


@pytest.fixture
def attachment(facilitator, group):
    services.minutes_save(actor=facilitator, group=group, minutes="Notes.", files=[pdf()])
    return MinutesAttachment.objects.get(group=group)


def attachment_url(attachment) -> str:
    return reverse("meetings:minutes_attachment", kwargs={"pk": attachment.pk})


def test_file_is_404_before_the_report_is_published(client, user, attachment):
    assert client.get(attachment_url(attachment)).status_code == 404
    client.force_login(user)
    assert client.get(attachment_url(attachment)).status_code == 404


def test_file_is_served_to_the_facilitator_before_publishing(client, facilitator, attachment):
    client.force_login(facilitator)
    response = client.get(attachment_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_file_is_served_once_the_report_is_published(client, facilitator, meeting, attachment):
    services.report_publish(actor=facilitator, meeting=meeting, report="Done.")
    response = client.get(attachment_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "verbale.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_file_of_an_unpublished_meeting_stays_404(client, facilitator, meeting, attachment):
    services.report_publish(actor=facilitator, meeting=meeting, report="Done.")
    meeting.is_published = False
    meeting.save()
    assert client.get(attachment_url(attachment)).status_code == 404


def test_unknown_file_is_404(client):
    assert client.get(reverse("meetings:minutes_attachment", kwargs={"pk": 999})).status_code == 404


# --- The report -----------------------------------------------------------------------------------------


@pytest.fixture
def recorded(facilitator, group, meeting):
    """Minutes, a contribution that became an idea, and some attendance."""
    participant = RegistrationFactory(
        meeting=meeting, group=group, name="Giulia Bianchi", email="giulia@example.org"
    )
    RegistrationFactory(meeting=meeting, group=group, checked_in_at=meeting.starts_at)
    services.minutes_save(actor=facilitator, group=group, minutes="The group *agreed*.")
    [contribution] = services.contributions_record(
        actor=facilitator,
        group=group,
        rows=[
            {
                "text": "Night buses to the station.",
                "attribution": Attribution.PARTICIPANT,
                "registration": participant,
            }
        ],
    )
    return contribution


def test_report_is_404_before_publishing(client, user, meeting, recorded):
    assert client.get(report_url(meeting)).status_code == 404
    client.force_login(user)
    assert client.get(report_url(meeting)).status_code == 404


def test_facilitator_sees_a_preview(client, facilitator, meeting, recorded):
    client.force_login(facilitator)
    response = client.get(report_url(meeting))
    assert response.status_code == 200
    assert "<em>agreed</em>" in response.content.decode()
    assert _(
        "Preview: the report is not published. Only the people running the meeting can see this page."
    ) in (response.content.decode())


def test_published_report_shows_minutes_contributions_and_figures(client, facilitator, meeting, recorded):
    client.force_login(facilitator)
    assert publish(client, meeting).status_code == 302
    meeting.refresh_from_db()
    assert meeting.report_is_published
    assert "<strong>talked</strong>" in meeting.report_html
    client.logout()

    response = client.get(report_url(meeting))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>talked</strong>" in page
    assert "<em>agreed</em>" in page
    assert recorded.idea.get_absolute_url() in page
    assert "Night buses to the station" in page
    assert facilitator.public_name in page
    figures = response.context["figures"]
    assert (figures.registered, figures.attended) == (2, 1)
    # No personal data of the registrations beyond who said what.
    assert "giulia@example.org" not in page
    assert recorded.registration.code not in page
    assert reverse("meetings:checkin", kwargs={"slug": meeting.slug}) not in page


def test_report_hides_a_contribution_hidden_by_moderation(client, facilitator, meeting, recorded):
    services.report_publish(actor=facilitator, meeting=meeting, report="Done.")
    recorded.idea.is_hidden = True
    recorded.idea.save()
    page = client.get(report_url(meeting)).content.decode()
    assert "Night buses" not in page
    assert recorded.idea.get_absolute_url() not in page


def test_unpublishing_hides_the_report_again(client, facilitator, meeting, recorded):
    client.force_login(facilitator)
    publish(client, meeting)
    assert publish(client, meeting, op="unpublish").status_code == 302
    meeting.refresh_from_db()
    assert not meeting.report_is_published
    assert meeting.report == "We met and **talked**."
    client.logout()
    assert client.get(report_url(meeting)).status_code == 404


def test_saving_a_draft_does_not_publish(client, facilitator, meeting):
    client.force_login(facilitator)
    assert publish(client, meeting, op="save").status_code == 302
    meeting.refresh_from_db()
    assert meeting.report == "We met and **talked**."
    assert not meeting.report_is_published


def test_saving_a_published_report_keeps_it_published(client, plan_office, meeting):
    client.force_login(plan_office)
    publish(client, meeting)
    meeting.refresh_from_db()
    published_at = meeting.report_published_at
    publish(client, meeting, text="Corrected.", op="save")
    meeting.refresh_from_db()
    assert (meeting.report, meeting.report_published_at) == ("Corrected.", published_at)


def test_citizen_and_other_facilitators_cannot_edit_the_report(client, user, meeting):
    stranger = UserFactory(roles=[Role.FACILITATOR])
    WorkingGroupFactory(facilitators=[stranger])
    for person in (user, stranger):
        client.force_login(person)
        assert client.get(edit_url(meeting)).status_code == 403
        assert publish(client, meeting).status_code == 403
    meeting.refresh_from_db()
    assert not meeting.report_is_published
    assert meeting.report == ""


def test_report_of_an_unpublished_meeting_is_404(client, facilitator, meeting):
    services.report_publish(actor=facilitator, meeting=meeting, report="Done.")
    meeting.is_published = False
    meeting.save()
    assert client.get(report_url(meeting)).status_code == 404


def test_report_queries_do_not_grow(client, facilitator, meeting, group, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.report_publish(actor=facilitator, meeting=meeting, report="Done.")
    rows = [{"text": f"Idea {n}.", "attribution": Attribution.UNREGISTERED} for n in range(2)]
    services.contributions_record(actor=facilitator, group=group, rows=rows)
    with CaptureQueriesContext(connection) as few:
        client.get(report_url(meeting))
    services.contributions_record(actor=facilitator, group=group, rows=rows * 10)
    WorkingGroupFactory(meeting=meeting, facilitators=[UserFactory(roles=[Role.FACILITATOR])])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(report_url(meeting)).status_code == 200


def test_a_wrong_file_of_the_minutes_can_be_removed(
    client, facilitator, group, django_capture_on_commit_callbacks
):
    services.minutes_save(actor=facilitator, group=group, minutes="Notes.", files=[pdf(), pdf("second.pdf")])
    wrong = group.attachments.get(original_name="second.pdf")
    path = wrong.file.path
    other_group = WorkingGroupFactory(facilitators=[UserFactory(roles=[Role.FACILITATOR])])
    client.force_login(other_group.facilitators.get())
    assert client.post(minutes_url(group), {"remove": wrong.pk}).status_code == 403

    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(minutes_url(group), {"remove": wrong.pk})

    assert response.status_code == 302
    assert list(group.attachments.values_list("original_name", flat=True)) == ["verbale.pdf"]
    assert not Path(path).exists()
    assert AuditEntry.objects.filter(code="meetings.minutes.attachment_removed").count() == 1
    assert client.post(minutes_url(group), {"remove": 999999}).status_code == 404


def test_more_files_than_allowed_are_refused_on_the_field(client, facilitator, group, settings):
    client.force_login(facilitator)
    files = [pdf(f"part-{n}.pdf") for n in range(settings.ATTACHMENTS_PER_IDEA + 1)]
    response = client.post(minutes_url(group), {"minutes": "Too many files.", "attachments": files})
    assert response.status_code == 400
    assert response.context["form"].errors["attachments"] == [
        _("At most %(count)d attachments per group.") % {"count": settings.ATTACHMENTS_PER_IDEA}
    ]
    assert not MinutesAttachment.objects.exists()
    group.refresh_from_db()
    assert group.minutes == ""


@pytest.mark.parametrize("pk", ["²", "①", "9" * 5000])
def test_removing_a_file_of_the_minutes_that_is_not_a_number_is_a_404(client, facilitator, group, pk):
    # str.isdigit() accepts "²" and "①", which int() refused with ValueError (a 500); so it did 5000 digits.
    services.minutes_save(actor=facilitator, group=group, minutes="Notes.", files=[pdf()])
    client.force_login(facilitator)

    assert client.post(minutes_url(group), {"remove": pk}).status_code == 404
    assert group.attachments.count() == 1
