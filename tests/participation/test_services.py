"""The services of participation: every write, what it leaves behind, and that a refused write leaves nothing.

``refused(...)`` wraps every refusal: it snapshots the rows (and the counters, states and texts) of every
participation table and of the audit log, and asserts they are exactly the same after the refusal.
"""

import datetime
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cittasmart.core.models import AuditEntry
from cittasmart.participation import services
from cittasmart.participation.models import (
    Block,
    Comment,
    Follow,
    Idea,
    IdeaAnswer,
    IdeaAttachment,
    Notification,
    Phase,
    ProcessAmbito,
    Report,
    Support,
)
from tests.factories import (
    ActionFactory,
    CommentFactory,
    IdeaFactory,
    OrganisationFactory,
    ProcessFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db


# --- Helpers --------------------------------------------------------------------------------------------


def process_in(kind: str = "collecting", **fields):
    """A published process whose only phase, around today (local date), is of ``kind``."""
    process = ProcessFactory(phase="", **fields)
    today = timezone.localdate()
    Phase.objects.create(
        process=process,
        kind=kind,
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=3),
    )
    return process


def move_phase(process, kind: str) -> None:
    Phase.objects.filter(process=process).update(kind=kind)
    process.refresh_from_db()


def fresh(user):
    """The person as the next request loads them (roles and block not cached)."""
    return type(user).objects.get(pk=user.pk)


def state() -> dict:
    """Everything a participation write could touch."""
    return {
        "ideas": list(
            Idea.objects.order_by("pk").values_list(
                "pk",
                "title",
                "body",
                "body_html",
                "status",
                "is_hidden",
                "support_count",
                "comment_count",
                "organisation_id",
                "latitude",
                "longitude",
                "ambito",
            )
        ),
        "comments": list(
            Comment.objects.order_by("pk").values_list("pk", "body", "status", "is_hidden", "deleted_at")
        ),
        "answers": list(IdeaAnswer.objects.order_by("pk").values_list("pk", "outcome", "text")),
        "answer_actions": list(
            IdeaAnswer.actions.through.objects.order_by("pk").values_list("pk", flat=True)
        ),
        "attachments": IdeaAttachment.objects.count(),
        "supports": Support.objects.count(),
        "follows": Follow.objects.count(),
        "notifications": Notification.objects.count(),
        "reports": list(Report.objects.order_by("pk").values_list("pk", "resolved_at")),
        "blocks": Block.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@contextmanager
def refused(exception=(ValidationError, PermissionDenied)):
    before = state()
    with pytest.raises(exception) as info:
        yield info
    assert state() == before, "a refused write left something behind"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def published_action():
    action = ActionFactory()
    publish(action.version)
    action.refresh_from_db()
    return action


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def process():
    return process_in("collecting")


@pytest.fixture
def idea(process):
    author = UserFactory()
    return services.idea_create(user=author, process=process, title="More trains", body="To Florence.")


# --- Ideas ----------------------------------------------------------------------------------------------


def test_idea_create_publishes_sanitised_markdown_and_the_author_follows(process, user):
    follower = UserFactory()
    services.follow_set(user=follower, target=process, following=True)

    idea = services.idea_create(
        user=user,
        process=process,
        title="A bike lane",
        body="**Safer** streets <script>alert(1)</script> [x](javascript:alert(1))",
    )

    idea.refresh_from_db()
    assert idea.status == "published" and idea.published_at is not None
    assert idea.author == user and idea.process == process
    assert "<strong>Safer</strong>" in idea.body_html
    assert "<script" not in idea.body_html and "javascript:" not in idea.body_html
    assert idea.body.startswith("**Safer**")  # the source is kept as written
    assert Follow.objects.filter(user=user, idea=idea).count() == 1
    assert list(Notification.objects.values_list("recipient", "kind", "idea")) == [
        (follower.pk, "new_idea", idea.pk)
    ]


def test_idea_create_refused_where_the_phase_does_not_allow_proposals(user):
    for kind in ("information", "evaluation", "feedback"):
        process = process_in(kind)
        with refused(PermissionDenied):
            services.idea_create(user=user, process=process, title="Late", body="Too late.")


def test_idea_create_refused_in_an_unpublished_process(user):
    process = process_in("collecting", is_published=False)

    with refused(PermissionDenied):
        services.idea_create(user=user, process=process, title="Early", body="Too early.")


def test_the_ambito_must_be_one_of_the_process(process, user):
    ProcessAmbito.objects.create(process=process, ambito="mobility")
    ProcessAmbito.objects.create(process=process, ambito="environment")

    with refused(ValidationError) as info:
        services.idea_create(user=user, process=process, title="Wifi", body="Free wifi.", ambito="ict")
    assert "ambito" in info.value.message_dict

    idea = services.idea_create(
        user=user, process=process, title="Buses", body="More buses.", ambito="mobility"
    )
    assert Idea.objects.get(pk=idea.pk).ambito == "mobility"


def test_an_unknown_ambito_is_refused_even_when_the_process_has_none(process, user):
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="X", body="Y", ambito="not-an-ambito")


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": Decimal("43.88")},
        {"longitude": Decimal("11.09")},
        {"latitude": Decimal("91"), "longitude": Decimal("11.09")},
        {"latitude": Decimal("43.88"), "longitude": Decimal("-181")},
    ],
)
def test_location_needs_both_coordinates_in_range(process, user, location):
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="Here", body="Here.", **location)


def test_location_with_both_coordinates_is_kept(process, user):
    idea = services.idea_create(
        user=user,
        process=process,
        title="Here",
        body="Here.",
        latitude=Decimal("43.880500"),
        longitude=Decimal("11.096800"),
        place_name="Piazza del Comune",
    )

    idea.refresh_from_db()
    assert (idea.latitude, idea.longitude, idea.place_name) == (
        Decimal("43.880500"),
        Decimal("11.096800"),
        "Piazza del Comune",
    )


def test_on_behalf_only_of_own_organisations(process, organisation, member):
    other = OrganisationFactory()

    with refused(ValidationError) as info:
        services.idea_create(user=member, process=process, title="X", body="Y", organisation=other)
    assert "organisation" in info.value.message_dict

    idea = services.idea_create(user=member, process=process, title="X", body="Y", organisation=organisation)
    assert Idea.objects.get(pk=idea.pk).organisation == organisation


def test_an_empty_or_too_long_idea_is_refused(process, user):
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="", body="Text.")
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="Title", body="")
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="x" * 151, body="Text.")
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="   ", body="Text.")
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="Title", body=" \n\t ")


def test_idea_text_is_stored_trimmed(process, user):
    idea = services.idea_create(user=user, process=process, title="  Trains  ", body="\nMore trains.\n\n")

    idea.refresh_from_db()
    assert (idea.title, idea.body) == ("Trains", "More trains.")


def test_first_post_review_holds_the_first_posts_until_one_is_approved(user, moderator):
    process = process_in("collecting", first_post_review=True)
    follower = UserFactory()
    services.follow_set(user=follower, target=process, following=True)

    first = services.idea_create(user=user, process=process, title="First", body="First.")
    second = services.idea_create(user=user, process=process, title="Second", body="Second.")

    assert Idea.objects.get(pk=first.pk).status == "pending"
    assert Idea.objects.get(pk=first.pk).published_at is None
    assert Idea.objects.get(pk=second.pk).status == "pending"  # nothing approved yet
    assert not Notification.objects.filter(recipient=follower).exists()

    services.first_post_approve(actor=moderator, idea=first)
    third = services.idea_create(user=user, process=process, title="Third", body="Third.")

    assert Idea.objects.get(pk=first.pk).status == "published"
    assert Idea.objects.get(pk=third.pk).status == "published"
    assert Notification.objects.filter(recipient=follower, kind="new_idea").count() == 2  # first, third
    assert Notification.objects.filter(recipient=user, kind="approved").count() == 1


def test_first_post_review_is_per_process(user):
    reviewed = process_in("collecting", first_post_review=True)
    open_process = process_in("collecting")
    services.idea_create(user=user, process=open_process, title="Elsewhere", body="Elsewhere.")

    idea = services.idea_create(user=user, process=reviewed, title="Here", body="Here.")

    assert Idea.objects.get(pk=idea.pk).status == "pending"


def test_a_rejected_first_post_stays_hidden_and_pending(user, moderator):
    process = process_in("collecting", first_post_review=True)
    idea = services.idea_create(user=user, process=process, title="Spam", body="Buy now.")

    services.first_post_reject(actor=moderator, idea=idea, reason="Advertising")

    idea.refresh_from_db()
    assert (idea.status, idea.is_hidden, idea.hidden_reason) == ("pending", True, "Advertising")
    again = services.idea_create(user=user, process=process, title="Again", body="Again.")
    assert Idea.objects.get(pk=again.pk).status == "pending"  # a rejected post does not open the gate


def test_first_post_review_holds_the_first_comment(user, moderator):
    process = process_in("collecting", first_post_review=True)
    idea = IdeaFactory(process=process)

    comment = services.comment_create(user=user, idea=idea, body="First comment.")

    assert Comment.objects.get(pk=comment.pk).status == "pending"
    assert Idea.objects.get(pk=idea.pk).comment_count == 0

    services.first_post_approve(actor=moderator, comment=comment)
    second = services.comment_create(user=user, idea=idea, body="Second comment.")

    assert Comment.objects.get(pk=second.pk).status == "published"
    assert Idea.objects.get(pk=idea.pk).comment_count == 2


def test_attachments_are_stored_and_bad_ones_refused(process, user, _media):
    idea = services.idea_create(user=user, process=process, title="Photo", body="See.", files=[png()])
    assert list(idea.attachments.values_list("kind", "content_type", "original_name")) == [
        ("image", "image/png", "photo.png")
    ]

    fake = SimpleUploadedFile(
        "photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    with refused(ValidationError) as info:
        services.idea_create(user=user, process=process, title="Fake", body="Fake.", files=[fake])
    assert "attachments" in info.value.message_dict


def test_too_many_attachments_are_refused(process, user, settings):
    settings.ATTACHMENTS_PER_IDEA = 2

    with refused(ValidationError):
        services.idea_create(
            user=user, process=process, title="Photos", body="See.", files=[png(), png(), png()]
        )


def test_a_refused_upload_leaves_no_file_behind(process, user, _media):
    bad = SimpleUploadedFile("doc.png", b"not an image at all", content_type="image/png")

    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="X", body="Y", files=[png(), bad])

    assert not [p for p in _media.rglob("*") if p.is_file()]


def test_idea_update_only_while_untouched(idea):
    author = idea.author

    services.idea_update(user=author, idea=idea, title="More trains, please", body="To *Florence*.")

    idea.refresh_from_db()
    assert idea.title == "More trains, please"
    assert "<em>Florence</em>" in idea.body_html

    services.support_add(user=UserFactory(), idea=idea)
    with refused(PermissionDenied):
        services.idea_update(user=author, idea=idea, title="Changed after a support")


def test_idea_update_refused_after_a_comment(idea):
    services.comment_create(user=UserFactory(), idea=idea, body="Good idea.")

    with refused(PermissionDenied):
        services.idea_update(user=idea.author, idea=idea, title="Changed after a comment")


def test_idea_update_refused_to_others_and_after_collecting(idea, user):
    with refused(PermissionDenied):
        services.idea_update(user=user, idea=idea, title="Not mine")

    move_phase(idea.process, "evaluation")
    with refused(PermissionDenied):
        services.idea_update(user=idea.author, idea=Idea.objects.get(pk=idea.pk), title="Too late")


def test_idea_update_validates_like_create(idea):
    with refused(ValidationError):
        services.idea_update(user=idea.author, idea=idea, latitude=Decimal("45"))
    with refused(ValidationError):
        services.idea_update(user=idea.author, idea=idea, organisation=OrganisationFactory())


def test_withdraw(idea, user):
    follower = UserFactory()
    services.follow_set(user=follower, target=idea, following=True)

    with refused(PermissionDenied):
        services.idea_withdraw(user=user, idea=idea)

    services.idea_withdraw(user=idea.author, idea=idea)

    idea.refresh_from_db()
    assert idea.status == "withdrawn" and idea.withdrawn_at is not None
    assert Notification.objects.filter(recipient=follower, kind="status", idea=idea).count() == 1
    with refused(PermissionDenied):
        services.idea_withdraw(user=idea.author, idea=idea)
    with refused(PermissionDenied):
        services.support_add(user=user, idea=idea)


def test_set_evaluating(idea, plan_office, user):
    with refused(PermissionDenied):
        services.idea_set_evaluating(actor=user, idea=idea)

    services.idea_set_evaluating(actor=plan_office, idea=idea)

    assert Idea.objects.get(pk=idea.pk).status == "evaluating"
    assert AuditEntry.objects.filter(code="participation.idea.evaluating", actor=plan_office).count() == 1
    assert Notification.objects.filter(recipient=idea.author, kind="status").count() == 1
    with refused(ValidationError):
        services.idea_set_evaluating(actor=plan_office, idea=idea)


# --- Answers --------------------------------------------------------------------------------------------


def test_answer_needs_actions_of_a_published_plan_when_accepted(idea, plan_office):
    draft_action = ActionFactory()

    with refused(ValidationError) as info:
        services.answer_save(actor=plan_office, idea=idea, outcome="accepted", text="Yes.")
    assert "actions" in info.value.message_dict
    with refused(ValidationError) as info:
        services.answer_save(
            actor=plan_office, idea=idea, outcome="accepted", text="Yes.", actions=[draft_action]
        )
    assert "actions" in info.value.message_dict


@pytest.mark.parametrize(("outcome", "text"), [("bogus", "Text."), ("rejected", ""), ("rejected", "   ")])
def test_answer_with_bad_outcome_or_text_is_refused(idea, plan_office, outcome, text):
    with refused(ValidationError):
        services.answer_save(actor=plan_office, idea=idea, outcome=outcome, text=text)


def test_answer_and_revision_keep_one_answer(idea, plan_office):
    action = published_action()
    follower = UserFactory()
    services.follow_set(user=follower, target=idea, following=True)

    answer = services.answer_save(
        actor=plan_office, idea=idea, outcome="accepted", text="It fed **PR-V1**.", actions=[action]
    )

    idea.refresh_from_db()
    assert idea.status == "answered"
    assert (answer.outcome, answer.answered_by) == ("accepted", plan_office)
    assert "<strong>" in answer.text_html
    assert list(answer.actions.all()) == [action]
    assert Notification.objects.filter(recipient=follower, kind="answered").count() == 1
    assert AuditEntry.objects.filter(code="participation.idea.answered").count() == 1

    revised = services.answer_save(
        actor=plan_office, idea=idea, outcome="rejected", text="On second thought."
    )

    assert IdeaAnswer.objects.filter(idea=idea).count() == 1
    assert revised.pk == answer.pk
    assert revised.outcome == "rejected" and list(revised.actions.all()) == []
    assert Idea.objects.get(pk=idea.pk).status == "answered"
    assert AuditEntry.objects.filter(code="participation.idea.answer_changed").count() == 1


def test_answer_refused_to_people_who_are_not_the_plan_office(idea, user, moderator, administrator):
    for actor in (user, moderator, administrator, idea.author):
        with refused(PermissionDenied):
            services.answer_save(actor=actor, idea=idea, outcome="rejected", text="No.")


def test_answer_refused_outside_its_phases_and_on_closed_ideas(plan_office):
    information = IdeaFactory(process=process_in("information"))
    with refused(PermissionDenied):
        services.answer_save(actor=plan_office, idea=information, outcome="rejected", text="No.")

    process = process_in("feedback")
    for idea in (
        IdeaFactory(process=process, status="withdrawn"),
        IdeaFactory(process=process, status="pending"),
        IdeaFactory(process=process, is_hidden=True),
    ):
        with refused(PermissionDenied):
            services.answer_save(actor=plan_office, idea=idea, outcome="rejected", text="No.")

    answered = services.answer_save(
        actor=plan_office, idea=IdeaFactory(process=process), outcome="rejected", text="No."
    )
    assert answered.idea.status == "answered"


# --- Comments -------------------------------------------------------------------------------------------


def test_comment_and_reply(idea, user):
    replier = UserFactory()

    comment = services.comment_create(user=user, idea=idea, body="  Good idea.  ")
    reply = services.comment_create(user=replier, idea=idea, body="Agreed.", parent=comment)

    idea.refresh_from_db()
    assert idea.comment_count == 2
    assert Comment.objects.get(pk=comment.pk).body == "Good idea."
    assert reply.parent == comment
    assert Follow.objects.filter(idea=idea, user__in=[user, replier]).count() == 2
    assert Notification.objects.filter(recipient=user, kind="reply", comment=reply).count() == 1
    assert Notification.objects.filter(recipient=idea.author, kind="new_comment").count() == 2
    assert not Notification.objects.filter(recipient=replier).exists()  # not told of their own reply


def test_replying_to_a_reply_is_refused(idea, user):
    comment = services.comment_create(user=user, idea=idea, body="Good idea.")
    reply = services.comment_create(user=UserFactory(), idea=idea, body="Agreed.", parent=comment)

    with refused(PermissionDenied):
        services.comment_create(user=user, idea=idea, body="Deeper.", parent=reply)


def test_a_reply_must_be_on_the_same_idea(idea, user, process):
    comment = services.comment_create(user=user, idea=idea, body="Good idea.")
    other_idea = IdeaFactory(process=process)

    with refused(ValidationError):
        services.comment_create(user=user, idea=other_idea, body="Misplaced.", parent=comment)


@pytest.mark.parametrize("body", ["", "   \n "])
def test_empty_comments_are_refused(idea, user, body):
    with refused(ValidationError):
        services.comment_create(user=user, idea=idea, body=body)


def test_a_too_long_idea_body_is_refused(process, user):
    with refused(ValidationError):
        services.idea_create(user=user, process=process, title="Long", body="x" * 10001)


def test_a_too_long_comment_is_refused(idea, user):
    with refused(ValidationError):
        services.comment_create(user=user, idea=idea, body="x" * 3001)


def test_a_too_long_answer_is_refused(idea, plan_office):
    with refused(ValidationError):
        services.answer_save(actor=plan_office, idea=idea, outcome="rejected", text="x" * 10001)


def test_too_long_report_details_are_refused(idea, user):
    with refused(ValidationError):
        services.report_create(user=user, idea=idea, reason="other", details="x" * 2001)


def test_comment_on_behalf_only_of_own_organisations(idea, member, organisation):
    with refused(ValidationError):
        services.comment_create(user=member, idea=idea, body="We agree.", organisation=OrganisationFactory())

    comment = services.comment_create(user=member, idea=idea, body="We agree.", organisation=organisation)
    assert comment.organisation == organisation


def test_comments_closed_outside_their_phases(user):
    closed = IdeaFactory(process=process_in("information"))
    with refused(PermissionDenied):
        services.comment_create(user=user, idea=closed, body="Hello.")

    for kind in ("evaluation", "feedback"):
        idea = IdeaFactory(process=process_in(kind))
        services.comment_create(user=user, idea=idea, body="Hello.")
        assert Idea.objects.get(pk=idea.pk).comment_count == 1


def backdate(comment, minutes: int) -> Comment:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    return Comment.objects.get(pk=comment.pk)


def test_comment_update_within_the_window_only(idea, user, settings):
    settings.COMMENT_EDIT_MINUTES = 15
    comment = services.comment_create(user=user, idea=idea, body="Good idae.")

    comment = backdate(comment, 14)
    services.comment_update(user=user, comment=comment, body="Good idea.")
    comment.refresh_from_db()
    assert comment.body == "Good idea." and comment.edited_at is not None

    comment = backdate(comment, 16)
    with refused(PermissionDenied):
        services.comment_update(user=user, comment=comment, body="Changed later.")


def test_comment_update_refused_to_others_and_when_empty(idea, user):
    comment = services.comment_create(user=user, idea=idea, body="Good idea.")

    with refused(PermissionDenied):
        services.comment_update(user=UserFactory(), comment=comment, body="Not mine.")
    with refused(ValidationError):
        services.comment_update(user=user, comment=comment, body="   ")


def test_comment_delete_keeps_the_row_and_fixes_the_counter(idea, user):
    comment = services.comment_create(user=user, idea=idea, body="Good idea.")
    reply = services.comment_create(user=UserFactory(), idea=idea, body="Agreed.", parent=comment)
    assert Idea.objects.get(pk=idea.pk).comment_count == 2

    with refused(PermissionDenied):
        services.comment_delete(user=UserFactory(), comment=comment)
    services.comment_delete(user=user, comment=comment)

    comment.refresh_from_db()
    assert comment.deleted_at is not None and comment.body == ""
    assert Comment.objects.filter(pk=reply.pk, parent=comment).exists()
    assert Idea.objects.get(pk=idea.pk).comment_count == 1
    with refused(PermissionDenied):
        services.comment_delete(user=user, comment=comment)


def test_deleting_a_pending_comment_does_not_change_the_counter(user, moderator):
    process = process_in("collecting", first_post_review=True)
    idea = IdeaFactory(process=process)
    comment = services.comment_create(user=user, idea=idea, body="Waiting.")

    services.comment_delete(user=user, comment=comment)

    assert Idea.objects.get(pk=idea.pk).comment_count == 0


# --- Supports and follows -------------------------------------------------------------------------------


def test_support_add_and_remove_keep_the_counter_equal_to_the_rows(idea, user):
    other = UserFactory()

    assert services.support_add(user=user, idea=idea) is True
    assert services.support_add(user=user, idea=idea) is False
    assert services.support_add(user=other, idea=idea) is True
    assert Idea.objects.get(pk=idea.pk).support_count == 2 == Support.objects.filter(idea=idea).count()

    assert services.support_remove(user=user, idea=idea) is True
    assert services.support_remove(user=user, idea=idea) is False
    assert Idea.objects.get(pk=idea.pk).support_count == 1 == Support.objects.filter(idea=idea).count()


def test_support_leaves_the_count_of_the_database_on_the_idea(idea, user):
    """The support box shows the count read back in the support's transaction: other people's supports since
    the idea was read are in it, and a refused second support leaves the count as it was."""
    seen = Idea.objects.get(pk=idea.pk)
    services.support_add(user=UserFactory(), idea=idea)  # someone else, after ``seen`` was read

    assert services.support_add(user=user, idea=seen) is True
    assert seen.support_count == 2
    assert services.support_add(user=user, idea=seen) is False
    assert seen.support_count == 2
    assert services.support_remove(user=user, idea=seen) is True
    assert seen.support_count == 1


def test_supports_close_with_the_collecting_phase_but_can_still_be_withdrawn(idea, user):
    services.support_add(user=user, idea=idea)
    move_phase(idea.process, "evaluation")
    idea = Idea.objects.get(pk=idea.pk)

    with refused(PermissionDenied):
        services.support_add(user=UserFactory(), idea=idea)
    assert services.support_remove(user=user, idea=idea) is True
    assert Idea.objects.get(pk=idea.pk).support_count == 0


def test_supports_refused_to_anonymous_and_on_answered_ideas(idea, plan_office, user):
    from django.contrib.auth.models import AnonymousUser

    with refused(PermissionDenied):
        services.support_add(user=AnonymousUser(), idea=idea)
    services.answer_save(actor=plan_office, idea=idea, outcome="rejected", text="No.")
    with refused(PermissionDenied):
        services.support_add(user=user, idea=Idea.objects.get(pk=idea.pk))


def test_follow_set_is_idempotent(idea, process, user):
    assert services.follow_set(user=user, target=idea, following=True) is True
    assert services.follow_set(user=user, target=idea, following=True) is True
    assert services.follow_set(user=user, target=process, following=True) is True
    assert services.follow_set(user=user, target=process, following=True) is True
    assert Follow.objects.filter(user=user, idea=idea).count() == 1
    assert Follow.objects.filter(user=user, process=process).count() == 1

    assert services.follow_set(user=user, target=idea, following=False) is False
    assert services.follow_set(user=user, target=idea, following=False) is False
    assert not Follow.objects.filter(user=user, idea=idea).exists()
    assert Follow.objects.filter(user=user, process=process).count() == 1


def test_follow_needs_a_login(idea):
    from django.contrib.auth.models import AnonymousUser

    with refused(PermissionDenied):
        services.follow_set(user=AnonymousUser(), target=idea, following=True)


# --- Moderation -----------------------------------------------------------------------------------------


def test_report_once(idea, user):
    comment = services.comment_create(user=UserFactory(), idea=idea, body="Rude words.")

    services.report_create(user=user, idea=idea, reason="spam", details="  Advert.  ")
    services.report_create(user=user, comment=comment, reason="offensive")
    with refused(ValidationError):
        services.report_create(user=user, idea=idea, reason="other")
    with refused(ValidationError):
        services.report_create(user=user, comment=comment, reason="other")

    assert Report.objects.filter(reporter=user).count() == 2
    assert Report.objects.get(reporter=user, idea=idea).details == "Advert."
    services.report_create(user=UserFactory(), idea=idea, reason="spam")  # others still can
    assert Report.objects.filter(idea=idea).count() == 2


def test_report_with_a_bad_reason_is_refused(idea, user):
    with refused(ValidationError):
        services.report_create(user=user, idea=idea, reason="i-do-not-like-it")


def test_hide_and_unhide_a_comment(idea, user, moderator):
    comment = services.comment_create(user=user, idea=idea, body="Rude words.")
    other = services.comment_create(user=UserFactory(), idea=idea, body="Fine words.")
    services.report_create(user=UserFactory(), comment=comment, reason="offensive")
    services.report_create(user=UserFactory(), comment=comment, reason="offensive")
    untouched_report = services.report_create(user=UserFactory(), comment=other, reason="spam")
    assert Idea.objects.get(pk=idea.pk).comment_count == 2

    with refused(PermissionDenied):
        services.content_hide(actor=user, comment=comment, reason="No.")
    with refused(ValidationError):
        services.content_hide(actor=moderator, comment=comment, reason="   ")
    services.content_hide(actor=moderator, comment=comment, reason="Insults")

    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Insults"
    assert Idea.objects.get(pk=idea.pk).comment_count == 1
    reports = Report.objects.filter(comment=comment)
    assert {(r.resolution, r.resolved_by_id) for r in reports} == {("hidden", moderator.pk)}
    assert all(r.resolved_at for r in reports)
    assert Report.objects.get(pk=untouched_report.pk).resolved_at is None
    assert Notification.objects.filter(recipient=user, kind="hidden", reason="Insults").count() == 1
    assert AuditEntry.objects.filter(code="participation.comment.hidden", actor=moderator).count() == 1
    with refused(ValidationError):
        services.content_hide(actor=moderator, comment=comment, reason="Again")

    services.content_unhide(actor=moderator, comment=comment, reason="Misunderstanding")

    comment.refresh_from_db()
    assert not comment.is_hidden and comment.hidden_reason == ""
    assert Idea.objects.get(pk=idea.pk).comment_count == 2
    assert Notification.objects.filter(recipient=user, kind="unhidden").count() == 1
    with refused(ValidationError):
        services.content_unhide(actor=moderator, comment=comment, reason="Again")


def test_hiding_a_deleted_comment_does_not_touch_the_counter(idea, user, moderator):
    comment = services.comment_create(user=user, idea=idea, body="Oops.")
    services.comment_delete(user=user, comment=comment)
    assert Idea.objects.get(pk=idea.pk).comment_count == 0

    services.content_hide(actor=moderator, comment=comment, reason="Insults")
    assert Idea.objects.get(pk=idea.pk).comment_count == 0
    services.content_unhide(actor=moderator, comment=comment, reason="Fine")
    assert Idea.objects.get(pk=idea.pk).comment_count == 0


def test_hide_and_unhide_an_idea(idea, moderator, user):
    services.report_create(user=user, idea=idea, reason="spam")

    services.content_hide(actor=moderator, idea=idea, reason="Advertising")

    idea.refresh_from_db()
    assert idea.is_hidden and idea.hidden_reason == "Advertising" and not idea.is_public
    assert Report.objects.get(idea=idea).resolution == "hidden"
    assert Notification.objects.filter(recipient=idea.author, kind="hidden").count() == 1
    with refused(PermissionDenied):
        services.comment_create(user=user, idea=idea, body="Hello?")

    services.content_unhide(actor=moderator, idea=idea, reason="A real proposal")
    assert Idea.objects.get(pk=idea.pk).is_public


def test_reports_dismiss(idea, user, moderator):
    services.report_create(user=user, idea=idea, reason="spam")

    with refused(PermissionDenied):
        services.reports_dismiss(actor=user, idea=idea)
    assert services.reports_dismiss(actor=moderator, idea=idea) == 1

    report = Report.objects.get(idea=idea)
    assert report.resolution == "dismissed" and report.resolved_by == moderator
    assert not Idea.objects.get(pk=idea.pk).is_hidden


def test_user_block_prevents_participation(idea, process, user, moderator):
    services.support_add(user=user, idea=idea)
    unsupported = IdeaFactory(process=process)

    with refused(PermissionDenied):
        services.user_block(actor=user, user=moderator, reason="Revenge")
    with refused(ValidationError):
        services.user_block(actor=moderator, user=user, reason="  ")
    with refused(ValidationError):
        services.user_block(actor=moderator, user=moderator, reason="Oops")
    services.user_block(actor=moderator, user=user, reason="Insults")
    with refused(ValidationError):
        services.user_block(actor=moderator, user=user, reason="Again")
    assert AuditEntry.objects.filter(code="participation.user.blocked").count() == 1

    blocked = fresh(user)
    with refused(PermissionDenied):
        services.idea_create(user=blocked, process=process, title="Again", body="Again.")
    with refused(PermissionDenied):
        services.comment_create(user=blocked, idea=idea, body="Again.")
    with refused(PermissionDenied):
        services.support_add(user=blocked, idea=unsupported)
    with refused(PermissionDenied):
        services.report_create(user=blocked, idea=idea, reason="spam")
    # What they already did can be undone by them: the support goes, the counter follows.
    assert services.support_remove(user=blocked, idea=idea) is True
    assert Idea.objects.get(pk=idea.pk).support_count == 0

    services.user_unblock(actor=moderator, user=user, reason="Apologised")
    services.comment_create(user=fresh(user), idea=idea, body="Sorry.")
    with refused(ValidationError):
        services.user_unblock(actor=moderator, user=user)


# --- Counters -------------------------------------------------------------------------------------------


def test_counters_recompute_repairs_drifted_counters(idea, process, moderator):
    people = UserFactory.create_batch(3)
    for person in people:
        services.support_add(user=person, idea=idea)
    live = services.comment_create(user=people[0], idea=idea, body="Live.")
    deleted = services.comment_create(user=people[1], idea=idea, body="Deleted.")
    hidden = services.comment_create(user=people[2], idea=idea, body="Hidden.")
    services.comment_delete(user=people[1], comment=deleted)
    services.content_hide(actor=moderator, comment=hidden, reason="Insults")
    CommentFactory(idea=idea, status="pending")  # awaiting review: never counted
    other_process = process_in("collecting")
    elsewhere = IdeaFactory(process=other_process, support_count=7)
    fine = IdeaFactory(process=process)
    assert live.counts

    Idea.objects.filter(pk=idea.pk).update(support_count=99, comment_count=0)

    assert services.counters_recompute(process=process) == 1
    idea.refresh_from_db()
    assert (idea.support_count, idea.comment_count) == (3, 1)
    assert Idea.objects.get(pk=elsewhere.pk).support_count == 7  # another process: untouched
    assert Idea.objects.get(pk=fine.pk).support_count == 0
    assert services.counters_recompute(process=process) == 0

    assert services.counters_recompute() == 1
    assert Idea.objects.get(pk=elsewhere.pk).support_count == 0
