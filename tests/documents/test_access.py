"""Who may read a document and download its files: a reserved document is a 404 to everyone else, on its page and
on every download, and its files are never reachable by a URL of their own."""

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from cittasmart.core.roles import Role
from cittasmart.documents import selectors
from cittasmart.documents.models import AccessLevel, Download, ReaderGroup
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _urls(document) -> list[str]:
    return [
        reverse("documents:detail", kwargs={"pk": document.pk}),
        reverse("documents:download", kwargs={"pk": document.pk}),
        reverse("documents:download_version", kwargs={"pk": document.pk, "number": 1}),
    ]


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Estra S.p.A.")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Publiacqua S.p.A.")


@pytest.fixture
def member_a(org_a):
    return MembershipFactory(organisation=org_a).user


@pytest.fixture
def member_b(org_b):
    return MembershipFactory(organisation=org_b).user


@pytest.fixture
def reserved(make_document, org_a):
    return make_document(
        access=AccessLevel.MEMBERS, organisations=[org_a], title="Piano riservato", lines=["Riservato"]
    )


def test_a_reserved_document_is_a_404_to_anyone_outside_its_audience(client, reserved, member_b):
    citizen = UserFactory()
    for who in (None, member_b, citizen):
        client.logout()
        if who is not None:
            client.force_login(who)
        for url in _urls(reserved):
            assert client.get(url).status_code == 404, (who, url)
    assert not Download.objects.exists()


def test_members_of_the_organisation_and_the_plan_office_read_and_download_it(
    client, reserved, member_a, office
):
    for who in (member_a, office):
        client.force_login(who)
        assert client.get(_urls(reserved)[0]).status_code == 200
        response = client.get(_urls(reserved)[1])
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert (
            'filename="Piano-riservato.pdf"' in response["Content-Disposition"]
            or "documento.pdf" in (response["Content-Disposition"])
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    log = list(Download.objects.order_by("id").values_list("user_id", "version__number", "document_id"))
    assert log == [(member_a.pk, 1, reserved.pk), (office.pk, 1, reserved.pk)]


def test_members_of_an_organisation_of_a_group_of_readers_read_it(
    client, make_document, org_a, org_b, member_b
):
    group = ReaderGroup.objects.create(name="Stakeholder del piano")
    group.organisations.add(org_b)
    document = make_document(access=AccessLevel.MEMBERS, reader_groups=[group])
    client.force_login(member_b)
    assert client.get(_urls(document)[1]).status_code == 200
    group.organisations.remove(org_b)
    assert client.get(_urls(document)[1]).status_code == 404


def test_the_same_download_link_fails_after_logout(client, reserved, member_a):
    client.force_login(member_a)
    url = _urls(reserved)[1]
    assert client.get(url).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(url).status_code == 404


def test_documents_for_registered_users_and_for_the_plan_office(client, make_document, member_a, office):
    registered = make_document(access=AccessLevel.REGISTERED, title="Per chi è registrato")
    staff_only = make_document(access=AccessLevel.STAFF, title="Bozza interna")
    assert client.get(_urls(registered)[1]).status_code == 404
    client.force_login(member_a)
    assert client.get(_urls(registered)[1]).status_code == 200
    assert client.get(_urls(staff_only)[0]).status_code == 404
    client.force_login(office)
    assert client.get(_urls(staff_only)[0]).status_code == 200


def test_an_inactive_member_reads_nothing_reserved(reserved, member_a):
    member_a.is_active = False
    member_a.save()
    assert not selectors.documents_visible(user=member_a).filter(pk=reserved.pk).exists()


def test_no_url_under_the_media_root_serves_the_files(client, settings, reserved, private_storage):
    version = reserved.current_version
    path = version.file.path
    assert path.startswith(str(private_storage))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        storages["private"].url(version.file.name)
    for url in (f"{settings.MEDIA_URL}{version.file.name}", f"/media/private/{version.file.name}"):
        assert client.get(url).status_code == 404


def test_the_permission_and_the_lists_agree_for_every_role(make_document, org_a, member_a, member_b, office):
    documents = [
        make_document(access=level, organisations=[org_a] if level == AccessLevel.MEMBERS else [])
        for level in AccessLevel.values
    ]
    for who in (member_a, member_b, office, UserFactory(), UserFactory(roles=[Role.MODERATOR])):
        visible = set(selectors.documents_visible(user=who).values_list("pk", flat=True))
        allowed = {d.pk for d in documents if who.has_perm("documents.view_document", d)}
        assert visible == allowed, who
    assert len(set(selectors.documents_visible(user=office))) == 4
    assert {d.access for d in selectors.documents_visible(user=member_b)} == {"public", "registered"}


def test_public_downloads_are_not_logged_and_are_cacheable(client, make_document):
    document = make_document(access=AccessLevel.PUBLIC)
    response = client.get(_urls(document)[1])
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert not Download.objects.exists()


def test_an_unknown_version_is_a_404(client, make_document):
    document = make_document()
    url = reverse("documents:download_version", kwargs={"pk": document.pk, "number": 2})
    assert client.get(url).status_code == 404


def test_the_personal_export_lists_the_downloads_and_erasure_keeps_the_log(client, reserved, member_a):
    from cittasmart.accounts import gdpr

    client.force_login(member_a)
    client.get(_urls(reserved)[1])
    exported = next(c for c in gdpr.contributors() if c.name == "documents").export(member_a)
    assert [(d["document"], d["version"]) for d in exported["downloads"]] == [("Piano riservato", 1)]
    from cittasmart.accounts.services import user_erase

    user_erase(user=member_a)
    member_a.refresh_from_db()
    assert Download.objects.get().user == member_a
    assert member_a.email.startswith("erased-")
