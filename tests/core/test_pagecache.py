"""The whole-page cache of anonymous pages: served without queries, replaced by any write under the page,
never used for logged-in people or requests and responses that carry state."""

import gzip

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse

from cittasmart.core import pagecache
from cittasmart.core.services import site_settings_get
from cittasmart.participation.models import Idea
from tests.factories import IdeaFactory, ProcessFactory, TourFactory
from tests.helpers import reverse_en

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_settings():
    """The site settings row is created by the first page ever rendered: a write, done here beforehand."""
    site_settings_get()


@pytest.fixture
def idea():
    return IdeaFactory(process=ProcessFactory(), title="Panchine all'ombra")


def ideas_url(idea) -> str:
    return reverse("participation:idea_list", kwargs={"slug": idea.process.slug})


def version(app: str) -> int:
    """The content version of ``app`` as a page read now would see it."""
    return int(pagecache.versions((app,)).split("=")[1])


def stored_version(app: str) -> int:
    """The content version of ``app`` in the cache, as other connections see it."""
    return cache.get(pagecache._version_key(app)) or 0


def test_the_second_anonymous_visit_costs_no_query(client, idea, django_assert_num_queries):
    first = client.get(ideas_url(idea))
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = client.get(ideas_url(idea))

    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_write_through_update_replaces_the_page(client, idea):
    assert "Panchine" in client.get(ideas_url(idea)).text

    Idea.objects.filter(pk=idea.pk).update(title="Fontanelle in piazza")

    page = client.get(ideas_url(idea)).text
    assert "Fontanelle in piazza" in page
    assert "Panchine" not in page


def test_a_write_to_an_app_the_page_does_not_read_keeps_the_page(client, idea, django_assert_num_queries):
    client.get(ideas_url(idea))

    TourFactory()  # meetings: not under the idea list

    with django_assert_num_queries(0):
        assert client.get(ideas_url(idea)).status_code == 200


def test_logged_in_people_always_get_a_fresh_page(client, idea, user):
    client.force_login(user)
    client.get(ideas_url(idea))

    second = client.get(ideas_url(idea))

    assert second.context is not None  # rendered, not replayed


def test_a_session_cookie_skips_the_cache(client, idea):
    client.get(ideas_url(idea))
    client.cookies["sessionid"] = "anything"

    assert client.get(ideas_url(idea)).context is not None


def test_languages_and_fragments_have_their_own_pages(client, idea):
    italian = client.get(ideas_url(idea)).text
    english = client.get(reverse_en("participation:idea_list", kwargs={"slug": idea.process.slug})).text
    fragment = client.get(ideas_url(idea), headers={"HX-Request": "true"})

    assert 'lang="it"' in italian
    assert 'lang="en"' in english
    assert "<html" not in fragment.text
    assert "<html" in client.get(ideas_url(idea)).text


def test_the_cache_can_be_switched_off(client, idea, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(ideas_url(idea))

    assert client.get(ideas_url(idea)).context is not None


def _request():
    request = RequestFactory().get("/some/page/")
    request.user = AnonymousUser()
    request.session = type("Session", (), {"modified": False})()
    return request


def test_a_response_that_sets_a_csrf_cookie_is_not_kept():
    calls = []

    @pagecache.cache_anonymous_page("participation")
    def view(request):
        calls.append(1)
        return HttpResponse(get_token(request))

    view(_request())
    view(_request())

    assert len(calls) == 2


def test_a_stateless_response_is_kept_and_replayed():
    calls = []

    @pagecache.cache_anonymous_page("participation")
    def view(request):
        calls.append(1)
        response = HttpResponse("same for everyone")
        response["Vary"] = "HX-Request"
        return response

    first, second = view(_request()), view(_request())

    assert len(calls) == 1
    assert second.content == first.content == b"same for everyone"
    assert second["Vary"] == "HX-Request"


def test_browsers_that_accept_gzip_get_the_page_compressed_once(client, idea, django_assert_num_queries):
    plain = client.get(ideas_url(idea))
    with django_assert_num_queries(0):
        packed = client.get(ideas_url(idea), headers={"Accept-Encoding": "gzip, deflate, br"})

    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    assert int(packed["Content-Length"]) == len(packed.content)
    for response in (plain, packed):
        assert "Accept-Encoding" in response["Vary"]
    # A cached plain page stays plain for a browser that does not take gzip, or refuses it.
    for refused in ("", "identity", "gzip;q=0", "br"):
        again = client.get(ideas_url(idea), headers={"Accept-Encoding": refused})
        assert not again.has_header("Content-Encoding")
        assert again.content == plain.content


def test_the_first_visit_is_compressed_too(client, idea):
    packed = client.get(ideas_url(idea), headers={"Accept-Encoding": "gzip"})

    assert packed["Content-Encoding"] == "gzip"
    assert b"Panchine" in gzip.decompress(packed.content)


def test_a_page_worth_compressing_is_kept_in_its_gzip_form_only():
    body = "La stessa pagina per tutti. " * 100

    @pagecache.cache_anonymous_page("participation")
    def view(request):
        return HttpResponse(body)

    view(_request())
    stored = cache.get(pagecache._page_key(_request()))
    _status, _headers, content, gzipped = stored[1]
    assert content is None and gzip.decompress(gzipped) == body.encode()

    # Replayed from that form: as it is to a browser that takes gzip, decompressed to one that does not.
    packed = _request()
    packed.META["HTTP_ACCEPT_ENCODING"] = "gzip"
    assert view(packed).content == gzipped
    assert view(_request()).content == body.encode()


def test_small_and_stateful_pages_are_not_compressed():
    @pagecache.cache_anonymous_page("participation")
    def small(request):
        return HttpResponse("same for everyone")

    @pagecache.cache_anonymous_page("participation")
    def with_token(request):
        return HttpResponse(get_token(request) + "x" * 5000)

    for view in (small, with_token):
        request = _request()
        request.META["HTTP_ACCEPT_ENCODING"] = "gzip"
        response = view(request)
        assert not response.has_header("Content-Encoding")


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0", False),
        ("gzip;q=zero", False),
        ("x-gzip-like", False),
        ("br", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_as_the_standard_says(header, accepted):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=header)

    assert pagecache.accepts_gzip(request) is accepted


def test_an_unknown_app_is_a_programming_error():
    with pytest.raises(ValueError):
        pagecache.cache_anonymous_page("elsewhere")


# --- Which writes raise which version ------------------------------------------------------------------------


def test_writes_raise_the_version_of_their_app_only(idea):
    before = {app: version(app) for app in ("participation", "plan", "meetings")}

    Idea.objects.filter(pk=idea.pk).update(title="Altro")

    assert version("participation") > before["participation"]
    assert version("plan") == before["plan"]
    assert version("meetings") == before["meetings"]


def test_logins_and_sessions_change_no_page(client, user, password):
    before = {app: version(app) for app in pagecache.WATCHED_APPS}

    client.post(reverse("account_login"), {"login": user.email, "password": password})

    assert {app: version(app) for app in pagecache.WATCHED_APPS} == before


def test_reads_change_nothing(idea):
    before = version("participation")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM participation_idea")

    assert version("participation") == before


@pytest.mark.django_db(transaction=True)
def test_the_version_is_raised_again_when_the_transaction_commits():
    idea = IdeaFactory()
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(title="Uno")
        Idea.objects.filter(pk=idea.pk).update(title="Due")
        during = version("participation")
        plan_during = version("plan")

    assert version("participation") == during + 1  # one more, once, for the whole transaction
    assert version("plan") == plan_during


@pytest.mark.django_db(transaction=True)
def test_a_transaction_of_many_writes_raises_the_version_once():
    idea = IdeaFactory()
    before = stored_version("participation")
    with transaction.atomic():
        for title in ("Uno", "Due", "Tre"):
            Idea.objects.filter(pk=idea.pk).update(title=title)
        # Other connections cannot see the writes before the commit: nothing to raise for them yet.
        assert stored_version("participation") == before

    assert stored_version("participation") == before + 1
    assert version("participation") == before + 1  # nothing left pending after the commit


@pytest.mark.django_db(transaction=True)
def test_a_page_read_inside_the_transaction_sees_its_writes(client):
    idea = IdeaFactory(title="Panchine all'ombra")
    with transaction.atomic():
        assert "Panchine" in client.get(ideas_url(idea)).text
        Idea.objects.filter(pk=idea.pk).update(title="Fontanelle in piazza")
        assert "Fontanelle in piazza" in client.get(ideas_url(idea)).text


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_raises_nothing_at_the_end():
    idea = IdeaFactory()
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(title="Uno")
        during = version("participation")
        transaction.set_rollback(True)

    assert version("participation") == during
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(title="Due")
        during = version("participation")
    assert version("participation") == during + 1
