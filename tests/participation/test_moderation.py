"""The moderators' pages: the queue, hiding and showing again with a reason, dismissing reports, reviewing first
posts, blocking and unblocking people. Every operation is audited and the authors are told."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cittasmart.core.models import AuditEntry
from cittasmart.participation import selectors, services, traceability
from cittasmart.participation.models import (
    Block,
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
    Report,
    ReportResolution,
    Support,
)
from cittasmart.participation.selectors import IdeaFilters
from tests.factories import CommentFactory, IdeaFactory, ProcessFactory, UserFactory

pytestmark = pytest.mark.django_db


def report(target, *, reason="spam", reporter=None, **extra) -> Report:
    field = "idea" if isinstance(target, Idea) else "comment"
    return Report.objects.create(
        reporter=reporter or UserFactory(), reason=reason, **{field: target}, **extra
    )


def idea_url(idea):
    return reverse("participation:moderate_idea", kwargs={"pk": idea.pk})


def comment_url(comment):
    return reverse("participation:moderate_comment", kwargs={"pk": comment.pk})


def audited(code: str, obj) -> AuditEntry | None:
    return AuditEntry.objects.filter(code=code, object_id=str(obj.pk)).first()


# --- Access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["user", "plan_office", "administrator"])
def test_only_moderators_get_in(client, request, role):
    idea = IdeaFactory()
    comment = CommentFactory(idea=idea)
    report(idea)
    person = UserFactory()
    client.force_login(request.getfixturevalue(role))
    for url in [
        reverse("participation:moderation"),
        idea_url(idea),
        comment_url(comment),
        reverse("participation:blocks"),
        reverse("participation:moderate_person", kwargs={"pk": person.pk}),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(idea_url(idea), {"op": "hide", "hide-reason": "Spam"}).status_code == 403
    assert client.post(comment_url(comment), {"op": "hide", "hide-reason": "Spam"}).status_code == 403
    assert client.post(idea_url(idea), {"op": "dismiss"}).status_code == 403
    assert (
        client.post(
            reverse("participation:moderate_person", kwargs={"pk": person.pk}),
            {"op": "block", "block-reason": "Spam"},
        ).status_code
        == 403
    )
    idea.refresh_from_db()
    comment.refresh_from_db()
    assert not idea.is_hidden and not comment.is_hidden
    assert not Block.objects.exists()
    assert Report.objects.filter(resolved_at__isnull=True).count() == 1


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("participation:moderation"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- The queue ------------------------------------------------------------------------------------------


def test_reported_tab_groups_reports_per_content_oldest_first(client, moderator):
    old_idea = IdeaFactory(title="Old reported idea")
    new_idea = IdeaFactory(title="New reported idea")
    comment = CommentFactory(idea=new_idea, body="A rude comment")
    IdeaFactory(title="Nobody reported me")
    dismissed = IdeaFactory(title="Already dismissed")
    first = report(old_idea, reason="spam")
    report(old_idea, reason="spam")
    report(old_idea, reason="offensive")
    Report.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    report(new_idea)
    report(comment, reason="offensive")
    report(dismissed, resolved_at=timezone.now(), resolution=ReportResolution.DISMISSED)
    client.force_login(moderator)
    response = client.get(reverse("participation:moderation"))
    assert response.status_code == 200
    items = response.context["items"]
    assert items[0].target == old_idea
    assert {(item.kind, item.pk) for item in items} == {
        ("idea", old_idea.pk),
        ("idea", new_idea.pk),
        ("comment", comment.pk),
    }
    old = items[0]
    assert old.report_count == 3
    assert sorted(count for _label, count in old.reasons) == [1, 2]
    content = response.content.decode()
    assert idea_url(old_idea) in content and comment_url(comment) in content
    assert "A rude comment" in content
    assert "Nobody reported me" not in content and "Already dismissed" not in content
    assert response.context["counts"]["reported"] == 3
    assert response.context["counts"]["open_reports"] == 5


def test_pending_and_hidden_tabs(client, moderator):
    process = ProcessFactory(first_post_review=True)
    pending_idea = IdeaFactory(process=process, status=IdeaStatus.PENDING, title="First idea of Anna")
    idea = IdeaFactory(process=process, title="A published idea")
    pending_comment = CommentFactory(idea=idea, status=CommentStatus.PENDING, body="First comment of Bruno")
    hidden = IdeaFactory(process=process, is_hidden=True, hidden_reason="Advertising", title="Hidden idea")
    client.force_login(moderator)
    response = client.get(reverse("participation:moderation"), {"tab": "pending"})
    assert response.status_code == 200
    assert {item.target for item in response.context["items"]} == {pending_idea, pending_comment}
    content = response.content.decode()
    assert idea_url(pending_idea) in content and comment_url(pending_comment) in content
    assert idea_url(idea) not in content
    response = client.get(reverse("participation:moderation"), {"tab": "hidden"})
    assert [item.target for item in response.context["items"]] == [hidden]
    assert "Advertising" in response.content.decode()
    # An unknown tab falls back to the reported one.
    assert client.get(reverse("participation:moderation"), {"tab": "<x>"}).context["tab"] == "reported"


def _many_reports(count: int) -> None:
    """``count`` open reports over ideas and comments (ten reporters per content)."""
    process = ProcessFactory()
    author = UserFactory()
    reporters = [UserFactory() for _ in range(10)]
    ideas = Idea.objects.bulk_create(
        [
            Idea(process=process, author=author, title=f"Idea {n}", body="x", status="published")
            for n in range(max(1, count // 20))
        ]
    )
    comments = Comment.objects.bulk_create(
        [Comment(idea=ideas[0], author=author, body=f"Comment {n}") for n in range(max(1, count // 20))]
    )
    targets = [{"idea": idea} for idea in ideas] + [{"comment": comment} for comment in comments]
    rows = []
    for target in targets:
        for reporter in reporters:
            if len(rows) < count:
                rows.append(Report(reporter=reporter, reason="spam", **target))
    Report.objects.bulk_create(rows)
    Idea.objects.bulk_create(
        [
            Idea(process=process, author=author, title="P", body="x", status="pending")
            for _ in range(count // 10)
        ]
    )
    Idea.objects.bulk_create(
        [
            Idea(process=process, author=author, title="H", body="x", is_hidden=True)
            for _ in range(count // 10)
        ]
    )


@pytest.mark.parametrize("count", [10, 1000])
@pytest.mark.parametrize("tab", ["reported", "pending", "hidden"])
def test_queue_queries_do_not_grow(client, moderator, django_assert_max_num_queries, count, tab):
    _many_reports(count)
    assert Report.objects.count() == count
    client.force_login(moderator)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("participation:moderation"), {"tab": tab})
    assert response.status_code == 200
    assert response.context["items"]


# --- Hiding and showing again ---------------------------------------------------------------------------


def test_hide_an_idea_with_a_reason(client, moderator, django_capture_on_commit_callbacks):
    author = UserFactory()
    idea = IdeaFactory(author=author, title="Buy cheap watches")
    reports = [report(idea), report(idea, reason="off_topic")]
    public_url = idea.get_absolute_url()
    assert client.get(public_url).status_code == 200
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(idea_url(idea), {"op": "hide", "hide-reason": "Advertising is not allowed."})
    assert response.status_code == 302 and response["Location"] == idea_url(idea)
    idea.refresh_from_db()
    assert idea.is_hidden and idea.hidden_reason == "Advertising is not allowed."
    for item in reports:
        item.refresh_from_db()
        assert item.resolved_at is not None and item.resolution == ReportResolution.HIDDEN
        assert item.resolved_by == moderator
    notification = Notification.objects.get(recipient=author, kind=NotificationKind.HIDDEN)
    assert notification.reason == "Advertising is not allowed." and notification.idea == idea
    entry = audited("participation.idea.hidden", idea)
    assert entry is not None and entry.actor == moderator
    assert entry.data["reason"] == "Advertising is not allowed."
    # Gone from the public pages and lists.
    client.logout()
    assert client.get(public_url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(public_url).status_code == 404
    page = selectors.idea_page(user=AnonymousUser(), process=idea.process, filters=IdeaFilters())
    assert idea not in page.items
    assert not selectors.ideas_visible(user=AnonymousUser(), process=idea.process).filter(pk=idea.pk).exists()
    # The queue now has it among the hidden, not among the reported.
    client.force_login(moderator)
    assert not client.get(reverse("participation:moderation")).context["items"]
    hidden = client.get(reverse("participation:moderation"), {"tab": "hidden"}).context["items"]
    assert [item.target for item in hidden] == [idea]


def test_hiding_needs_a_reason(client, moderator):
    idea = IdeaFactory()
    report(idea)
    client.force_login(moderator)
    response = client.post(idea_url(idea), {"op": "hide", "hide-reason": "   "})
    assert response.status_code == 400
    assert response.context["forms"]["hide"].errors
    idea.refresh_from_db()
    assert not idea.is_hidden
    assert not AuditEntry.objects.filter(code="participation.idea.hidden").exists()
    assert not Notification.objects.exists()


def test_unhide_an_idea(client, moderator):
    author = UserFactory()
    idea = IdeaFactory(author=author)
    services.content_hide(actor=moderator, reason="Looks like spam", idea=idea)
    client.force_login(moderator)
    page = client.get(idea_url(idea)).content.decode()
    assert "Looks like spam" in page
    response = client.post(idea_url(idea), {"op": "unhide", "unhide-reason": "It was a real proposal."})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert not idea.is_hidden and idea.hidden_reason == ""
    assert Notification.objects.filter(
        recipient=author, kind=NotificationKind.UNHIDDEN, reason="It was a real proposal."
    ).exists()
    entry = audited("participation.idea.unhidden", idea)
    assert entry is not None and entry.actor == moderator
    client.logout()
    assert client.get(idea.get_absolute_url()).status_code == 200


def test_unhide_without_reason_is_refused(client, moderator):
    idea = IdeaFactory()
    services.content_hide(actor=moderator, reason="Spam", idea=idea)
    client.force_login(moderator)
    response = client.post(idea_url(idea), {"op": "unhide", "unhide-reason": ""})
    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.is_hidden


def test_hide_a_comment(client, moderator):
    author = UserFactory()
    idea = IdeaFactory()
    comment = services.comment_create(user=author, idea=idea, body="You are all idiots")
    report(comment, reason="offensive")
    idea.refresh_from_db()
    assert idea.comment_count == 1
    client.force_login(moderator)
    page = client.get(comment_url(comment)).content.decode()
    assert "You are all idiots" in page
    assert reverse("participation:moderate_person", kwargs={"pk": author.pk}) in page
    response = client.post(comment_url(comment), {"op": "hide", "hide-reason": "Insults."})
    assert response.status_code == 302
    comment.refresh_from_db()
    idea.refresh_from_db()
    assert comment.is_hidden and idea.comment_count == 0
    assert Notification.objects.filter(
        recipient=author, kind=NotificationKind.HIDDEN, comment=comment
    ).exists()
    assert audited("participation.comment.hidden", comment) is not None
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    client.logout()
    assert "You are all idiots" not in client.get(idea.get_absolute_url()).content.decode()


def test_dismiss_reports(client, moderator):
    idea = IdeaFactory(title="A fine idea")
    reports = [report(idea), report(idea)]
    client.force_login(moderator)
    response = client.post(idea_url(idea), {"op": "dismiss"})
    assert response.status_code == 302
    for item in reports:
        item.refresh_from_db()
        assert item.resolution == ReportResolution.DISMISSED and item.resolved_by == moderator
    idea.refresh_from_db()
    assert not idea.is_hidden
    entry = audited("participation.reports.dismissed", idea)
    assert entry is not None and entry.data["reports"] == 2
    assert not client.get(reverse("participation:moderation")).context["items"]


def test_unknown_operation_is_a_bad_request(client, moderator):
    idea = IdeaFactory()
    client.force_login(moderator)
    assert client.post(idea_url(idea), {"op": "delete"}).status_code == 400
    assert client.get(reverse("participation:moderate_idea", kwargs={"pk": 999999})).status_code == 404


# --- First posts ----------------------------------------------------------------------------------------


def test_approve_a_first_idea(client, moderator):
    author = UserFactory()
    follower = UserFactory()
    process = ProcessFactory(first_post_review=True)
    services.follow_set(user=follower, target=process, following=True)
    idea = services.idea_create(
        user=author, process=process, title="My first idea", body="Trees on the square."
    )
    assert idea.status == IdeaStatus.PENDING
    client.force_login(moderator)
    page = client.get(idea_url(idea)).content.decode()
    assert 'value="approve"' in page
    response = client.post(idea_url(idea), {"op": "approve"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PUBLISHED and idea.published_at is not None
    assert Notification.objects.filter(recipient=author, kind=NotificationKind.APPROVED).exists()
    assert Notification.objects.filter(recipient=follower, kind=NotificationKind.NEW_IDEA, idea=idea).exists()
    assert audited("participation.first_post.approved", idea) is not None
    assert not client.get(reverse("participation:moderation"), {"tab": "pending"}).context["items"]


def test_reject_a_first_comment(client, moderator):
    author = UserFactory()
    idea = IdeaFactory(process=ProcessFactory(first_post_review=True))
    comment = services.comment_create(user=author, idea=idea, body="Visit my shop")
    assert comment.status == CommentStatus.PENDING
    client.force_login(moderator)
    response = client.post(comment_url(comment), {"op": "reject", "reject-reason": "Advertising."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Advertising."
    assert Notification.objects.filter(
        recipient=author, kind=NotificationKind.HIDDEN, reason="Advertising."
    ).exists()
    assert audited("participation.comment.hidden", comment) is not None
    idea.refresh_from_db()
    assert idea.comment_count == 0


# --- People ---------------------------------------------------------------------------------------------


def test_block_and_unblock_a_person(client, moderator):
    person = UserFactory(display_name="Troll")
    process = ProcessFactory()
    idea = IdeaFactory(process=process)
    own = IdeaFactory(process=process, author=person, title="Troll idea")
    report(own, reason="offensive", resolved_at=timezone.now(), resolution=ReportResolution.HIDDEN)
    client.force_login(moderator)
    person_url = reverse("participation:moderate_person", kwargs={"pk": person.pk})
    page = client.get(person_url)
    assert page.status_code == 200
    assert "Troll idea" in page.content.decode()
    assert page.context["history"]["total"] == 1 and page.context["history"]["hidden"] == 1
    response = client.post(person_url, {"op": "block", "block-reason": "Repeated insults."})
    assert response.status_code == 302
    block = Block.objects.get(user=person)
    assert block.reason == "Repeated insults." and block.blocked_by == moderator
    entry = audited("participation.user.blocked", person)
    assert entry is not None and entry.actor == moderator
    blocks_page = client.get(reverse("participation:blocks"))
    assert "Repeated insults." in blocks_page.content.decode()
    assert person_url in blocks_page.content.decode()

    # The blocked person can no longer take part.
    client.force_login(person)
    client.post(
        reverse("participation:idea_create", kwargs={"slug": process.slug}),
        {"title": "Another troll idea", "body": "Some text long enough to be an idea."},
    )
    client.post(
        reverse("participation:comment_create", kwargs={"slug": process.slug, "pk": idea.pk}),
        {"body": "More insults"},
    )
    client.post(
        reverse("participation:idea_support", kwargs={"slug": process.slug, "pk": idea.pk}), {"op": "add"}
    )
    assert not Idea.objects.filter(title="Another troll idea").exists()
    assert not Comment.objects.filter(author=person).exists()
    assert not Support.objects.filter(user=person).exists()

    # Unblocked, they can again.
    client.force_login(moderator)
    response = client.post(person_url, {"op": "unblock", "unblock-reason": ""})
    assert response.status_code == 302
    assert not Block.objects.filter(user=person).exists()
    assert audited("participation.user.unblocked", person) is not None
    client.force_login(person)
    client.post(
        reverse("participation:idea_support", kwargs={"slug": process.slug, "pk": idea.pk}), {"op": "add"}
    )
    assert Support.objects.filter(user=person, idea=idea).exists()


def test_block_needs_a_reason_and_not_oneself(client, moderator):
    person = UserFactory()
    client.force_login(moderator)
    url = reverse("participation:moderate_person", kwargs={"pk": person.pk})
    assert client.post(url, {"op": "block", "block-reason": ""}).status_code == 400
    own = reverse("participation:moderate_person", kwargs={"pk": moderator.pk})
    response = client.post(own, {"op": "block", "block-reason": "Testing"})
    assert response.status_code == 400
    assert not Block.objects.exists()
    assert client.post(url, {"op": "explode"}).status_code == 400


def test_moderator_profile_card(rf: RequestFactory, moderator, user):
    report(IdeaFactory())
    request = rf.get("/")
    request.user = moderator
    html = traceability.moderation_card(request)
    assert reverse("participation:moderation") in html
    request.user = user
    assert traceability.moderation_card(request) == ""


def test_profile_page_shows_the_moderation_card(client, moderator, user):
    client.force_login(moderator)
    assert reverse("participation:moderation") in client.get(reverse("accounts:profile")).content.decode()
    client.force_login(user)
    assert reverse("participation:moderation") not in client.get(reverse("accounts:profile")).content.decode()


# --- The admin ------------------------------------------------------------------------------------------


def test_admin_is_read_only_and_its_actions_call_the_services(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    idea = IdeaFactory()
    CommentFactory(idea=idea)
    open_report = report(idea)
    blocked = UserFactory()
    Block.objects.create(user=blocked, reason="Spam", blocked_by=superuser)
    client.force_login(superuser)
    for model in ["process", "idea", "comment", "report", "block", "notification"]:
        assert client.get(reverse(f"admin:participation_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:participation_{model}_add")).status_code == 403, model
    assert client.get(reverse("admin:participation_idea_change", args=[idea.pk])).status_code == 200
    assert (
        client.get(reverse("admin:participation_process_change", args=[idea.process.pk])).status_code == 200
    )
    response = client.post(
        reverse("admin:participation_report_changelist"),
        {"action": "dismiss_reports", "_selected_action": [open_report.pk]},
    )
    assert response.status_code == 302
    open_report.refresh_from_db()
    assert open_report.resolution == ReportResolution.DISMISSED
    assert audited("participation.reports.dismissed", idea) is not None
    client.post(
        reverse("admin:participation_block_changelist"),
        {"action": "unblock", "_selected_action": [Block.objects.get().pk]},
    )
    assert not Block.objects.exists()
    assert audited("participation.user.unblocked", blocked) is not None
