import pytest
from django.urls import reverse

from cittasmart.plan.models import Action
from tests.factories import ActionFactory, PlanVersionFactory, UserFactory, publish


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_admin_refuses_to_change_a_published_version(client, superuser):
    version = PlanVersionFactory()
    action = ActionFactory(version=version, title="Squares")
    publish(version)
    client.force_login(superuser)
    url = reverse("admin:plan_action_change", args=[action.pk])
    # The page is read-only, and a forged POST changes nothing.
    page = client.get(url)
    assert page.status_code == 200 and 'name="title"' not in page.text
    response = client.post(
        url, {"title": "Changed", "code": action.code, "kind": "vertical", "status": "approved"}
    )
    assert response.status_code == 403
    assert Action.objects.get(pk=action.pk).title == "Squares"
    delete = client.post(reverse("admin:plan_action_delete", args=[action.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Action.objects.filter(pk=action.pk).exists()
    version_page = client.post(reverse("admin:plan_planversion_change", args=[version.pk]), {"title": "X"})
    assert version_page.status_code == 403


@pytest.mark.django_db
def test_admin_can_change_a_draft(client, superuser):
    action = ActionFactory(title="Squares")
    client.force_login(superuser)
    page = client.get(reverse("admin:plan_action_change", args=[action.pk]))
    assert 'name="title"' in page.text
