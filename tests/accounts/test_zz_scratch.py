import pytest
from django.urls import reverse
from axes.models import AccessAttempt

@pytest.mark.django_db
def test_lock(client, user, password):
    for i in range(6):
        r = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-x"})
        print(i, r.status_code, [t.name for t in r.templates if "allauth" not in t.name], "lockout-message" in r.text, AccessAttempt.objects.count())
    r = client.post(reverse("account_login"), {"login": user.email, "password": password})
    print("correct", r.status_code, r.get("Location"), [t.name for t in r.templates if "allauth" not in t.name], "lockout-message" in r.text)
    assert 0
