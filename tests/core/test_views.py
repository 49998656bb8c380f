"""The shared pages: home, legal pages, accessibility statement with its feedback form, search, audit log,
404, and the two languages."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from cittasmart.core.audit import log_action
from cittasmart.core.models import AccessibilityFeedback, AuditEntry
from cittasmart.core.services import site_settings_update
from tests.factories import OrganisationFactory
from tests.helpers import italian, template_names, wait_for_a_fresh_minute

pytestmark = pytest.mark.django_db

STATIC_PAGES = [
    ("core:home", "core/home.html"),
    ("core:privacy", "core/privacy.html"),
    ("core:legal_notes", "core/legal_notes.html"),
    ("core:cookies", "core/cookies.html"),
    ("core:accessibility", "core/accessibility.html"),
    ("core:search", "core/search.html"),
]


def url_in(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def language_link(html: str, code: str) -> str:
    """The href of the header's link to ``code`` (the one in the language menu)."""
    for tag in re.findall(r"<a\s[^>]*>", html):
        if f'hreflang="{code}"' in tag:
            return re.search(r'href="([^"]*)"', tag).group(1).replace("&amp;", "&")
    raise AssertionError(f"no link to language {code}")


def feedback_data(**fields):
    data = {
        "name": "Anna",
        "email": "anna@example.org",
        "page_url": "/organisations/",
        "message": "The category filter cannot be reached with the Tab key.",
    }
    data.update(fields)
    return data


# --- Pages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "template"), STATIC_PAGES)
def test_pages_render_in_italian_by_default(client, name, template):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert template in template_names(response)
    assert '<html lang="it">' in response.text


@pytest.mark.parametrize(("name", "template"), STATIC_PAGES)
def test_pages_render_in_english_under_en(client, name, template):
    url = url_in("en", name)
    assert url.startswith("/en/")

    response = client.get(url)

    assert response.status_code == 200
    assert template in template_names(response)
    assert '<html lang="en">' in response.text
    assert "Skip to main content" in response.text


def test_english_pages_show_english_messages(client):
    response = client.post(url_in("en", "core:accessibility"), feedback_data(message="short"))

    assert response.status_code == 400
    assert "Please describe the problem in at least 10 characters." in response.text


@pytest.mark.parametrize(("name", "template"), STATIC_PAGES)
def test_legal_pages_are_linked_from_every_page(client, name, template):
    response = client.get(reverse(name))

    for linked in ("core:privacy", "core:accessibility", "core:legal_notes", "core:cookies"):
        assert f'href="{reverse(linked)}"' in response.text


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("core:home", {}),
        ("core:privacy", {}),
        ("core:accessibility", {}),
        ("stakeholders:list", {"q": "estra", "category": "public_body"}),
    ],
)
def test_language_links_point_to_the_same_page_in_the_other_language(client, name, params):
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    italian_url, english_url = url_in("it", name) + query, url_in("en", name) + query

    on_italian = client.get(italian_url)
    on_english = client.get(english_url)

    assert on_italian.status_code == on_english.status_code == 200
    assert language_link(on_italian.text, "en") == english_url
    assert language_link(on_english.text, "it") == italian_url
    assert language_link(on_italian.text, "it") == italian_url


def test_language_link_of_an_organisation_page(client, organisation):
    it_url = url_in("it", "stakeholders:detail", slug=organisation.slug)
    en_url = url_in("en", "stakeholders:detail", slug=organisation.slug)

    response = client.get(it_url)

    assert language_link(response.text, "en") == en_url
    assert client.get(en_url).status_code == 200


@pytest.mark.parametrize(
    ("url", "language"), [("/this-page-does-not-exist/", "it"), ("/en/nothing-here/", "en")]
)
def test_unknown_pages_render_the_sites_404(client, url, language):
    response = client.get(url)

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert "base.html" in template_names(response)  # the site's own page, with its header and footer
    assert f'href="{url_in(language, "core:search")}"' in response.text


def test_an_unknown_organisation_renders_the_sites_404(client):
    response = client.get(reverse("stakeholders:detail", kwargs={"slug": "nobody-here"}))

    assert response.status_code == 404
    assert "404.html" in template_names(response)


def test_the_404_page_is_translated(client):
    italian_page = client.get("/pagina-inesistente/")
    english_page = client.get("/en/missing-page/")

    assert italian("Page not found") in italian_page.text
    assert "Page not found" in english_page.text
    assert '<html lang="en">' in english_page.text


def test_home_page_queries_are_bounded(client, django_assert_max_num_queries):
    client.get(reverse("core:home"))  # the site settings are cached after the first request
    OrganisationFactory.create_batch(30)

    with django_assert_max_num_queries(2):
        response = client.get(reverse("core:home"))

    assert response.status_code == 200


def test_home_page_queries_are_bounded_for_staff(client, administrator, django_assert_max_num_queries):
    client.force_login(administrator)
    client.get(reverse("core:home"))

    with django_assert_max_num_queries(6):
        response = client.get(reverse("core:home"))

    assert response.status_code == 200


# --- Accessibility feedback -----------------------------------------------------------------------------


@pytest.fixture
def accessibility_contact(db):
    site_settings_update(
        actor=None,
        entity_name="Comune di Prato",
        email="urp@comune.example",
        accessibility_email="a11y@comune.example",
    )
    return "a11y@comune.example"


def test_feedback_is_stored_and_sent_to_the_accessibility_contact(
    client, accessibility_contact, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:accessibility"), feedback_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("core:accessibility")
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == "The category filter cannot be reached with the Tab key."
    assert feedback.email == "anna@example.org"
    assert feedback.author is None
    assert feedback.handled is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [accessibility_contact]
    assert "The category filter cannot be reached with the Tab key." in mailoutbox[0].body
    assert "/organisations/" in mailoutbox[0].body


def test_feedback_goes_to_the_contact_email_when_there_is_no_accessibility_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    site_settings_update(
        actor=None, entity_name="Comune di Prato", email="urp@comune.example", accessibility_email=""
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:accessibility"), feedback_data())

    assert [m.to for m in mailoutbox] == [["urp@comune.example"]]


def test_feedback_of_a_logged_in_person_records_the_author(
    client, user, accessibility_contact, django_capture_on_commit_callbacks
):
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:accessibility"), feedback_data(name="", email=""))

    assert AccessibilityFeedback.objects.get().author == user


def test_the_page_field_is_prefilled_from_the_link(client):
    response = client.get(reverse("core:accessibility"), {"page": "/organisations/estra/"})

    assert response.context["form"].initial["page_url"] == "/organisations/estra/"
    assert 'value="/organisations/estra/"' in response.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (feedback_data(message="short"), "message", "Please describe the problem in at least 10 characters."),
        (feedback_data(message="          x        "), "message", None),
        (feedback_data(message=""), "message", None),
        (feedback_data(email="not-an-email"), "email", None),
        (feedback_data(message="x" * 5001), "message", None),
    ],
)
def test_invalid_feedback_is_a_400_with_errors_and_nothing_is_stored(
    client, accessibility_contact, mailoutbox, django_capture_on_commit_callbacks, data, field, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:accessibility"), data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in response.text
    if message:
        assert italian(message) in response.text
    assert not AccessibilityFeedback.objects.exists()
    assert mailoutbox == []


def test_the_sixth_report_in_a_minute_is_refused(
    client, accessibility_contact, django_capture_on_commit_callbacks
):
    wait_for_a_fresh_minute()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(
                reverse("core:accessibility"), feedback_data(message=f"Problem number {n} here.")
            ).status_code
            for n in range(6)
        ]

    assert statuses == [302] * 5 + [429]
    assert AccessibilityFeedback.objects.count() == 5
    assert not AccessibilityFeedback.objects.filter(message__contains="number 5").exists()
    refused = client.post(reverse("core:accessibility"), feedback_data())
    assert refused.status_code == 429
    assert "core/too_many_requests.html" in template_names(refused)
    assert italian("Too many requests in a short time. Please wait a minute and try again.") in refused.text
    assert client.get(reverse("core:accessibility")).status_code == 200  # reading is not limited


# --- Search ---------------------------------------------------------------------------------------------


def test_search_finds_organisations_by_name(client):
    estra = OrganisationFactory(name="Estra S.p.A.", description="Energia.")
    OrganisationFactory(name="Publiacqua S.p.A.", description="Acqua.")

    response = client.get(reverse("core:search"), {"q": "ESTRA"})

    assert response.status_code == 200
    assert f'href="{estra.get_absolute_url()}"' in response.text
    assert "Publiacqua" not in response.text
    [section] = [s for s in response.context["sections"] if s.hits]
    assert [hit.title for hit in section.hits] == ["Estra S.p.A."]
    assert section.total == 1


def test_search_without_a_query_shows_no_results(client, organisation):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(reverse("core:search"), params)

        assert response.status_code == 200
        assert response.context["sections"] == []
        assert organisation.name not in response.text


def test_search_reports_the_total_and_links_to_all_results(client):
    for n in range(12):
        OrganisationFactory(name=f"Azienda Pratese {n}")

    response = client.get(reverse("core:search"), {"q": "pratese"})

    [section] = [s for s in response.context["sections"] if s.hits]
    assert len(section.hits) == 10
    assert section.total == 12
    assert section.more_url.startswith(reverse("stakeholders:list"))


@pytest.mark.parametrize("query", ["x" * 500, "\x00", "%", "_", "' OR 1=1 --", "<script>alert(1)</script>"])
def test_search_handles_odd_queries(client, organisation, query):
    response = client.get(reverse("core:search"), {"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert organisation.name not in response.text


# --- Audit log ------------------------------------------------------------------------------------------


@pytest.fixture
def audit_entries(administrator, organisation):
    log_action(administrator, "stakeholders.organisation.updated", organisation, {"changed": {"name": "A"}})
    log_action(administrator, "accounts.role.granted", administrator, {"role": "moderator"})
    log_action(None, "stakeholders.organisation.created", OrganisationFactory(name="Alia S.p.A."))


def test_administrators_see_the_audit_log(client, administrator, organisation, audit_entries):
    client.force_login(administrator)

    response = client.get(reverse("core:audit_log"))

    assert response.status_code == 200
    codes = [entry.code for entry in response.context["page"]]
    assert sorted(codes) == sorted(
        ["stakeholders.organisation.updated", "accounts.role.granted", "stakeholders.organisation.created"]
    )
    assert organisation.name in response.text
    assert administrator.email in response.text


def test_the_audit_log_filters_by_action_and_by_object(client, administrator, organisation, audit_entries):
    client.force_login(administrator)

    by_code = client.get(reverse("core:audit_log"), {"code": "stakeholders."})
    by_exact_code = client.get(reverse("core:audit_log"), {"code": "accounts.role.granted"})
    by_object = client.get(reverse("core:audit_log"), {"q": "alia"})
    by_actor = client.get(reverse("core:audit_log"), {"q": administrator.email})

    assert {e.code for e in by_code.context["page"]} == {
        "stakeholders.organisation.updated",
        "stakeholders.organisation.created",
    }
    assert [e.code for e in by_exact_code.context["page"]] == ["accounts.role.granted"]
    assert [e.object_repr for e in by_object.context["page"]] == ["Alia S.p.A."]
    assert {e.actor for e in by_actor.context["page"]} == {administrator}
    assert len(by_actor.context["page"]) == 2


def test_the_audit_log_is_paginated(client, administrator, organisation):
    for n in range(55):
        log_action(administrator, "stakeholders.organisation.updated", organisation, {"n": n})
    client.force_login(administrator)

    first = client.get(reverse("core:audit_log"))
    second = client.get(reverse("core:audit_log"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert AuditEntry.objects.count() == 55


@pytest.mark.parametrize("role", ["plan_office", "moderator", "facilitator", "user", "member"])
def test_others_may_not_read_the_audit_log(client, request, role, audit_entries):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("core:audit_log")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_for_the_audit_log(client):
    response = client.get(reverse("core:audit_log"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_audit_log_queries_do_not_grow_with_the_entries(
    client, administrator, organisation, django_assert_max_num_queries
):
    client.force_login(administrator)
    counts = []
    for total in (5, 50):
        while AuditEntry.objects.count() < total:
            log_action(administrator, "stakeholders.organisation.updated", organisation, {})
        client.get(reverse("core:home"))
        with django_assert_max_num_queries(8) as captured:
            assert client.get(reverse("core:audit_log")).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# --- Health ---------------------------------------------------------------------------------------------


def test_the_health_check_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:health"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"
    assert client.post(reverse("core:health")).status_code == 405
