"""News: writing, publishing once (the followers of its domains are told once, never the author), drafts hidden from
citizens, the public list with its domain filter, a news item's page with only the links its reader may open, the
home page's latest news, the RSS and Atom feeds, and the plan office's pages (image with its text alternative, bad
input answered with 400, never 500)."""

import datetime
import html
import io
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cittasmart.core.audit import AuditEntry
from cittasmart.documents import selectors_news, services_news
from cittasmart.documents.models import AccessLevel, NewsItem
from cittasmart.participation import services as participation_services
from cittasmart.participation.models import EmailFrequency, Notification, NotificationKind
from tests.factories import (
    ActionFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanVersionFactory,
    ProcessFactory,
    UserFactory,
    publish,
)
from tests.helpers import italian, links_in

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """News images are public media: they go to a folder of the test. Tasks run at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://smart.example.org"
    return settings.MEDIA_ROOT


def png(name: str = "piazza.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (30, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def make_news(office):
    """``make_news(title=..., ambiti=[...], published=True, **fields)``: a news item written by the plan office."""

    def make(*, title="Nuove piste ciclabili", ambiti=("mobility",), published=True, **fields):
        fields.setdefault("summary", f"In breve: {title}.")
        news = services_news.news_create(actor=office, title=title, ambiti=ambiti, **fields)
        if published:
            news = services_news.news_publish(actor=office, news=news)
        return news

    return make


def follower_of(*ambiti, frequency=None):
    user = UserFactory()
    for ambito in ambiti:
        participation_services.ambito_follow_set(user=user, ambito=ambito, following=True)
    if frequency:
        participation_services.notification_settings_update(user=user, email_frequency=frequency)
    return user


def news_notifications() -> list[tuple[int, str]]:
    return sorted(
        Notification.objects.filter(kind=NotificationKind.NEWS).values_list("recipient_id", "ambito")
    )


# --- Services -------------------------------------------------------------------------------------------


def test_the_slug_comes_from_the_title_and_is_unique(make_news):
    first = make_news(title="Città più verde!")
    second = make_news(title="Città più verde!")
    third = make_news(title="Città  più   verde")
    nameless = make_news(title="!!!")

    assert [first.slug, second.slug, third.slug] == [
        "citta-piu-verde",
        "citta-piu-verde-2",
        "citta-piu-verde-3",
    ]
    assert nameless.slug == "news"
    assert len(make_news(title="parola " * 28).slug) <= NewsItem._meta.get_field("slug").max_length


def test_the_slug_stays_when_the_title_changes(make_news, office):
    news = make_news(title="Primo titolo")

    services_news.news_update(actor=office, news=news, title="Un titolo diverso")

    news.refresh_from_db()
    assert (news.title, news.slug) == ("Un titolo diverso", "primo-titolo")


@pytest.mark.parametrize("who", ["anonymous", "citizen", "moderator"])
def test_only_the_plan_office_writes_news(who, make_news, moderator):
    from django.contrib.auth.models import AnonymousUser

    actor = {"anonymous": AnonymousUser(), "citizen": UserFactory(), "moderator": moderator}[who]
    draft = make_news(published=False)

    with pytest.raises(PermissionDenied):
        services_news.news_create(actor=actor, title="Falsa", summary="No.", ambiti=["ict"])
    with pytest.raises(PermissionDenied):
        services_news.news_publish(actor=actor, news=draft)
    with pytest.raises(PermissionDenied):
        services_news.news_update(actor=actor, news=draft, title="Cambiata")

    draft.refresh_from_db()
    assert NewsItem.objects.count() == 1 and draft.published_at is None and draft.title != "Cambiata"


def test_publishing_tells_each_follower_of_its_domains_once_and_never_the_author(make_news, office):
    mobility = follower_of("mobility")
    environment = follower_of("environment")
    both = follower_of("environment", "mobility")
    elsewhere = follower_of("ict")
    participation_services.ambito_follow_set(user=office, ambito="mobility", following=True)
    news = make_news(ambiti=["mobility", "environment"], published=False)
    assert news_notifications() == []  # a draft tells nobody

    published = services_news.news_publish(actor=office, news=news)

    # One notification each, naming the first followed domain in the taxonomy's order (mobility before
    # environment); none to the author, none to who follows another domain.
    assert news_notifications() == sorted(
        [(mobility.pk, "mobility"), (environment.pk, "environment"), (both.pk, "mobility")]
    )
    assert not Notification.objects.filter(recipient__in=[office, elsewhere]).exists()
    row = Notification.objects.get(recipient=mobility)
    assert row.subject_title == "Nuove piste ciclabili"
    assert row.subject_path == reverse("documents:news_detail", kwargs={"slug": news.slug})
    assert published.published_at is not None and published.notified_at is not None
    assert AuditEntry.objects.filter(code="documents.news.published", data__notified=3).count() == 1


def test_publishing_again_or_after_taking_back_notifies_nobody_a_second_time(make_news, office):
    follower = follower_of("mobility")
    news = make_news()
    first_date = NewsItem.objects.get(pk=news.pk).published_at

    services_news.news_publish(actor=office, news=news)
    assert NewsItem.objects.get(pk=news.pk).published_at == first_date  # already public: unchanged
    services_news.news_unpublish(actor=office, news=news)
    assert NewsItem.objects.get(pk=news.pk).published_at is None
    services_news.news_publish(actor=office, news=news)

    assert Notification.objects.filter(recipient=follower).count() == 1
    assert NewsItem.objects.get(pk=news.pk).published_at > first_date


def test_a_news_item_scheduled_for_later_is_made_public_now_by_publishing(make_news, office):
    news = make_news(published=False)
    NewsItem.objects.filter(pk=news.pk).update(published_at=timezone.now() + datetime.timedelta(days=3))

    services_news.news_publish(actor=office, news=news)

    assert NewsItem.objects.get(pk=news.pk).is_published


def test_an_image_needs_its_text_alternative_and_the_database_agrees(make_news, office, media):
    with pytest.raises(ValidationError) as caught:
        services_news.news_create(
            actor=office, title="Foto", summary="Una foto.", image=png(), image_alt="  "
        )
    assert "image_alt" in caught.value.error_dict
    assert not NewsItem.objects.exists()
    assert not any((media / "news").glob("*"))

    news = make_news(published=False)
    with pytest.raises(IntegrityError), transaction.atomic():  # the last guard: the check constraint
        NewsItem.objects.filter(pk=news.pk).update(image="news/x.png", image_alt="")


def test_unknown_domains_are_refused(office):
    with pytest.raises(ValidationError) as caught:
        services_news.news_create(actor=office, title="Boh", summary="Boh.", ambiti=["mobility", "space"])
    assert "ambiti" in caught.value.error_dict
    assert not NewsItem.objects.exists()


def test_replacing_the_image_deletes_the_old_file_after_the_commit(
    make_news, office, media, django_capture_on_commit_callbacks
):
    news = make_news(image=png("prima.png"), image_alt="La piazza di giorno")
    old = media / news.image.name
    assert old.exists()

    with django_capture_on_commit_callbacks(execute=True):
        news = services_news.news_update(actor=office, news=news, image=png("dopo.png"), image_alt="Di notte")

    assert not old.exists()
    assert (media / news.image.name).exists()


# --- Selectors and pages: drafts are hidden ---------------------------------------------------------------


def test_a_draft_is_a_404_to_citizens_and_visible_to_the_plan_office(
    client, make_news, office, administrator
):
    draft = make_news(title="Bozza riservata", published=False)
    url = draft.get_absolute_url()

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    with pytest.raises(Http404):
        selectors_news.news_for_user(user=UserFactory(), slug=draft.slug)

    for staff in (office, administrator):
        client.force_login(staff)
        response = client.get(url)
        assert response.status_code == 200
        assert "Bozza riservata" in response.content.decode()
        assert response.context["news"].pk == draft.pk


def test_the_public_list_shows_only_published_news_filtered_by_domain(client, make_news):
    make_news(title="Bus elettrici", ambiti=["mobility"])
    make_news(title="Raccolta differenziata", ambiti=["environment"])
    make_news(title="Bozza sui parcheggi", ambiti=["mobility"], published=False)
    future = make_news(title="Domani", ambiti=["mobility"], published=False)
    NewsItem.objects.filter(pk=future.pk).update(published_at=timezone.now() + datetime.timedelta(days=1))
    url = reverse("documents:news_list")

    every = client.get(url)
    mobility = client.get(url, {"ambito": "mobility"})

    titles = [n.title for n in every.context["page"].object_list]
    assert titles == ["Raccolta differenziata", "Bus elettrici"]
    assert [n.title for n in mobility.context["page"].object_list] == ["Bus elettrici"]
    assert "Bozza" not in every.content.decode() and "Domani" not in every.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"ambito": "space"},
        {"ambito": "x" * 5000},
        {"ambito": ["mobility", "ict"]},
        {"page": "-1"},
        {"page": "zz"},
    ],
)
def test_bad_filters_never_break_the_list(client, make_news, query):
    make_news(title="Bus elettrici", ambiti=["mobility", "ict"])

    response = client.get(reverse("documents:news_list"), query)

    assert response.status_code == 200
    assert [n.title for n in response.context["page"].object_list] == ["Bus elettrici"]


def test_a_news_page_shows_its_text_image_and_the_links_its_reader_may_open(client, make_news, make_document):
    organisation = OrganisationFactory()
    member = MembershipFactory(organisation=organisation).user
    public = make_document(title="Linee attuative pubbliche")
    reserved = make_document(
        title="Verbale riservato", access=AccessLevel.MEMBERS, organisations=[organisation]
    )
    meeting = MeetingFactory(title="Incontro a Prato")
    hidden_meeting = MeetingFactory(title="Incontro non pubblicato", is_published=False)
    process = ProcessFactory(title="Agenda digitale")
    version = PlanVersionFactory()
    action = ActionFactory(title="Semafori intelligenti", version=version)
    publish(version)
    news = make_news(
        title="Il piano in movimento",
        body="Un testo **importante**.\n\n<script>alert(1)</script>",
        image=png(),
        image_alt="Una pista ciclabile lungo il fiume",
        documents=[public, reserved],
        meeting=meeting,
        process=process,
        action=action,
    )
    other = make_news(title="Altro", meeting=hidden_meeting)

    page = client.get(news.get_absolute_url()).content.decode()

    assert "<strong>importante</strong>" in page and "<script>alert(1)</script>" not in page
    assert f'src="{news.image.url}" alt="Una pista ciclabile lungo il fiume"' in page
    assert public.get_absolute_url() in page and "Linee attuative pubbliche" in page
    assert "Verbale riservato" not in page and reserved.get_absolute_url() not in page
    for obj in (meeting, process, action):
        assert obj.get_absolute_url() in page
    assert italian("Smart Mobility") in page
    assert hidden_meeting.get_absolute_url() not in client.get(other.get_absolute_url()).content.decode()

    client.force_login(member)
    assert reserved.get_absolute_url() in client.get(news.get_absolute_url()).content.decode()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_detail_home_and_feeds_cost_the_same_queries_with_more_news(
    client, make_news, make_document, django_assert_max_num_queries
):
    document = make_document(title="Allegato")
    make_news(title="Prima", ambiti=["mobility", "ict"], documents=[document])
    detail = make_news(title="Dettaglio", ambiti=["mobility", "people"], documents=[document])
    urls = [
        reverse("documents:news_list"),
        reverse("documents:news_list") + "?ambito=mobility",
        detail.get_absolute_url(),
        reverse("core:home"),
        reverse("documents:news_feed_rss"),
        reverse("documents:news_feed_atom") + "?ambito=mobility",
    ]
    client.get(urls[0])  # site settings cached, as between real requests
    few = [_count_queries(client, url) for url in urls]

    for n in range(20):
        make_news(title=f"Notizia {n}", ambiti=["mobility", "living", "ict"], documents=[document])
    many = [_count_queries(client, url) for url in urls]

    assert many == few
    for url in urls:
        with django_assert_max_num_queries(8):
            client.get(url)


def test_the_list_costs_bounded_queries_for_a_signed_in_follower(
    client, make_news, django_assert_max_num_queries
):
    for n in range(15):
        make_news(title=f"Notizia {n}", ambiti=["mobility", "ict"])
    client.force_login(follower_of("mobility"))
    client.get(reverse("core:home"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("documents:news_list"), {"ambito": "mobility"})
    assert response.context["follow"]["following"] is True


# --- Home page ------------------------------------------------------------------------------------------


def test_the_home_page_shows_the_latest_three_published_news(client, make_news):
    for n, days in enumerate([9, 7, 5, 3]):
        news = make_news(title=f"Notizia numero {n}")
        NewsItem.objects.filter(pk=news.pk).update(
            published_at=timezone.now() - datetime.timedelta(days=days)
        )
    make_news(title="Bozza in lavorazione", published=False)

    page = client.get(reverse("core:home")).content.decode()

    shown = [title for title in (f"Notizia numero {n}" for n in range(4)) if title in page]
    assert shown == ["Notizia numero 1", "Notizia numero 2", "Notizia numero 3"]
    assert page.index("Notizia numero 3") < page.index("Notizia numero 1")  # newest first
    assert "Bozza in lavorazione" not in page
    assert reverse("documents:news_list") in page


def test_the_home_page_has_no_news_section_without_news(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert 'id="news-home-title"' not in response.content.decode()


# --- Feeds ----------------------------------------------------------------------------------------------


def test_the_rss_feed_lists_published_news_with_absolute_links(client, make_news):
    make_news(title="Bus elettrici", ambiti=["mobility"])
    make_news(title="Raccolta differenziata", ambiti=["environment"])
    make_news(title="Bozza segreta", published=False)

    response = client.get(reverse("documents:news_feed_rss"))

    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 (our own feed, in a test)
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Raccolta differenziata", "Bus elettrici"]
    for item in items:
        assert item.findtext("link").startswith("http://testserver/")
        assert item.findtext("link").endswith(
            NewsItem.objects.get(title=item.findtext("title")).get_absolute_url()
        )
    assert channel.findtext("link") == "http://testserver" + reverse("documents:news_list")
    assert italian("Smart Mobility") in [c.text for c in items[1].findall("category")]
    assert b"Bozza segreta" not in response.content


def test_the_atom_feed_of_one_domain(client, make_news):
    make_news(title="Bus elettrici", ambiti=["mobility"])
    make_news(title="Raccolta differenziata", ambiti=["environment"])
    make_news(title="Bozza sui bus", ambiti=["mobility"], published=False)

    response = client.get(reverse("documents:news_feed_atom"), {"ambito": "mobility"})

    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed, in a test)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Bus elettrici"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == "http://testserver" + NewsItem.objects.get(title="Bus elettrici").get_absolute_url()
    self_link = [el.get("href") for el in feed.findall(f"{ATOM}link") if el.get("rel") == "self"]
    assert self_link == ["http://testserver" + reverse("documents:news_feed_atom") + "?ambito=mobility"]


def test_a_feed_of_an_unknown_domain_is_a_404(client):
    for name in ("documents:news_feed_rss", "documents:news_feed_atom"):
        assert client.get(reverse(name), {"ambito": "space"}).status_code == 404
        assert client.get(reverse(name), {"ambito": "<script>"}).status_code == 404


def test_the_list_announces_its_feeds(client, make_news):
    page = client.get(reverse("documents:news_list"), {"ambito": "ict"}).content.decode()

    rss = reverse("documents:news_feed_rss") + "?ambito=ict"
    atom = reverse("documents:news_feed_atom") + "?ambito=ict"
    assert '<link rel="alternate" type="application/rss+xml"' in page and f'href="{rss}"' in page
    assert '<link rel="alternate" type="application/atom+xml"' in page and f'href="{atom}"' in page


# --- The plan office's pages ----------------------------------------------------------------------------


def news_data(**overrides) -> dict:
    data = {
        "title": "Nuovo bando",
        "summary": "Un nuovo bando per le scuole.",
        "body": "Testo.",
        "op": "save",
    }
    data.update(overrides)
    return data


def test_the_plan_office_writes_a_draft_with_an_image_then_publishes_it(client, office, media):
    follower = follower_of("people")
    client.force_login(office)

    response = client.post(
        reverse("documents:news_create"),
        news_data(ambiti=["people", "ict"], image=png(), image_alt="Bambini in una classe"),
    )

    news = NewsItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "documents:news_edit", args=[news.slug]
    )
    assert news.published_at is None and sorted(news.ambito_list) == ["ict", "people"]
    assert news.image.name.startswith("news/") and (media / news.image.name).exists()
    assert news.author == office
    assert not Notification.objects.exists()

    response = client.post(reverse("documents:news_publish", args=[news.slug]), {"op": "publish"})

    assert response.status_code == 302 and response["Location"] == reverse("documents:news_manage")
    news.refresh_from_db()
    assert news.is_published
    assert list(Notification.objects.values_list("recipient", flat=True)) == [follower.pk]


def test_save_and_publish_at_once(client, office):
    follower = follower_of("ict")
    client.force_login(office)

    client.post(reverse("documents:news_create"), news_data(ambiti=["ict"], op="publish"))

    assert NewsItem.objects.get().is_published
    assert Notification.objects.filter(recipient=follower, kind=NotificationKind.NEWS).count() == 1


def unescape_italian(message: str) -> str:
    """The Italian text of a form error, as the form holds it (not escaped for a page)."""
    return html.unescape(italian(message))


def test_an_image_without_its_text_alternative_is_refused_with_a_message(client, office, media):
    client.force_login(office)

    response = client.post(reverse("documents:news_create"), news_data(image=png(), image_alt=""))

    assert response.status_code == 400
    assert "image_alt" in response.context["form"].errors
    assert response.context["form"].errors["image_alt"] == [
        unescape_italian(
            "Describe the image for people who cannot see it: the text alternative is required with an image."
        )
    ]
    assert not NewsItem.objects.exists()
    assert not (media / "news").exists() or not any((media / "news").iterdir())


def test_keeping_the_image_but_emptying_its_alternative_is_refused_on_edit(client, office, make_news):
    news = make_news(image=png(), image_alt="Una piazza")
    client.force_login(office)

    response = client.post(
        reverse("documents:news_edit", args=[news.slug]),
        news_data(title=news.title, summary=news.summary, ambiti=["mobility"], image_alt=""),
    )

    assert response.status_code == 400
    assert "image_alt" in response.context["form"].errors
    news.refresh_from_db()
    assert news.image_alt == "Una piazza"


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"title": "x" * 5000},
        {"summary": ""},
        {"ambiti": ["space"]},
        {"image": SimpleUploadedFile("fake.png", b"<svg onload=alert(1)>", content_type="image/png")},
        {"meeting": "999999"},
        {"documents": ["abc"]},
    ],
    ids=["no-title", "huge-title", "no-summary", "unknown-domain", "not-an-image", "no-meeting", "bad-doc"],
)
def test_bad_input_gets_a_400_with_the_form_never_a_500(client, office, overrides):
    client.force_login(office)

    response = client.post(reverse("documents:news_create"), news_data(image_alt="alt", **overrides))

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not NewsItem.objects.exists()


def test_unknown_operations_are_a_400(client, office, make_news):
    news = make_news(published=False)
    client.force_login(office)

    assert client.post(reverse("documents:news_create"), news_data(op="delete")).status_code == 400
    assert client.post(reverse("documents:news_publish", args=[news.slug]), {"op": "x"}).status_code == 400
    assert client.get(reverse("documents:news_publish", args=[news.slug])).status_code == 405
    assert not NewsItem.objects.get(pk=news.pk).is_published


def test_editing_keeps_the_address_and_can_take_the_news_back(client, office, make_news):
    news = make_news(title="Prima versione", ambiti=["mobility"])
    client.force_login(office)

    response = client.post(
        reverse("documents:news_edit", args=[news.slug]),
        news_data(title="Seconda versione", summary="Nuovo riassunto.", ambiti=["ict"]),
    )
    assert response.status_code == 302
    news.refresh_from_db()
    assert (news.title, news.slug, news.ambito_list) == ("Seconda versione", "prima-versione", ["ict"])

    client.post(
        reverse("documents:news_publish", args=[news.slug]),
        {"op": "unpublish", "next": "https://evil.example.org/"},
    )
    assert NewsItem.objects.get(pk=news.pk).published_at is None
    client.logout()
    assert client.get(news.get_absolute_url()).status_code == 404


def test_the_staff_pages_are_closed_to_others(client, make_news):
    news = make_news(published=False)
    urls = [
        reverse("documents:news_manage"),
        reverse("documents:news_create"),
        reverse("documents:news_edit", args=[news.slug]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("documents:news_publish", args=[news.slug]), {"op": "publish"}).status_code == 403
    )
    assert client.post(reverse("documents:news_create"), news_data()).status_code == 403
    assert NewsItem.objects.count() == 1 and not NewsItem.objects.get().is_published


def test_the_staff_list_shows_drafts_first_at_constant_queries(
    client, office, make_news, django_assert_max_num_queries
):
    make_news(title="Pubblicata")
    make_news(title="Bozza", published=False)
    client.force_login(office)
    url = reverse("documents:news_manage")
    few = _count_queries(client, url)
    for n in range(10):
        make_news(title=f"Altra {n}", ambiti=["ict", "living"], published=n % 2 == 0)

    with django_assert_max_num_queries(few):
        response = client.get(url)

    shown = list(response.context["page"].object_list)
    assert len(shown) == 12
    published = [news.is_published for news in shown]
    assert published == sorted(published) and published.count(False) == 6  # drafts first
    assert shown[0].title == "Altra 9"  # the newest draft


# --- E-mail to who wants it at once ---------------------------------------------------------------------


def test_an_immediate_follower_gets_an_email_with_the_link_to_the_news(
    make_news, office, django_capture_on_commit_callbacks
):
    follower = follower_of("living", frequency=EmailFrequency.IMMEDIATE)
    daily = follower_of("living", frequency=EmailFrequency.DAILY)

    with django_capture_on_commit_callbacks(execute=True):
        news = make_news(title="Nuovo parco urbano", ambiti=["living"])

    assert [m.to for m in mail.outbox] == [[follower.email]]
    message = mail.outbox[0]
    assert "Nuovo parco urbano" in message.body and italian("Smart Living") in message.body
    assert news.get_absolute_url() in links_in(message.body)
    assert f"https://smart.example.org{news.get_absolute_url()}" in message.body
    assert str(NotificationKind.NEWS.label) in message.subject
    assert Notification.objects.filter(recipient=daily, emailed_at__isnull=True).count() == 1


@pytest.mark.parametrize("next_url", ["Prato", "👩‍👩‍👧‍👦", "documents:news_list"])
def test_taking_back_goes_back_only_to_a_path_of_the_site(client, office, make_news, next_url):
    # Any other text was taken by ``redirect()`` for the name of a view: NoReverseMatch, a server error.
    news = make_news()
    client.force_login(office)

    response = client.post(
        reverse("documents:news_publish", args=[news.slug]), {"op": "unpublish", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("documents:news_manage")
    assert NewsItem.objects.get(pk=news.pk).published_at is None
