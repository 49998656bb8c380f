"""Nothing personal and nothing hidden ever leaves the platform through the open data: not through the API, not
through the rows of the datasets (which the exports and the catalogue use).

The secrets below are planted where a careless column or filter would pick them up: e-mails and names of users,
registrants of a meeting, titles of hidden or unpublished things. Exports add their responses to
``test_nothing_personal_or_hidden_leaves_through_the_open_data``."""

import json
import re

import pytest

from cittasmart.opendata.api import api  # noqa: F401  (imports the API in the right order)
from cittasmart.opendata.datasets import DATASETS
from tests.factories import (
    ActionFactory,
    CommentFactory,
    IdeaFactory,
    MeetingFactory,
    PlanVersionFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.opendata.test_api_read import build_public_data, make_document

BASE = "/api/v1"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")

SECRETS = [
    "citizen.secret@example.net",
    "Pseudonym Citizen",  # the display name of an author whose only idea is hidden
    "registrant.secret@example.net",
    "Registrant Secretname",
    "Hidden idea about the bridge",
    "Pending idea about the bridge",
    "Unpublished meeting on budgets",
    "Reserved minutes of the board",
    "Draft action never published",
    "Draft plan version title",
    "author.public@example.net",
    "Private comment body",
]


@pytest.fixture
def planted(db):
    data = build_public_data()
    process, meeting = data["processes"], data["meetings"]
    # A public idea: its author's public (display) name is published, never the e-mail.
    author = UserFactory(email="author.public@example.net", display_name="Visible Author")
    IdeaFactory(process=process, author=author, title="Public idea")
    citizen = UserFactory(email="citizen.secret@example.net", display_name="Pseudonym Citizen")
    IdeaFactory(process=process, author=citizen, title="Hidden idea about the bridge", is_hidden=True)
    IdeaFactory(process=process, author=author, title="Pending idea about the bridge", status="pending")
    CommentFactory(idea=data["ideas"], author=citizen, body="Private comment body")
    RegistrationFactory(meeting=meeting, name="Registrant Secretname", email="registrant.secret@example.net")
    RegistrationFactory(meeting=meeting, user=citizen, name="Registrant Secretname", email=citizen.email)
    MeetingFactory(title="Unpublished meeting on budgets", is_published=False)
    make_document(title="Reserved minutes of the board", access="staff")
    draft = PlanVersionFactory(plan=data["plan-versions"].plan, title="Draft plan version title")
    ActionFactory(version=draft, title="Draft action never published")
    return data


def _api_texts(client) -> list[str]:
    """Every list (all pages) and every detail of the API, as text."""
    texts = []
    for dataset in DATASETS:
        path = f"{BASE}/{dataset.slug}?limit=2"
        while path:
            response = client.get(path)
            assert response.status_code == 200, (dataset.slug, response.content)
            texts.append(response.content.decode())
            body = response.json()
            for item in body["items"]:
                detail = client.get(f"{BASE}/{dataset.slug}/{item['id']}")
                assert detail.status_code == 200
                texts.append(detail.content.decode())
            path = body["next"]
    for path in ["/ambiti", "/indicators/IND-API/measurements"]:
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 200
        texts.append(response.content.decode())
    return texts


def _dataset_texts() -> list[str]:
    return [json.dumps(list(dataset.iter_rows()), default=str) for dataset in DATASETS]


def test_nothing_personal_or_hidden_leaves_through_the_open_data(client, planted):
    texts = _api_texts(client) + _dataset_texts()
    everything = "\n".join(texts)

    # The data are there (the test would pass vacuously on empty answers otherwise).
    assert "Public idea" in everything and "Visible Author" in everything
    assert planted["meetings"].title in everything
    for secret in SECRETS:
        assert secret not in everything, secret
    # No e-mail address at all (the factories give every user and registrant one).
    assert EMAIL.findall(everything) == []


def test_no_column_of_any_dataset_is_named_like_personal_data():
    forbidden = {"email", "e_mail", "password", "phone", "registrant", "registrations", "entered_by", "user"}
    for dataset in DATASETS:
        names = {column.name for column in dataset.columns}
        assert not names & forbidden, dataset.slug
