import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_renders_in_italian_and_english(client):
    italian = client.get(reverse("core:home"))
    assert italian.status_code == 200
    assert '<html lang="it">' in italian.text
    english = client.get("/en/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.text
