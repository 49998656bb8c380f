import pytest
from django.urls import reverse

from cittasmart.core.models import AccessibilityFeedback, AuditEntry, SiteSettings
from cittasmart.core.services import site_settings_get
from tests.factories import UserFactory

MANAGEMENT_PAGES = ["core:manage", "core:accessibility_feedback"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "manage", "settings_page", "audit"),
    [
        ("anonymous", 302, 302, 302),
        ("citizen", 403, 403, 403),
        ("moderator", 403, 403, 403),
        ("facilitator", 403, 403, 403),
        ("plan_office", 200, 403, 403),
        ("administrator", 200, 200, 200),
    ],
)
def test_management_pages_by_role(client, request, who, manage, settings_page, audit):
    if who == "citizen":
        client.force_login(request.getfixturevalue("user"))
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("core:manage")).status_code == manage
    assert client.get(reverse("core:accessibility_feedback")).status_code == manage
    assert client.get(reverse("core:site_settings")).status_code == settings_page
    assert client.get(reverse("core:audit_log")).status_code == audit


@pytest.mark.django_db
def test_administrator_edits_site_settings_and_it_is_audited(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("core:site_settings"),
        {
            "instance_name": "Città Intelligente",
            "entity_name": "Comune di Esempio",
            "email": "info@example.org",
        },
    )
    assert response.status_code == 302
    assert SiteSettings.objects.get().instance_name == "Città Intelligente"
    # The cached settings are refreshed, so every page shows the new name at once.
    assert site_settings_get().instance_name == "Città Intelligente"
    assert "Città Intelligente" in client.get(reverse("core:home")).text
    entry = AuditEntry.objects.get(code="core.site_settings.updated")
    assert entry.actor == administrator
    assert entry.data["changed"]["instance_name"] == "Città Intelligente"


@pytest.mark.django_db
def test_site_settings_bad_input_is_rejected_and_nothing_saved(client, administrator):
    client.force_login(administrator)
    before = site_settings_get().instance_name
    response = client.post(reverse("core:site_settings"), {"instance_name": "", "email": "not-an-email"})
    assert response.status_code == 400
    assert SiteSettings.objects.get().instance_name == before
    assert not AuditEntry.objects.filter(code="core.site_settings.updated").exists()


@pytest.mark.django_db
def test_plan_office_marks_accessibility_feedback_handled(client, plan_office):
    feedback = AccessibilityFeedback.objects.create(message="The map cannot be used with a keyboard.")
    client.force_login(plan_office)
    page = client.get(reverse("core:accessibility_feedback"))
    assert "The map cannot be used with a keyboard." in page.text
    url = reverse("core:accessibility_feedback_handled", args=[feedback.pk])
    assert client.post(url, {"handled": "1"}).status_code == 302
    feedback.refresh_from_db()
    assert feedback.handled is True
    assert (
        AuditEntry.objects.filter(code="core.accessibility_feedback.handled", actor=plan_office).count() == 1
    )
    # Marking it handled again changes nothing and writes no second entry.
    client.post(url, {"handled": "1"})
    assert AuditEntry.objects.filter(code="core.accessibility_feedback.handled").count() == 1
    client.post(url, {"handled": "0"})
    feedback.refresh_from_db()
    assert feedback.handled is False


@pytest.mark.django_db
def test_citizen_cannot_mark_feedback(client, user):
    feedback = AccessibilityFeedback.objects.create(message="Low contrast on buttons.")
    client.force_login(user)
    response = client.post(
        reverse("core:accessibility_feedback_handled", args=[feedback.pk]), {"handled": "1"}
    )
    assert response.status_code == 403
    feedback.refresh_from_db()
    assert feedback.handled is False


@pytest.mark.django_db
def test_management_link_on_profile_only_for_staff(client, user, plan_office):
    client.force_login(user)
    assert reverse("core:manage") not in client.get(reverse("accounts:profile")).text
    client.force_login(plan_office)
    assert reverse("core:manage") in client.get(reverse("accounts:profile")).text


@pytest.mark.django_db
def test_feedback_list_query_count_does_not_grow(client, plan_office, django_assert_max_num_queries):
    client.force_login(plan_office)
    for n in range(30):
        AccessibilityFeedback.objects.create(message=f"Problem number {n} on a page.", author=UserFactory())
    with django_assert_max_num_queries(12):
        assert client.get(reverse("core:accessibility_feedback")).status_code == 200
