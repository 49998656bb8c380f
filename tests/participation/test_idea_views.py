"""The idea pages through the test client: writing ideas (attachments, honeypot, on behalf of an organisation,
similar ideas), the page of an idea in each state, comments, supports, follows, reports and attachments."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from cittasmart.participation import services
from cittasmart.participation.models import (
    Comment,
    Follow,
    Idea,
    IdeaAttachment,
    IdeaStatus,
    Outcome,
    Phase,
    Report,
    Support,
)
from tests.factories import (
    ActionFactory,
    CommentFactory,
    MembershipFactory,
    OrganisationFactory,
    ProcessFactory,
    UserFactory,
    publish,
)
from tests.helpers import italian, template_names, wait_for_a_fresh_minute

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def process_in(kind: str = "collecting", **fields):
    process = ProcessFactory(phase="", **fields)
    today = timezone.localdate()
    Phase.objects.create(
        process=process,
        kind=kind,
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=3),
    )
    return process


def idea_url(idea: Idea, name: str = "participation:idea") -> str:
    return reverse(name, kwargs={"slug": idea.process.slug, "pk": idea.pk})


def create_url(process) -> str:
    return reverse("participation:idea_create", kwargs={"slug": process.slug})


def idea_data(**extra) -> dict:
    data = {"title": "Fontanelle in piazza", "body": "Acqua potabile **gratuita** in ogni piazza."}
    data.update(extra)
    return data


def text(response) -> str:
    return response.content.decode()


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def make_idea(process=None, **fields) -> Idea:
    """An idea written through the service (so that the counters and the HTML are real)."""
    process = process or process_in()
    author = fields.pop("author", None) or UserFactory()
    idea = services.idea_create(
        user=author,
        process=process,
        title=fields.pop("title", "Alberi nel parco"),
        body=fields.pop("body", "Più alberi nel parco."),
    )
    if fields:
        Idea.objects.filter(pk=idea.pk).update(**fields)
        idea.refresh_from_db()
    return idea


# --- Writing an idea ------------------------------------------------------------------------------------


def test_create_without_attachments(client, user):
    process = process_in()
    client.force_login(user)

    response = client.post(create_url(process), idea_data(place_name="Piazza Garibaldi"))

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response.url == idea_url(idea)
    assert (idea.author, idea.status, idea.place_name) == (user, "published", "Piazza Garibaldi")
    assert "<strong>gratuita</strong>" in idea.body_html
    assert Follow.objects.filter(user=user, idea=idea).exists()
    assert message_texts(response) == [
        italian("Thank you! Your idea has been published.").replace("&#x27;", "'")
    ]


def test_create_with_an_image_and_a_pdf(client, user):
    process = process_in()
    client.force_login(user)

    response = client.post(
        create_url(process), idea_data(attachments=[png("piazza.png"), pdf("progetto.pdf")])
    )

    assert response.status_code == 302
    idea = Idea.objects.get()
    kinds = sorted(
        IdeaAttachment.objects.filter(idea=idea).values_list("kind", "content_type", "original_name")
    )
    assert kinds == [("image", "image/png", "piazza.png"), ("pdf", "application/pdf", "progetto.pdf")]
    page = text(client.get(idea_url(idea)))
    image, document = sorted(IdeaAttachment.objects.filter(idea=idea), key=lambda item: item.kind)
    assert f'src="{reverse("participation:attachment", args=[image.pk])}" alt="piazza.png"' in page
    assert f'href="{reverse("participation:attachment", args=[document.pk])}"' in page


def test_a_text_file_named_png_is_refused(client, user):
    process = process_in()
    client.force_login(user)
    fake = SimpleUploadedFile("photo.png", b"just some text, not an image", content_type="image/png")

    response = client.post(create_url(process), idea_data(attachments=[fake]))

    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Idea.objects.exists()
    assert not IdeaAttachment.objects.exists()


def test_a_file_above_the_size_limit_is_refused(client, user, settings):
    settings.ATTACHMENT_MAX_BYTES = 64
    process = process_in()
    client.force_login(user)

    response = client.post(create_url(process), idea_data(attachments=[pdf()]))

    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Idea.objects.exists()


def test_too_many_attachments_are_refused(client, user, settings):
    settings.ATTACHMENTS_PER_IDEA = 2
    process = process_in()
    client.force_login(user)

    response = client.post(create_url(process), idea_data(attachments=[png("a.png"), png("b.png"), pdf()]))

    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Idea.objects.exists()


def test_the_honeypot_blocks_the_idea(client, user):
    process = process_in()
    client.force_login(user)

    response = client.post(create_url(process), idea_data(website="http://spam.example"))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Idea.objects.exists()


def test_the_honeypot_is_hidden_from_sight_and_from_the_tab_order(client, user):
    client.force_login(user)

    page = text(client.get(create_url(process_in())))

    field = page[page.index('<div class="visually-hidden">') : page.index('name="website"') + 200]
    assert 'for="id_website"' in field
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field


def test_latitude_without_longitude_is_refused(client, user):
    client.force_login(user)

    response = client.post(create_url(process_in()), idea_data(latitude="41.9"))

    assert response.status_code == 400
    assert "latitude" in response.context["form"].errors
    assert not Idea.objects.exists()


def test_on_behalf_of_an_organisation_only_for_its_members(client, member, organisation):
    process = process_in()
    client.force_login(member)

    page = client.get(create_url(process))
    assert list(page.context["form"].fields["organisation"].queryset) == [organisation]

    response = client.post(create_url(process), idea_data(organisation=organisation.pk))
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.organisation == organisation
    assert organisation.name in text(client.get(idea_url(idea)))


def test_no_organisation_field_for_people_without_memberships(client, user, organisation):
    process = process_in()
    client.force_login(user)

    page = client.get(create_url(process))
    assert "organisation" not in page.context["form"].fields
    assert 'name="organisation"' not in text(page)

    client.post(create_url(process), idea_data(organisation=organisation.pk))
    assert Idea.objects.get().organisation is None


def test_not_on_behalf_of_an_organisation_of_someone_else(client, member):
    other = OrganisationFactory()
    client.force_login(member)

    response = client.post(create_url(process_in()), idea_data(organisation=other.pk))

    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Idea.objects.exists()


def test_ambito_is_limited_to_the_domains_of_the_process(client, user):
    process = process_in()
    process.ambiti.create(ambito="mobility")
    client.force_login(user)

    form = client.get(create_url(process)).context["form"]
    assert [value for value, _label in form.fields["ambito"].choices] == ["", "mobility"]

    response = client.post(create_url(process), idea_data(ambito="environment"))
    assert response.status_code == 400
    assert not Idea.objects.exists()


def test_first_post_review_says_the_idea_awaits_review(client, user):
    process = process_in(first_post_review=True)
    client.force_login(user)

    response = client.post(create_url(process), idea_data())

    idea = Idea.objects.get()
    assert idea.status == "pending"
    assert message_texts(response) == [
        italian("Thank you! Your idea will be public as soon as a moderator has reviewed it.")
    ]
    assert response.url == idea_url(idea)
    assert client.get(response.url).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    process = process_in()

    response = client.post(create_url(process), idea_data())

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Idea.objects.exists()


def test_no_new_ideas_outside_the_collecting_phase(client, user):
    process = process_in("evaluation")
    client.force_login(user)

    for response in (client.get(create_url(process)), client.post(create_url(process), idea_data())):
        assert response.status_code == 302
        assert response.url == process.get_absolute_url()
    assert not Idea.objects.exists()


def test_check_for_similar_ideas_without_javascript(client, user):
    process = process_in()
    make_idea(process, title="Piste ciclabili in centro", body="Collegare le piste ciclabili.")
    make_idea(process, title="Wi-Fi in biblioteca", body="Connessione libera.")
    client.force_login(user)

    response = client.post(
        create_url(process), {"title": "Nuove piste ciclabili", "body": "Per le biciclette", "check": "1"}
    )

    assert response.status_code == 200
    assert Idea.objects.count() == 2
    page = text(response)
    assert "Piste ciclabili in centro" in page
    assert "Wi-Fi in biblioteca" not in page
    assert response.context["form"]["title"].value() == "Nuove piste ciclabili"
    assert not response.context["form"].is_bound  # no errors shown while only checking


def test_similar_panel_for_htmx(client, user):
    process = process_in()
    similar_idea = make_idea(process, title="Piste ciclabili in centro", body="Collegare le piste ciclabili.")
    make_idea(process, title="Wi-Fi in biblioteca", body="Connessione libera.")
    client.force_login(user)
    url = reverse("participation:idea_similar", kwargs={"slug": process.slug})

    response = client.get(
        url, {"title": "bicicletta e pista ciclabile", "body": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert template_names(response) == ["participation/_similar.html"]
    page = text(response)
    assert f'href="{idea_url(similar_idea)}"' in page
    assert "Wi-Fi" not in page
    excluded = client.get(url, {"title": "piste ciclabili", "exclude": similar_idea.pk})
    assert "Piste ciclabili in centro" not in text(excluded)


def test_checking_similar_ideas_does_not_use_up_the_rate_limit(client, user, settings):
    process = process_in()
    client.force_login(user)

    for _attempt in range(settings.PARTICIPATION_RATE_LIMITS["idea"] + 2):
        assert (
            client.post(
                create_url(process), {"title": "Alberi", "body": "Nel parco", "check": "1"}
            ).status_code
            == 200
        )
    assert client.post(create_url(process), idea_data()).status_code == 302


def test_ideas_are_rate_limited(client, user, settings):
    process = process_in()
    client.force_login(user)
    limit = settings.PARTICIPATION_RATE_LIMITS["idea"]
    wait_for_a_fresh_minute()

    statuses = [
        client.post(create_url(process), idea_data(title=f"Idea {n}")).status_code for n in range(limit + 1)
    ]

    assert statuses == [302] * limit + [429]
    assert Idea.objects.count() == limit


def test_edit_an_untouched_idea_and_remove_an_attachment(client, user):
    process = process_in()
    idea = services.idea_create(
        user=user, process=process, title="Vecchio", body="Testo", files=[png("a.png")]
    )
    attachment = idea.attachments.get()
    client.force_login(user)
    url = idea_url(idea, "participation:idea_edit")

    assert client.get(url).context["form"]["title"].value() == "Vecchio"
    response = client.post(
        url, {"title": "Nuovo", "body": "Testo nuovo", "remove_attachments": [attachment.pk]}
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.title, idea.body) == ("Nuovo", "Testo nuovo")
    assert not idea.attachments.exists()


def test_a_supported_idea_can_no_longer_be_edited(client, user):
    idea = make_idea(author=user)
    services.support_add(user=UserFactory(), idea=idea)
    client.force_login(user)

    response = client.post(idea_url(idea, "participation:idea_edit"), {"title": "Cambiato", "body": "Altro"})

    assert response.status_code == 302
    assert response.url == idea_url(idea)
    idea.refresh_from_db()
    assert idea.title == "Alberi nel parco"


def test_only_the_author_edits(client, user):
    idea = make_idea()
    client.force_login(user)

    client.post(idea_url(idea, "participation:idea_edit"), {"title": "Cambiato", "body": "Altro"})

    idea.refresh_from_db()
    assert idea.title == "Alberi nel parco"


def test_withdraw_asks_then_withdraws(client, user):
    idea = make_idea(author=user)
    client.force_login(user)
    url = idea_url(idea, "participation:idea_withdraw")

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert idea.title in text(confirm)
    idea.refresh_from_db()
    assert idea.status == "published"

    response = client.post(url)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == "withdrawn"


def test_others_cannot_withdraw(client, user):
    idea = make_idea()
    client.force_login(user)

    client.post(idea_url(idea, "participation:idea_withdraw"))

    idea.refresh_from_db()
    assert idea.status == "published"


# --- The page of an idea --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["published", "evaluating", "answered", "withdrawn"])
def test_public_states_are_shown_to_everyone(client, status):
    idea = make_idea(status=status)

    response = client.get(idea_url(idea))

    assert response.status_code == 200
    page = text(response)
    assert idea.title in page
    with translation.override("it"):
        label = escape(str(IdeaStatus(status).label))
    assert label in page


def test_an_answered_idea_shows_the_outcome_and_the_actions_it_fed(client, plan_office):
    action = ActionFactory(title="Rete ciclabile urbana")
    publish(action.version)
    idea = make_idea()
    services.answer_save(
        actor=plan_office,
        idea=idea,
        outcome="accepted",
        text="Accolta nel piano *volentieri*.",
        actions=[action],
    )

    page = text(client.get(idea_url(idea)))

    assert f'href="{action.get_absolute_url()}"' in page
    assert "Rete ciclabile urbana" in page
    with translation.override("it"):
        assert escape(str(Outcome.ACCEPTED.label)) in page
    assert "<em>volentieri</em>" in page
    assert plan_office.public_name in page


def test_a_pending_idea_is_shown_only_to_its_author_and_moderators(client, user, moderator):
    idea = make_idea(author=user, status="pending", published_at=None)
    url = idea_url(idea)

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(user)
    assert client.get(url).status_code == 200
    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_a_hidden_idea_is_404_for_others_but_visible_to_author_and_moderators(client, user, moderator):
    idea = make_idea(author=user)
    services.content_hide(actor=moderator, reason="Dati personali di terzi", idea=idea)
    url = idea_url(idea)

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404

    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert "Dati personali di terzi" in text(response)

    client.force_login(moderator)
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("participation:moderate_idea", args=[idea.pk]) in text(response)


def test_an_unpublished_process_hides_its_ideas(client, user):
    idea = make_idea(author=user)
    type(idea.process).objects.filter(pk=idea.process.pk).update(is_published=False)
    client.force_login(user)

    assert client.get(idea_url(idea)).status_code == 404


def test_plan_office_sees_the_links_to_answer_and_evaluate(client, plan_office, user):
    idea = make_idea()
    client.force_login(plan_office)
    page = text(client.get(idea_url(idea)))
    assert idea_url(idea, "participation:idea_answer") in page
    assert idea_url(idea, "participation:idea_evaluate") in page

    client.force_login(user)
    page = text(client.get(idea_url(idea)))
    assert idea_url(idea, "participation:idea_answer") not in page


def test_the_author_sees_edit_and_withdraw(client, user):
    idea = make_idea(author=user)
    client.force_login(user)

    page = text(client.get(idea_url(idea)))

    assert idea_url(idea, "participation:idea_edit") in page
    assert idea_url(idea, "participation:idea_withdraw") in page
    assert idea_url(idea, "participation:idea_report") not in page


def test_detail_queries_do_not_grow_with_the_comments(client, user, django_assert_max_num_queries):
    def measure(count: int) -> int:
        idea = make_idea()
        authors = [UserFactory() for _ in range(3)]
        top = Comment.objects.bulk_create(
            Comment(idea=idea, author=authors[n % 3], body=f"Commento {n}") for n in range(count // 2)
        )
        Comment.objects.bulk_create(
            Comment(idea=idea, author=authors[n % 3], parent=top[n % len(top)], body=f"Risposta {n}")
            for n in range(count - count // 2)
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(idea_url(idea))
        assert response.status_code == 200
        assert text(response).count('<article id="comment-') == count
        return len(queries)

    small, large = measure(10), measure(1000)
    assert large <= small
    with django_assert_max_num_queries(small):
        client.get(idea_url(Idea.objects.last()))


# --- Comments -------------------------------------------------------------------------------------------


def comment_url(idea) -> str:
    return idea_url(idea, "participation:comment_create")


def test_comment_and_reply(client, user):
    idea = make_idea()
    client.force_login(user)

    response = client.post(comment_url(idea), {"body": "Ottima idea!"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"{idea_url(idea)}#comment-{comment.pk}"

    response = client.post(comment_url(idea), {"body": "Concordo.", "parent": comment.pk})
    reply = Comment.objects.exclude(pk=comment.pk).get()
    assert response.status_code == 302
    assert reply.parent == comment
    idea.refresh_from_db()
    assert idea.comment_count == 2
    page = text(client.get(idea_url(idea)))
    assert "Ottima idea!" in page and "Concordo." in page


def test_no_reply_to_a_reply(client, user):
    idea = make_idea()
    comment = services.comment_create(user=UserFactory(), idea=idea, body="Primo")
    reply = services.comment_create(user=UserFactory(), idea=idea, body="Secondo", parent=comment)
    client.force_login(user)

    response = client.post(comment_url(idea), {"body": "Terzo livello", "parent": reply.pk})

    assert response.status_code == 400
    assert response.context["reply_form"].non_field_errors()
    assert Comment.objects.count() == 2


def test_a_reply_form_under_each_top_level_comment(client, user):
    idea = make_idea()
    comment = services.comment_create(user=UserFactory(), idea=idea, body="Primo")
    reply = services.comment_create(user=UserFactory(), idea=idea, body="Secondo", parent=comment)
    client.force_login(user)

    page = text(client.get(idea_url(idea)))

    assert f'name="parent" value="{comment.pk}"' in page
    assert f'name="parent" value="{reply.pk}"' not in page


def test_a_reply_to_a_comment_of_another_idea_is_404(client, user):
    idea = make_idea()
    elsewhere = services.comment_create(user=UserFactory(), idea=make_idea(), body="Altrove")
    client.force_login(user)

    response = client.post(comment_url(idea), {"body": "Risposta", "parent": elsewhere.pk})

    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_an_empty_comment_shows_the_error_on_the_idea_page(client, user):
    idea = make_idea()
    client.force_login(user)

    response = client.post(comment_url(idea), {"body": "   "})

    assert response.status_code == 400
    assert "body" in response.context["comment_form"].errors
    assert idea.title in text(response)
    assert not Comment.objects.exists()


def test_comment_honeypot(client, user):
    idea = make_idea()
    client.force_login(user)

    response = client.post(comment_url(idea), {"body": "Compra ora!", "website": "x"})

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_comment_on_behalf_of_an_organisation(client, member, organisation):
    idea = make_idea()
    client.force_login(member)

    client.post(comment_url(idea), {"body": "Per l'associazione", "organisation": organisation.pk})

    assert Comment.objects.get().organisation == organisation


def test_no_comments_on_a_withdrawn_idea(client, user):
    idea = make_idea(status="withdrawn")
    client.force_login(user)

    page = client.get(idea_url(idea))
    assert page.context["comment_form"] is None
    response = client.post(comment_url(idea), {"body": "Ancora qui?"})

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_pending_comment_is_shown_to_its_author_only(client, user):
    idea = make_idea()
    type(idea.process).objects.filter(pk=idea.process_id).update(first_post_review=True)
    client.force_login(user)

    response = client.post(comment_url(idea), {"body": "Il mio primo commento"})

    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert "Il mio primo commento" in text(client.get(response.url))
    client.force_login(UserFactory())
    assert "Il mio primo commento" not in text(client.get(idea_url(idea)))


def test_edit_a_comment_within_the_window(client, user):
    idea = make_idea()
    comment = services.comment_create(user=user, idea=idea, body="Prima versione")
    client.force_login(user)
    url = reverse("participation:comment_edit", args=[comment.pk])

    assert client.get(url).status_code == 200
    assert url in text(client.get(idea_url(idea)))
    response = client.post(url, {"body": "Seconda versione"})

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Seconda versione"
    assert comment.edited_at is not None


def test_no_edit_after_the_window(client, user, settings):
    idea = make_idea()
    comment = services.comment_create(user=user, idea=idea, body="Prima versione")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES + 1)
    )
    client.force_login(user)
    url = reverse("participation:comment_edit", args=[comment.pk])

    assert url not in text(client.get(idea_url(idea)))
    assert client.get(url).status_code == 302
    client.post(url, {"body": "Troppo tardi"})

    comment.refresh_from_db()
    assert comment.body == "Prima versione"


def test_only_the_author_edits_a_comment(client, user):
    comment = services.comment_create(user=UserFactory(), idea=make_idea(), body="Mio")
    client.force_login(user)

    client.post(reverse("participation:comment_edit", args=[comment.pk]), {"body": "Tuo"})

    comment.refresh_from_db()
    assert comment.body == "Mio"


def test_delete_a_comment_keeps_its_place(client, user):
    idea = make_idea()
    comment = services.comment_create(user=user, idea=idea, body="Da cancellare")
    services.comment_create(user=UserFactory(), idea=idea, body="Una risposta", parent=comment)
    client.force_login(user)
    url = reverse("participation:comment_delete", args=[comment.pk])

    assert client.get(url).status_code == 200
    comment.refresh_from_db()
    assert comment.deleted_at is None
    assert client.post(url).status_code == 302

    comment.refresh_from_db()
    idea.refresh_from_db()
    assert comment.deleted_at is not None
    assert idea.comment_count == 1
    page = text(client.get(idea_url(idea)))
    assert "Da cancellare" not in page
    assert "Una risposta" in page
    assert f'id="comment-{comment.pk}"' in page


def test_a_hidden_comment_shows_the_reason_to_its_author_only(client, user, moderator):
    idea = make_idea()
    comment = services.comment_create(user=user, idea=idea, body="Offensivo")
    services.content_hide(actor=moderator, reason="Linguaggio offensivo", comment=comment)

    client.force_login(UserFactory())
    page = text(client.get(idea_url(idea)))
    assert "Offensivo" not in page
    assert "Linguaggio offensivo" not in page
    assert f'id="comment-{comment.pk}"' in page

    client.force_login(user)
    assert "Linguaggio offensivo" in text(client.get(idea_url(idea)))


def test_comments_are_rate_limited(client, user, settings):
    idea = make_idea()
    client.force_login(user)
    limit = settings.PARTICIPATION_RATE_LIMITS["comment"]
    wait_for_a_fresh_minute()

    statuses = [
        client.post(comment_url(idea), {"body": f"Commento {n}"}).status_code for n in range(limit + 1)
    ]

    assert statuses[-1] == 429
    assert Comment.objects.count() == limit


# --- Supports and follows -------------------------------------------------------------------------------


def test_support_add_and_remove_are_idempotent(client, user):
    idea = make_idea()
    client.force_login(user)
    url = idea_url(idea, "participation:idea_support")

    for _twice in range(2):
        assert client.post(url, {"op": "add"}).status_code == 302
    idea.refresh_from_db()
    assert idea.support_count == 1
    assert Support.objects.filter(idea=idea, user=user).count() == 1

    for _twice in range(2):
        assert client.post(url, {"op": "remove"}).status_code == 302
    idea.refresh_from_db()
    assert idea.support_count == 0
    assert not Support.objects.exists()


def test_support_with_htmx_returns_the_box(client, user):
    idea = make_idea()
    client.force_login(user)

    response = client.post(
        idea_url(idea, "participation:idea_support"), {"op": "add"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert template_names(response)[0] == "participation/_support.html"
    page = text(response)
    assert f'id="support-box-{idea.pk}"' in page
    assert '<strong class="h3">1</strong>' in page
    assert 'name="op" value="remove"' in page


# The session, the person, the idea with its process and phases, the block check, then the insert, the counter
# and its new value (with the savepoint of the test's transaction around them).
SUPPORT_QUERY_BOUND = 11


def test_a_support_reads_only_what_it_needs(client, user, django_assert_max_num_queries):
    idea = make_idea()
    client.force_login(user)
    url = idea_url(idea, "participation:idea_support")
    assert client.get(idea_url(idea)).status_code == 200  # the page with the button, as in the browser

    with django_assert_max_num_queries(SUPPORT_QUERY_BOUND):
        response = client.post(url, {"op": "add"}, headers={"HX-Request": "true"})

    assert '<strong class="h3">1</strong>' in text(response)
    with django_assert_max_num_queries(SUPPORT_QUERY_BOUND):
        response = client.post(url, {"op": "remove"}, headers={"HX-Request": "true"})
    assert '<strong class="h3">0</strong>' in text(response)
    assert 'name="op" value="add"' in text(response)


def test_support_is_refused_when_the_phase_is_over(client, user):
    idea = make_idea()
    Phase.objects.filter(process=idea.process).update(kind="evaluation")
    client.force_login(user)

    page = text(client.get(idea_url(idea)))
    assert "disabled" in page
    response = client.post(idea_url(idea, "participation:idea_support"), {"op": "add"})

    assert response.status_code == 302
    assert not Support.objects.exists()


def test_anonymous_visitors_get_a_login_link_to_support(client):
    idea = make_idea()

    page = text(client.get(idea_url(idea)))

    assert f"{reverse('account_login')}?next=" in page
    assert 'name="op"' not in page
    response = client.post(idea_url(idea, "participation:idea_support"), {"op": "add"})
    assert response.url.startswith(reverse("account_login"))
    assert not Support.objects.exists()


def test_unknown_support_operation_is_400(client, user):
    idea = make_idea()
    client.force_login(user)

    assert client.post(idea_url(idea, "participation:idea_support"), {"op": "double"}).status_code == 400


def test_follow_and_unfollow_an_idea(client, user):
    idea = make_idea()
    client.force_login(user)
    url = idea_url(idea, "participation:idea_follow")

    client.post(url, {"following": "1"})
    client.post(url, {"following": "1"})
    assert Follow.objects.filter(user=user, idea=idea).count() == 1

    response = client.post(url, {"following": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert template_names(response)[0] == "participation/_follow.html"
    assert not Follow.objects.filter(user=user, idea=idea).exists()


def test_follow_a_process(client, user):
    process = process_in()
    client.force_login(user)
    url = reverse("participation:process_follow", kwargs={"slug": process.slug})

    response = client.post(url, {"following": "1"})

    assert response.status_code == 302
    assert response.url == process.get_absolute_url()
    assert Follow.objects.filter(user=user, process=process).exists()
    client.post(url, {"following": "0"})
    assert not Follow.objects.filter(user=user, process=process).exists()


# --- Reports --------------------------------------------------------------------------------------------


def test_report_an_idea_twice_gives_a_clear_error(client, user):
    idea = make_idea()
    client.force_login(user)
    url = idea_url(idea, "participation:idea_report")

    assert client.get(url).status_code == 200
    first = client.post(url, {"reason": "spam", "details": "Pubblicità"})
    assert first.status_code == 302
    assert first.url == idea_url(idea)
    assert message_texts(first) == [italian("Thank you, the moderators will look at it.")]

    second = client.post(url, {"reason": "spam"})
    assert second.status_code == 400
    assert second.context["form"].non_field_errors()
    assert Report.objects.count() == 1


def test_report_a_comment(client, user):
    comment = services.comment_create(user=UserFactory(), idea=make_idea(), body="Spam spam")
    client.force_login(user)
    url = reverse("participation:comment_report", args=[comment.pk])

    assert client.post(url, {"reason": "offensive"}).status_code == 302
    assert client.post(url, {"reason": "offensive"}).status_code == 400
    assert Report.objects.get().comment == comment


def test_a_report_needs_a_known_reason(client, user):
    idea = make_idea()
    client.force_login(user)

    response = client.post(idea_url(idea, "participation:idea_report"), {"reason": "boring"})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_deleted_comment_cannot_be_reported(client, user):
    author = UserFactory()
    comment = services.comment_create(user=author, idea=make_idea(), body="Via")
    services.comment_delete(user=author, comment=comment)
    client.force_login(user)

    assert client.get(reverse("participation:comment_report", args=[comment.pk])).status_code == 404


# --- Attachments ----------------------------------------------------------------------------------------


@pytest.fixture
def attached():
    author = UserFactory()
    idea = services.idea_create(
        user=author,
        process=process_in(),
        title="Con allegati",
        body="Vedi",
        files=[png("foto.png"), pdf("doc.pdf")],
    )
    image = idea.attachments.get(kind="image")
    document = idea.attachments.get(kind="pdf")
    return author, idea, image, document


def attachment_url(item) -> str:
    return reverse("participation:attachment", args=[item.pk])


def test_attachments_of_a_public_idea_are_served_safely(client, attached):
    _author, _idea, image, document = attached

    response = client.get(attachment_url(image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    response = client.get(attachment_url(document))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="doc.pdf"' in response["Content-Disposition"]


def test_attachments_of_a_hidden_idea_only_for_moderators(client, attached, moderator, plan_office):
    author, idea, image, _document = attached
    services.content_hide(actor=moderator, reason="Spam", idea=idea)

    assert client.get(attachment_url(image)).status_code == 404
    client.force_login(author)
    assert client.get(attachment_url(image)).status_code == 404
    client.force_login(moderator)
    assert client.get(attachment_url(image)).status_code == 200
    client.force_login(plan_office)
    assert client.get(attachment_url(image)).status_code == 200


def test_attachments_of_a_pending_idea_only_for_its_author(client, attached):
    author, idea, image, _document = attached
    Idea.objects.filter(pk=idea.pk).update(status="pending")

    assert client.get(attachment_url(image)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(attachment_url(image)).status_code == 404
    client.force_login(author)
    assert client.get(attachment_url(image)).status_code == 200


def test_attachments_of_an_unpublished_process_are_404(client, attached):
    _author, idea, image, _document = attached
    type(idea.process).objects.filter(pk=idea.process_id).update(is_published=False)

    assert client.get(attachment_url(image)).status_code == 404


def test_unknown_attachment_is_404(client):
    assert client.get(reverse("participation:attachment", args=[999999])).status_code == 404


def test_write_views_need_post(client, user):
    idea = make_idea()
    client.force_login(user)

    assert client.get(idea_url(idea, "participation:idea_support")).status_code == 405
    assert client.get(idea_url(idea, "participation:comment_create")).status_code == 405
    assert client.get(idea_url(idea, "participation:idea_follow")).status_code == 405


def test_organisation_memberships_are_used_for_comment_replies(client, organisation):
    membership = MembershipFactory(organisation=organisation)
    idea = make_idea()
    services.comment_create(user=UserFactory(), idea=idea, body="Primo")
    client.force_login(membership.user)

    page = text(client.get(idea_url(idea)))

    assert f'<option value="{organisation.pk}">{organisation.name}</option>' in page


def test_existing_comments_by_factory_render(client):
    comment = CommentFactory(idea=make_idea())

    assert comment.body in text(client.get(idea_url(comment.idea)))


@pytest.mark.parametrize("parent", ["²", "①", "9" * 5000])
def test_a_reply_to_a_comment_key_that_is_not_a_number_is_a_400(client, user, parent):
    # str.isdigit() accepts "²" and "①", which int() refused with ValueError (a 500); so it did 5000 digits.
    idea = make_idea()
    client.force_login(user)

    assert client.post(comment_url(idea), {"body": "Concordo.", "parent": parent}).status_code == 400
    assert not Comment.objects.exists()
    similar = reverse("participation:idea_similar", kwargs={"slug": idea.process.slug})
    assert client.get(similar, {"title": "piste", "exclude": parent}).status_code == 200


def test_the_limits_are_read_from_the_settings_at_each_request(client, user, settings):
    """A limit read once at import would keep whatever the settings held then (another test's, a deployment's)."""
    process = process_in()
    client.force_login(user)
    settings.PARTICIPATION_RATE_LIMITS = {**settings.PARTICIPATION_RATE_LIMITS, "idea": 2}
    wait_for_a_fresh_minute()

    statuses = [client.post(create_url(process), idea_data(title=f"Idea {n}")).status_code for n in range(3)]

    assert statuses == [302, 302, 429]
