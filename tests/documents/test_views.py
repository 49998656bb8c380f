"""The library, a document's page, the reserved area and the plan office's pages, through the test client."""

import datetime

import pytest
from django.urls import reverse

from cittasmart.core.models import AuditEntry
from cittasmart.documents.models import AccessLevel, DocumentCategory, Download
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    return OrganisationFactory(name="ASM Ambiente Servizi Mobilità")


@pytest.fixture
def member(org):
    return MembershipFactory(organisation=org).user


def test_the_library_lists_what_each_person_may_read(client, make_document, org, member):
    make_document(title="Schema preliminare del piano")
    make_document(title="Verbale della cabina di regia", access=AccessLevel.MEMBERS, organisations=[org])
    page = client.get(reverse("documents:library")).content.decode()
    assert "Schema preliminare del piano" in page
    assert "Verbale della cabina di regia" not in page
    client.force_login(member)
    page = client.get(reverse("documents:library")).content.decode()
    assert "Verbale della cabina di regia" in page


def test_the_library_filters_by_category_year_and_words(client, make_document):
    survey = DocumentCategory.objects.get(slug="indagine")
    make_document(title="Indagine 2016", category=survey, date=datetime.date(2016, 10, 1))
    make_document(title="Linee attuative 2017", date=datetime.date(2017, 7, 21))
    url = reverse("documents:library")
    assert "Linee attuative 2017" not in client.get(url, {"category": "indagine"}).content.decode()
    assert "Indagine 2016" in client.get(url, {"category": "indagine"}).content.decode()
    page = client.get(url, {"year": "2017"}).content.decode()
    assert "Linee attuative 2017" in page and "Indagine 2016" not in page
    page = client.get(url, {"q": "indagine"}).content.decode()
    assert "Indagine 2016" in page and "Linee attuative 2017" not in page
    for bad in ({"year": "abc"}, {"category": "\x00"}, {"q": "\x00" * 300}, {"page": "-1"}):
        assert client.get(url, bad).status_code == 200


def test_the_reserved_area_needs_an_account_and_groups_by_category(client, make_document, org, member):
    make_document(title="Pubblico")
    make_document(title="Per i registrati", access=AccessLevel.REGISTERED)
    make_document(
        title="Per gli stakeholder",
        access=AccessLevel.MEMBERS,
        organisations=[org],
        category=DocumentCategory.objects.get(slug="stakeholders"),
    )
    url = reverse("documents:reserved_area")
    assert client.get(url).status_code == 302
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Per i registrati" in page and "Per gli stakeholder" in page and "Pubblico" not in page
    assert page.index("Linee guida e linee attuative") < page.index("Stakeholders")
    client.force_login(UserFactory())
    page = client.get(url).content.decode()
    assert "Per i registrati" in page and "Per gli stakeholder" not in page


def test_list_pages_have_a_bounded_number_of_queries(
    client, make_document, org, member, django_assert_max_num_queries
):
    def load(count):
        for n in range(count):
            make_document(title=f"Documento {n}", access=AccessLevel.MEMBERS, organisations=[org])
            make_document(title=f"Pubblico {n}")

    client.force_login(member)
    load(2)
    with django_assert_max_num_queries(14) as small:
        assert client.get(reverse("documents:library")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("documents:reserved_area")).status_code == 200
    document = make_document(title="Con versioni", access=AccessLevel.MEMBERS, organisations=[org])
    with django_assert_max_num_queries(16):
        assert client.get(document.get_absolute_url()).status_code == 200
    load(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("documents:library")).status_code == 200


def test_the_plan_office_edits_the_access_and_the_change_is_audited(
    client, office, make_document, org, member
):
    document = make_document(title="Bozza", access=AccessLevel.STAFF)
    client.force_login(office)
    response = client.post(
        reverse("documents:edit", kwargs={"pk": document.pk}),
        {
            "title": "Bozza condivisa",
            "category": document.category_id,
            "date": "2021-01-10",
            "language": "it",
            "licence": "CC-BY-4.0",
            "access": AccessLevel.MEMBERS,
            "organisations": [org.pk],
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Bozza condivisa"
    assert list(document.organisations.all()) == [org]
    assert AuditEntry.objects.filter(code="documents.document.updated", object_id=str(document.pk)).exists()
    client.force_login(member)
    assert client.get(document.get_absolute_url()).status_code == 200


def test_the_download_log_shows_who_downloaded_which_version(client, office, make_document, org, member):
    document = make_document(title="Riservato", access=AccessLevel.MEMBERS, organisations=[org])
    client.force_login(member)
    client.get(reverse("documents:download", kwargs={"pk": document.pk}))
    assert Download.objects.get().user == member
    client.force_login(office)
    page = client.get(reverse("documents:download_log", kwargs={"pk": document.pk})).content.decode()
    assert member.email in page
    client.force_login(member)
    assert client.get(reverse("documents:download_log", kwargs={"pk": document.pk})).status_code == 403


def test_the_profile_shows_the_reserved_area_to_who_has_reserved_documents(
    client, make_document, org, member
):
    make_document(title="Riservato", access=AccessLevel.MEMBERS, organisations=[org])
    client.force_login(member)
    assert reverse("documents:reserved_area") in client.get(reverse("accounts:profile")).content.decode()
    client.force_login(UserFactory())
    assert reverse("documents:reserved_area") not in client.get(reverse("accounts:profile")).content.decode()


def test_the_pages_of_linked_objects_list_the_documents_their_reader_may_open(
    client, make_document, org, member
):
    from tests.factories import MeetingFactory, PlanVersionFactory, SurveyRoundFactory, publish

    version = publish(PlanVersionFactory())
    meeting = MeetingFactory()
    survey_round = SurveyRoundFactory(status="closed")
    public = make_document(title="Linee guida approvate", plan_version=version, meeting=meeting)
    make_document(
        title="Verbale riservato",
        plan_version=version,
        meeting=meeting,
        access=AccessLevel.MEMBERS,
        organisations=[org],
    )
    for url in (version.get_absolute_url(), meeting.get_absolute_url()):
        page = client.get(url).content.decode()
        assert public.get_absolute_url() in page, url
        assert "Verbale riservato" not in page, url
    client.force_login(member)
    for url in (version.get_absolute_url(), meeting.get_absolute_url()):
        assert "Verbale riservato" in client.get(url).content.decode(), url

    # The document links back to what is public of them (a survey round by its report, once published).
    linked = make_document(title="Rapporto", survey_round=survey_round, plan_version=version)
    page = client.get(linked.get_absolute_url()).content.decode()
    assert version.get_absolute_url() in page
    report = reverse("survey:report", kwargs={"slug": survey_round.slug})
    assert report not in page
    survey_round.status = "published"
    survey_round.save()
    assert report in client.get(linked.get_absolute_url()).content.decode()
    assert client.get(report).status_code == 200
