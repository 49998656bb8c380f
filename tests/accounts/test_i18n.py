import pytest
from django.urls import reverse
from django.utils import translation


@pytest.mark.django_db
def test_password_errors_are_in_italian_on_the_italian_sign_up(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "short", "password2": "short", "privacy_accepted": "on"},
    )
    assert response.status_code == 200
    assert "This password is too short" not in response.text
    with translation.override("it"):
        expected = (
            translation.ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                10,
            )
            % 10
        )
    assert expected in response.text
    assert expected.startswith("Questa password")


@pytest.mark.django_db
def test_language_switcher_names_each_language_in_itself(client):
    page = client.get(reverse("core:home")).text
    assert 'hreflang="en"' in page
    assert "<span>English</span>" in page and "<span>Italiano</span>" in page
