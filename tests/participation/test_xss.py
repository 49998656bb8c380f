"""User content never becomes markup: titles, bodies, comments, display names and organisation names are escaped on
the page of an idea and in the similar-ideas panel; Markdown links to ``javascript:`` are dropped."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from cittasmart.participation import services
from cittasmart.participation.models import Idea, Phase
from tests.factories import MembershipFactory, OrganisationFactory, ProcessFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
PAYLOADS = (SCRIPT, IMG)


def process_in(kind: str = "collecting"):
    process = ProcessFactory(phase="")
    today = timezone.localdate()
    Phase.objects.create(
        process=process,
        kind=kind,
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=3),
    )
    return process


def idea_url(idea: Idea) -> str:
    return reverse("participation:idea", kwargs={"slug": idea.process.slug, "pk": idea.pk})


class Elements(HTMLParser):
    """The elements of a page as a browser would build them: what the payloads must not become."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_escaped(page: str) -> None:
    parser = Elements()
    parser.feed(page)
    for tag, attrs in parser.elements:
        assert not (tag == "script" and "src" not in attrs), "an inline script made it into the page"
        assert not any(name.startswith("on") for name in attrs), f"an event handler on <{tag}>"
        assert attrs.get("src") != "x"
        assert not attrs.get("href", "").lower().startswith("javascript")
    for payload in PAYLOADS:
        assert payload not in page
    assert "&lt;script&gt;alert(" in page


def assert_escaped_links(page: str) -> None:
    parser = Elements()
    parser.feed(page)
    hrefs = [attrs.get("href", "") for _tag, attrs in parser.elements]
    assert not [href for href in hrefs if href.strip().lower().startswith("javascript")]


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


@pytest.fixture
def evil_member():
    organisation = OrganisationFactory(name=f"Org {SCRIPT}")
    return MembershipFactory(organisation=organisation, user=UserFactory(display_name=f"Mallory {IMG}")).user


def test_idea_detail_escapes_everything(client, evil_member):
    process = process_in()
    organisation = evil_member.memberships.get().organisation
    idea = services.idea_create(
        user=evil_member,
        process=process,
        title=f"Title {SCRIPT}",
        body=f"Body {SCRIPT} and {IMG}",
        place_name=f"Place {IMG}",
        organisation=organisation,
    )
    services.comment_create(
        user=evil_member, idea=idea, body=f"Comment {SCRIPT} {IMG}", organisation=organisation
    )
    client.force_login(UserFactory())

    page = client.get(idea_url(idea)).content.decode()

    assert_escaped(page)
    assert "Title &lt;script&gt;" in page
    assert "Org &lt;script&gt;" in page
    assert "Mallory &lt;img" in page


def test_markdown_links_with_javascript_are_removed(client, user):
    process = process_in()
    idea = services.idea_create(
        user=user,
        process=process,
        title="Link",
        body="[click me](javascript:alert(1)) and [ok](https://example.org/) and <a href='javascript:alert(2)'>x</a>",
    )

    page = client.get(idea_url(idea)).content.decode()

    assert_escaped_links(page)
    content = main_of(page)
    assert "javascript:alert(1)" not in content  # the Markdown link keeps its text, loses its address
    assert "click me" in content
    assert 'href="https://example.org/"' in page


def test_similar_panel_escapes_titles(client, user):
    process = process_in()
    services.idea_create(
        user=UserFactory(), process=process, title=f"Piste ciclabili {SCRIPT}", body="Piste."
    )
    client.force_login(user)

    response = client.get(
        reverse("participation:idea_similar", kwargs={"slug": process.slug}), {"title": "piste ciclabili"}
    )

    page = response.content.decode()
    assert "Piste ciclabili &lt;script&gt;" in page
    assert_escaped(page)


def test_the_form_keeps_submitted_text_escaped(client, user):
    process = process_in()
    client.force_login(user)

    response = client.post(
        reverse("participation:idea_create", kwargs={"slug": process.slug}),
        {"title": f'"><{SCRIPT}', "body": SCRIPT, "check": "1"},
    )

    page = response.content.decode()
    assert_escaped(page)
