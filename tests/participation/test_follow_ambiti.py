"""Following a domain (ambito) to hear of its news: the follow rows and their constraints, the preferences page, the
button of the news list, the notifications and e-mails of ``notify.news_published``, and the GDPR export and
erasure of domain follows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cittasmart.participation import notify, privacy, selectors, services, tasks
from cittasmart.participation.models import EmailFrequency, Follow, Notification, NotificationKind
from cittasmart.participation.notification_texts import describe
from tests.factories import IdeaFactory, ProcessFactory, UserFactory
from tests.helpers import italian, links_in

pytestmark = pytest.mark.django_db

NEWS_PATH = "/news/bus-elettrici/"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://partecipa.example.org"


def follow(user, *ambiti) -> None:
    for ambito in ambiti:
        services.ambito_follow_set(user=user, ambito=ambito, following=True)


def publish_news(*, ambiti, actor=None, title="Bus elettrici", path=NEWS_PATH):
    return notify.news_published(title=title, path=path, ambiti=ambiti, actor=actor)


# --- Follows and their constraints ----------------------------------------------------------------------


def test_following_a_domain_twice_keeps_one_row_and_stopping_removes_it(user):
    assert services.ambito_follow_set(user=user, ambito="mobility", following=True) is True
    assert services.ambito_follow_set(user=user, ambito="mobility", following=True) is True
    assert Follow.objects.filter(user=user, ambito="mobility").count() == 1
    assert selectors.is_following(user=user, ambito="mobility")
    assert not selectors.is_following(user=user, ambito="ict")

    assert services.ambito_follow_set(user=user, ambito="mobility", following=False) is False
    assert not Follow.objects.filter(user=user).exists()


def test_an_unknown_domain_or_an_anonymous_person_cannot_follow(user):
    with pytest.raises(ValidationError):
        services.ambito_follow_set(user=user, ambito="space", following=True)
    with pytest.raises(PermissionDenied):
        services.ambito_follow_set(user=AnonymousUser(), ambito="mobility", following=True)
    assert not Follow.objects.exists()


def test_the_database_holds_one_target_per_follow_and_one_follow_per_domain(user):
    process = ProcessFactory()
    Follow.objects.create(user=user, ambito="ict")
    for bad in (
        {"ambito": "ict"},  # the same domain twice
        {"process": process, "ambito": "economy"},  # two targets
        {"idea": IdeaFactory(process=process), "ambito": "economy"},
        {},  # no target
        {"ambito": "space"},  # not a domain
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Follow.objects.create(user=user, **bad)
    Follow.objects.create(user=user, process=process)  # a process follow is still fine
    assert sorted(Follow.objects.filter(user=user).values_list("ambito", flat=True)) == ["", "ict"]


# --- Notifications --------------------------------------------------------------------------------------


def test_news_is_notified_once_per_follower_never_to_the_actor(user):
    mobility, both, ict = UserFactory(), UserFactory(), UserFactory()
    follow(mobility, "mobility")
    follow(both, "ict", "mobility")
    follow(ict, "ict")
    follow(user, "mobility")
    process_follower = UserFactory()
    services.follow_set(user=process_follower, target=ProcessFactory(), following=True)

    rows = publish_news(ambiti=["ict", "mobility", "mobility"], actor=user)

    got = sorted(Notification.objects.values_list("recipient_id", "ambito", "kind"))
    assert got == sorted(
        [
            (mobility.pk, "mobility", NotificationKind.NEWS),
            (both.pk, "mobility", NotificationKind.NEWS),  # mobility comes before ict in the taxonomy
            (ict.pk, "ict", NotificationKind.NEWS),
        ]
    )
    assert len(rows) == 3


def test_news_without_a_followed_domain_notifies_nobody(user):
    follow(user, "economy")

    assert publish_news(ambiti=[]) == []
    assert publish_news(ambiti=["people", "not-a-domain"]) == []
    assert not Notification.objects.exists()


def test_the_text_of_a_news_notification(user):
    follow(user, "environment")
    publish_news(ambiti=["environment"], title="Raccolta differenziata")

    message = describe(Notification.objects.get(recipient=user))

    assert "Raccolta differenziata" in message.text
    assert str(NotificationKind.NEWS.label) != message.text
    assert message.path == NEWS_PATH and message.reason == ""


def test_the_notification_list_links_the_news(client, user):
    follow(user, "living")
    publish_news(ambiti=["living"], title="Nuovo parco urbano")
    client.force_login(user)

    page = client.get(reverse("participation:notifications")).content.decode()

    assert f'href="{NEWS_PATH}"' in page and "Nuovo parco urbano" in page
    assert italian("Smart Living") in page


def test_an_immediate_follower_gets_the_email_and_a_daily_one_the_digest(django_capture_on_commit_callbacks):
    at_once, daily = UserFactory(), UserFactory()
    follow(at_once, "governance")
    follow(daily, "governance")
    services.notification_settings_update(user=at_once, email_frequency=EmailFrequency.IMMEDIATE)
    services.notification_settings_update(user=daily, email_frequency=EmailFrequency.DAILY)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_news(ambiti=["governance"], title="Bilancio partecipativo")

    assert [m.to for m in mail.outbox] == [[at_once.email]]
    assert "Bilancio partecipativo" in mail.outbox[0].body
    assert NEWS_PATH in links_in(mail.outbox[0].body)

    assert tasks.enqueue_daily_digests(now=True) == 1
    digest = mail.outbox[1]
    assert digest.to == [daily.email]
    assert "Bilancio partecipativo" in digest.body and NEWS_PATH in links_in(digest.body)


# --- The preferences page -------------------------------------------------------------------------------


def test_the_preferences_page_saves_the_domains_followed(client, user):
    process = ProcessFactory()
    services.follow_set(user=user, target=process, following=True)
    follow(user, "economy")
    client.force_login(user)
    url = reverse("participation:notification_settings")

    page = client.get(url)
    assert page.context["form"].initial["ambiti"] == ["economy"]
    assert 'value="economy" id="id_ambiti_1" checked>' in page.content.decode()
    assert 'value="ict" id="id_ambiti_6">' in page.content.decode()

    saved = client.post(url, {"email_frequency": "never", "ambiti": ["ict", "mobility"]})

    assert saved.status_code == 302
    assert selectors.followed_ambiti(user=user) == ["mobility", "ict"]
    assert selectors.is_following(user=user, process=process)  # other follows stay
    assert user.notification_settings.email_frequency == "never"

    client.post(url, {"email_frequency": "daily"})
    assert selectors.followed_ambiti(user=user) == []
    assert selectors.is_following(user=user, process=process)


def test_an_unknown_domain_on_the_preferences_page_is_a_400_and_changes_nothing(client, user):
    follow(user, "people")
    client.force_login(user)

    response = client.post(
        reverse("participation:notification_settings"), {"email_frequency": "never", "ambiti": ["space"]}
    )

    assert response.status_code == 400
    assert "ambiti" in response.context["form"].errors
    assert selectors.followed_ambiti(user=user) == ["people"]


# --- The button of the news list ------------------------------------------------------------------------


def test_the_follow_button_follows_and_goes_back(client, user):
    client.force_login(user)
    back = reverse("documents:news_list") + "?ambito=mobility"

    response = client.post(
        reverse("participation:ambito_follow"), {"ambito": "mobility", "following": "1", "next": back}
    )

    assert response.status_code == 302 and response["Location"] == back
    assert selectors.followed_ambiti(user=user) == ["mobility"]
    page = client.get(back)
    assert page.context["follow"]["following"] is True
    assert italian("Stop following") in page.content.decode()

    client.post(
        reverse("participation:ambito_follow"), {"ambito": "mobility", "following": "0", "next": back}
    )
    assert selectors.followed_ambiti(user=user) == []


def test_the_follow_button_never_sends_people_to_another_site(client, user):
    client.force_login(user)

    response = client.post(
        reverse("participation:ambito_follow"),
        {"ambito": "ict", "following": "1", "next": "https://evil.example.org/"},
    )

    assert response["Location"] == reverse("participation:notification_settings")
    assert selectors.followed_ambiti(user=user) == ["ict"]


@pytest.mark.parametrize(
    "data", [{"ambito": "space", "following": "1"}, {"following": "1"}, {"ambito": "ict", "following": "yes"}]
)
def test_the_follow_button_refuses_bad_input_with_a_400(client, user, data):
    client.force_login(user)

    assert client.post(reverse("participation:ambito_follow"), data).status_code == 400
    assert not Follow.objects.exists()


def test_anonymous_people_see_a_sign_in_link_instead_of_the_button(client):
    page = client.get(reverse("documents:news_list"), {"ambito": "mobility"})

    login_url = page.context["follow"]["login_url"]
    assert login_url.startswith(reverse("account_login")) and "ambito%3Dmobility" in login_url
    assert reverse("participation:ambito_follow") not in page.content.decode()
    response = client.post(reverse("participation:ambito_follow"), {"ambito": "mobility", "following": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Follow.objects.exists()


def test_the_unfiltered_list_has_no_follow_button(client, user):
    client.force_login(user)

    page = client.get(reverse("documents:news_list"))

    assert page.context["follow"] is None
    assert reverse("participation:ambito_follow") not in page.content.decode()


# --- GDPR -----------------------------------------------------------------------------------------------


def test_the_export_lists_the_domains_followed_and_erasure_removes_them(user):
    follow(user, "ict", "living")
    services.follow_set(user=user, target=ProcessFactory(title="Agenda digitale"), following=True)
    other = UserFactory()
    follow(other, "ict")
    publish_news(ambiti=["ict"], title="Fibra in centro")

    data = privacy.export(user)

    assert sorted(f["domain"] for f in data["follows"] if f["domain"]) == ["ict", "living"]
    assert [f["process"] for f in data["follows"] if not f["domain"]] == ["Agenda digitale"]
    assert [(n["kind"], n["subject"], n["domain"]) for n in data["notifications"]] == [
        ("news", "Fibra in centro", "ict")
    ]

    privacy.erase(user)

    assert not Follow.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert selectors.followed_ambiti(user=other) == ["ict"]


@pytest.mark.parametrize("next_url", ["👩‍👩‍👧‍👦", "Prato", "core:home", "javascript:alert(1)", ""])
def test_the_follow_button_goes_back_only_to_a_path_of_the_site(client, user, next_url):
    # Any other text was taken by ``redirect()`` for the name of a view: NoReverseMatch, a server error.
    client.force_login(user)

    response = client.post(
        reverse("participation:ambito_follow"), {"ambito": "mobility", "following": "1", "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("participation:notification_settings")
    assert selectors.is_following(user=user, ambito="mobility")
