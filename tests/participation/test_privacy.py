"""GDPR for participation: "download my data" holds what the person did; erasure anonymises the public record
(ideas and comments stay, signed "Former participant") and removes what is only about the person."""

import io
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from cittasmart.accounts import services as account_services
from cittasmart.participation import selectors, services
from cittasmart.participation.models import (
    Comment,
    EmailFrequency,
    Follow,
    Idea,
    IdeaAttachment,
    Notification,
    NotificationSettings,
    Report,
    Support,
)
from cittasmart.participation.notification_texts import describe
from tests.factories import CommentFactory, IdeaFactory, ProcessFactory, UserFactory
from tests.helpers import italian

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("my-street.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(plan_office):
    """Maria has used every part of participation; Luigi is someone else who must be left untouched."""
    process = ProcessFactory(title="Agenda Digitale")
    maria = UserFactory(display_name="Maria Rossi")
    luigi = UserFactory(display_name="Luigi Bianchi")
    others = [UserFactory() for _ in range(2)]

    idea = services.idea_create(
        user=maria,
        process=process,
        title="Wi-Fi in Piazza Duomo",
        body="Free Wi-Fi in the square in front of my house.",
        place_name="Piazza Duomo 3",
        latitude=Decimal("43.8808"),
        longitude=Decimal("11.0966"),
        files=[png()],
    )
    pending = IdeaFactory(process=process, author=maria, status="pending", title="Awaiting review")
    for person in others:
        services.support_add(user=person, idea=idea)
    answer = services.answer_save(actor=plan_office, idea=idea, outcome="rejected", text="Not this year.")

    luigi_idea = services.idea_create(
        user=luigi, process=process, title="Bus stop shelters", body="Shelters."
    )
    services.follow_set(user=maria, target=process, following=True)
    services.notification_settings_update(user=maria, email_frequency=EmailFrequency.IMMEDIATE)
    services.notification_settings_update(user=luigi, email_frequency=EmailFrequency.IMMEDIATE)
    comment = services.comment_create(user=maria, idea=luigi_idea, body="Yes, with benches.")
    reply = services.comment_create(user=luigi, idea=luigi_idea, body="Good point.", parent=comment)
    pending_comment = CommentFactory(idea=luigi_idea, author=maria, status="pending", body="Not yet public.")
    services.support_add(user=maria, idea=luigi_idea)
    services.comment_create(user=others[0], idea=idea, body="I would use it.")  # Maria is notified
    report = services.report_create(user=maria, reason="off_topic", details="Not about Prato.", comment=reply)
    return {
        "maria": maria,
        "luigi": luigi,
        "process": process,
        "idea": idea,
        "pending": pending,
        "answer": answer,
        "luigi_idea": luigi_idea,
        "comment": comment,
        "reply": reply,
        "pending_comment": pending_comment,
        "report": report,
    }


def test_export_holds_what_the_person_did(world):
    data = account_services.user_export_data(user=world["maria"])["participation"]

    ideas = {i["title"]: i for i in data["ideas"]}
    assert set(ideas) == {"Wi-Fi in Piazza Duomo", "Awaiting review"}
    mine = ideas["Wi-Fi in Piazza Duomo"]
    assert mine["body"] == "Free Wi-Fi in the square in front of my house."
    assert (mine["state"], mine["process"], mine["place"]) == (
        "answered",
        "Agenda Digitale",
        "Piazza Duomo 3",
    )
    assert mine["latitude"] == "43.880800" and mine["created_at"] and mine["published_at"]
    assert [a["name"] for a in mine["attachments"]] == ["my-street.png"]
    assert mine["official_answer"]["text"] == "Not this year."
    assert {c["body"] for c in data["comments"]} == {"Yes, with benches.", "Not yet public."}
    assert [s["idea"] for s in data["supports"]] == ["Bus stop shelters"]
    assert {(f["process"], f["idea"]) for f in data["follows"]} == {
        ("Agenda Digitale", None),
        (None, "Wi-Fi in Piazza Duomo"),
        (None, "Bus stop shelters"),
    }
    assert [(r["reason"], r["details"]) for r in data["reports"]] == [("off_topic", "Not about Prato.")]
    assert data["notification_settings"]["email_frequency"] == "immediate"
    assert {n["kind"] for n in data["notifications"]} == {"reply", "new_comment", "answered"}
    assert len(data["notifications"]) == Notification.objects.filter(recipient=world["maria"]).count() > 0


def test_export_of_someone_who_never_took_part_is_empty(user):
    data = account_services.user_export_data(user=user)["participation"]

    assert data["ideas"] == data["comments"] == data["supports"] == data["follows"] == data["reports"] == []
    assert data["notification_settings"] is None


def erase(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_erase(user=person)


def test_erasure_keeps_the_ideas_public_and_signed_former_participant(
    world, django_capture_on_commit_callbacks
):
    erase(world["maria"], django_capture_on_commit_callbacks)

    idea = Idea.objects.select_related("author", "answer").get(pk=world["idea"].pk)
    assert idea.title == "Wi-Fi in Piazza Duomo" and idea.status == "answered" and idea.is_public
    assert idea.answer.text == "Not this year."
    assert idea in selectors.ideas_visible(user=world["luigi"], process=world["process"])
    with translation.override("it"):
        assert italian("Former participant") == idea.author_label
    comment = Comment.objects.get(pk=world["comment"].pk)
    assert comment.body == "Yes, with benches." and comment.deleted_at is None
    assert Comment.objects.filter(pk=world["reply"].pk, parent=comment).exists()  # the thread still reads


def test_erasure_removes_the_place_and_the_attachments(world, _media, django_capture_on_commit_callbacks):
    stored = [a.file.path for a in IdeaAttachment.objects.filter(idea=world["idea"])]
    assert stored and all(os.path.exists(p) for p in stored)

    erase(world["maria"], django_capture_on_commit_callbacks)

    idea = Idea.objects.get(pk=world["idea"].pk)
    assert (idea.place_name, idea.latitude, idea.longitude) == ("", None, None)
    assert not IdeaAttachment.objects.filter(idea=idea).exists()
    assert not [p for p in _media.rglob("*") if p.is_file()]


def test_erasure_removes_what_is_only_about_the_person(world, django_capture_on_commit_callbacks):
    maria, luigi = world["maria"], world["luigi"]
    luigi_notifications = Notification.objects.filter(recipient=luigi).count()
    assert luigi_notifications > 0

    erase(maria, django_capture_on_commit_callbacks)

    assert not Follow.objects.filter(user=maria).exists()
    assert not Notification.objects.filter(recipient=maria).exists()
    assert not NotificationSettings.objects.filter(user=maria).exists()
    assert not Report.objects.filter(reporter=maria).exists()
    assert not Idea.objects.filter(pk=world["pending"].pk).exists()
    assert not Comment.objects.filter(pk=world["pending_comment"].pk).exists()
    # Someone else's things stay.
    assert Notification.objects.filter(recipient=luigi).count() == luigi_notifications
    assert NotificationSettings.objects.filter(user=luigi).exists()
    assert Follow.objects.filter(user=luigi).exists()


def test_erasure_keeps_the_supports_and_the_counters_equal_to_the_rows(
    world, django_capture_on_commit_callbacks
):
    erase(world["maria"], django_capture_on_commit_callbacks)

    luigi_idea = Idea.objects.get(pk=world["luigi_idea"].pk)
    assert Support.objects.filter(user=world["maria"], idea=luigi_idea).exists()
    assert luigi_idea.support_count == Support.objects.filter(idea=luigi_idea).count() == 1
    assert services.counters_recompute() == 0


def test_others_notifications_name_the_erased_actor_as_former_participant(
    world, django_capture_on_commit_callbacks
):
    reply_to_luigi = services.comment_create(
        user=world["maria"], idea=world["luigi_idea"], body="Also lights."
    )
    services.follow_set(user=world["luigi"], target=world["luigi_idea"], following=True)
    assert Notification.objects.filter(comment=reply_to_luigi, recipient=world["luigi"]).exists()

    erase(world["maria"], django_capture_on_commit_callbacks)

    notification = (
        Notification.objects.select_related("actor", "idea__process", "process")
        .filter(recipient=world["luigi"], comment=reply_to_luigi)
        .get()
    )
    with translation.override("it"):
        text = describe(notification).text
        assert str(translation.gettext("Former participant")) in text
    assert "Maria Rossi" not in text
