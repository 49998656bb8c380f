"""The organisations pages through the test client: list, detail, create, edit, delete, memberships."""

import pytest
from django.urls import reverse
from stdnum import luhn

from cittasmart.core.models import AuditEntry
from cittasmart.stakeholders.models import Membership, Organisation, OrganisationCategory
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.helpers import italian

pytestmark = pytest.mark.django_db

VALID_VAT = "0123456097" + luhn.calc_check_digit("0123456097")
STAFF = ["plan_office", "administrator"]
NOT_STAFF = ["user", "moderator", "facilitator", "member", "representative"]


@pytest.fixture
def as_role(client, request):
    """Log the client in as the named fixture's user ("anonymous" stays logged out); returns the user."""

    def login(role):
        if role == "anonymous":
            return None
        person = request.getfixturevalue(role)
        client.force_login(person)
        return person

    return login


def organisation_data(**fields):
    data = {
        "name": "Estra S.p.A.",
        "category": OrganisationCategory.PARTICIPATED_COMPANY,
        "ipa_code": "",
        "vat_number": "",
        "fiscal_code": "",
        "website": "https://www.estra.it/",
        "description": "Energia, gas e servizi.",
    }
    data.update(fields)
    return data


# --- List -----------------------------------------------------------------------------------------------


def test_list_shows_organisations_to_everyone(client):
    OrganisationFactory(name="Comune di Prato", category=OrganisationCategory.PUBLIC_BODY)
    OrganisationFactory(name="Alia S.p.A.")

    response = client.get(reverse("stakeholders:list"))

    assert response.status_code == 200
    assert "Comune di Prato" in response.text
    assert "Alia S.p.A." in response.text
    assert "<html" in response.text


def test_list_filters_by_category(client):
    OrganisationFactory(name="Comune di Prato", category=OrganisationCategory.PUBLIC_BODY)
    OrganisationFactory(name="Alia S.p.A.", category=OrganisationCategory.PARTICIPATED_COMPANY)

    response = client.get(reverse("stakeholders:list"), {"category": OrganisationCategory.PUBLIC_BODY})

    assert [o.name for o in response.context["page"]] == ["Comune di Prato"]
    assert "Alia S.p.A." not in response.text


def test_list_searches_name_and_description(client):
    OrganisationFactory(name="Publiacqua S.p.A.", description="Servizio idrico integrato.")
    OrganisationFactory(name="Estra S.p.A.", description="Energia e gas.")
    OrganisationFactory(name="Toscana Energia S.p.A.", description="Distribuzione gas.")

    by_name = client.get(reverse("stakeholders:list"), {"q": "publiACQUA"})
    by_description = client.get(reverse("stakeholders:list"), {"q": "gas"})
    nothing = client.get(reverse("stakeholders:list"), {"q": "zzz-nothing"})

    assert [o.name for o in by_name.context["page"]] == ["Publiacqua S.p.A."]
    assert [o.name for o in by_description.context["page"]] == ["Estra S.p.A.", "Toscana Energia S.p.A."]
    assert list(nothing.context["page"]) == []
    assert italian("No organisation matches these filters.") in nothing.text


def test_list_combines_search_and_category(client):
    OrganisationFactory(name="Estra S.p.A.", category=OrganisationCategory.PARTICIPATED_COMPANY)
    OrganisationFactory(name="Estra Foundation", category=OrganisationCategory.THIRD_SECTOR)

    response = client.get(
        reverse("stakeholders:list"), {"q": "estra", "category": OrganisationCategory.THIRD_SECTOR}
    )

    assert [o.name for o in response.context["page"]] == ["Estra Foundation"]


def test_list_is_paginated_and_keeps_the_filters_in_the_page_links(client):
    for n in range(25):
        OrganisationFactory(name=f"Azienda {n:02d}")

    first = client.get(reverse("stakeholders:list"), {"q": "azienda"})
    second = client.get(reverse("stakeholders:list"), {"q": "azienda", "page": 2})

    assert len(first.context["page"]) == 20
    assert [o.name for o in second.context["page"]] == [f"Azienda {n}" for n in range(20, 25)]
    assert "?q=azienda&amp;page=2" in first.text
    assert "Azienda 24" not in first.text


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("99999", 2), ("-1", 2), ("0", 2), ("", 1)])
def test_bad_page_numbers_give_the_nearest_page(client, page, expected):
    for n in range(25):
        OrganisationFactory(name=f"Azienda {n:02d}")

    response = client.get(reverse("stakeholders:list"), {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == expected


def test_a_bogus_category_is_ignored_not_an_error(client, organisation):
    response = client.get(reverse("stakeholders:list"), {"category": "bogus"})

    assert response.status_code == 200
    assert organisation.name in response.text


def test_htmx_requests_get_only_the_results(client):
    OrganisationFactory(name="Comune di Prato", category=OrganisationCategory.PUBLIC_BODY)
    OrganisationFactory(name="Alia S.p.A.")
    params = {"category": OrganisationCategory.PUBLIC_BODY}

    partial = client.get(reverse("stakeholders:list"), params, HTTP_HX_REQUEST="true")
    full = client.get(reverse("stakeholders:list"), params)

    assert partial.status_code == 200
    text = partial.text.strip()
    assert "<html" not in text
    assert "<header" not in text
    assert "<form" not in text  # the filter form stays as it is in the page
    assert "Comune di Prato" in text
    assert "Alia S.p.A." not in text
    assert text in full.text  # exactly the results part of the full page
    assert len(text) < len(full.text) / 2


def test_category_counts_are_shown(client):
    for _ in range(3):
        OrganisationFactory(category=OrganisationCategory.THIRD_SECTOR)

    response = client.get(reverse("stakeholders:list"))

    counts = {value: count for value, _label, count in response.context["categories"]}
    assert counts[OrganisationCategory.THIRD_SECTOR] == 3
    assert counts[OrganisationCategory.PUBLIC_BODY] == 0


@pytest.mark.parametrize("role", ["anonymous", *NOT_STAFF])
def test_the_new_organisation_button_is_only_for_staff(client, as_role, role):
    as_role(role)

    response = client.get(reverse("stakeholders:list"))

    assert reverse("stakeholders:create") not in response.text


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_the_new_organisation_button(client, as_role, role):
    as_role(role)

    assert reverse("stakeholders:create") in client.get(reverse("stakeholders:list")).text


# --- Detail ---------------------------------------------------------------------------------------------


def test_detail_shows_the_organisation(client):
    organisation = OrganisationFactory(
        name="Comune di Prato", ipa_code="c_g999", vat_number=VALID_VAT, website="https://www.comune.prato.it"
    )

    response = client.get(organisation.get_absolute_url())

    assert response.status_code == 200
    assert "Comune di Prato" in response.text
    assert "c_g999" in response.text
    assert VALID_VAT in response.text


def test_unknown_organisation_is_a_404(client):
    assert client.get(reverse("stakeholders:detail", kwargs={"slug": "nobody"})).status_code == 404


@pytest.mark.parametrize(
    ("role", "sees_members", "sees_emails"),
    [
        ("anonymous", False, False),
        ("user", False, False),
        ("moderator", False, False),
        ("facilitator", False, False),
        ("member", True, False),
        ("representative", True, False),
        ("plan_office", True, True),
        ("administrator", True, True),
    ],
)
def test_members_are_visible_only_to_staff_and_members(
    client, as_role, organisation, representative, role, sees_members, sees_emails
):
    hidden = MembershipFactory(organisation=organisation, user=UserFactory(display_name="Giulia Verdi")).user
    as_role(role)

    response = client.get(organisation.get_absolute_url())

    assert response.status_code == 200
    assert ('id="members-title"' in response.text) is sees_members
    assert ("Giulia Verdi" in response.text) is sees_members
    assert (hidden.email in response.text) is sees_emails
    assert (response.context["members"] is not None) is sees_members


def test_members_of_another_organisation_do_not_see_the_members(client, organisation, member):
    other = OrganisationFactory()
    MembershipFactory(organisation=other, user=UserFactory(display_name="Paolo Neri"))
    client.force_login(member)

    response = client.get(other.get_absolute_url())

    assert "Paolo Neri" not in response.text
    assert response.context["members"] is None


# --- Create, edit, delete -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_staff_create_an_organisation(client, as_role, role):
    person = as_role(role)
    assert client.get(reverse("stakeholders:create")).status_code == 200

    response = client.post(
        reverse("stakeholders:create"),
        organisation_data(ipa_code=" Estra_SPA ", vat_number=f"IT {VALID_VAT}"),
    )

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert organisation.name == "Estra S.p.A."
    assert organisation.ipa_code == "estra_spa"
    assert organisation.vat_number == VALID_VAT
    assert not organisation.logo
    assert AuditEntry.objects.get(code="stakeholders.organisation.created").actor == person


@pytest.mark.parametrize("role", STAFF)
def test_staff_edit_an_organisation(client, as_role, role, organisation):
    person = as_role(role)
    url = reverse("stakeholders:update", kwargs={"slug": organisation.slug})
    assert client.get(url).status_code == 200

    response = client.post(url, organisation_data(name="Alia Servizi Ambientali S.p.A."))

    organisation.refresh_from_db()
    assert response.status_code == 302
    assert organisation.name == "Alia Servizi Ambientali S.p.A."
    entry = AuditEntry.objects.get(code="stakeholders.organisation.updated")
    assert entry.actor == person
    assert entry.data["changed"]["name"] == "Alia Servizi Ambientali S.p.A."


@pytest.mark.parametrize("role", STAFF)
def test_staff_delete_an_organisation(client, as_role, role, organisation):
    as_role(role)
    url = reverse("stakeholders:delete", kwargs={"slug": organisation.slug})
    assert client.get(url).status_code == 200
    assert Organisation.objects.filter(pk=organisation.pk).exists()  # a GET deletes nothing

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:list")
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert AuditEntry.objects.filter(code="stakeholders.organisation.deleted").exists()


def write_requests(organisation, *, email="someone@example.org", membership_pk=None):
    slug = organisation.slug
    requests = [
        ("get", reverse("stakeholders:create"), {}),
        ("post", reverse("stakeholders:create"), organisation_data(name="Intruder")),
        ("get", reverse("stakeholders:update", kwargs={"slug": slug}), {}),
        ("post", reverse("stakeholders:update", kwargs={"slug": slug}), organisation_data(name="Intruder")),
        ("get", reverse("stakeholders:delete", kwargs={"slug": slug}), {}),
        ("post", reverse("stakeholders:delete", kwargs={"slug": slug}), {}),
        (
            "post",
            reverse("stakeholders:membership_add", kwargs={"slug": slug}),
            {"email": email, "role": "representative"},
        ),
    ]
    if membership_pk is not None:
        remove = reverse("stakeholders:membership_remove", kwargs={"slug": slug, "pk": membership_pk})
        requests.append(("post", remove, {}))
    return requests


@pytest.mark.parametrize("role", NOT_STAFF)
def test_others_are_forbidden_to_write(client, as_role, role, organisation):
    person = as_role(role)
    membership = MembershipFactory(organisation=organisation)
    # Members and representatives try to promote themselves, or to remove someone else.
    requests = write_requests(organisation, email=person.email, membership_pk=membership.pk)
    before = (Organisation.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    roles_before = list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role"))

    statuses = [getattr(client, method)(url, data).status_code for method, url, data in requests]

    assert statuses == [403] * len(requests)
    organisation.refresh_from_db()
    assert organisation.name != "Intruder"
    assert (Organisation.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == before
    assert list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role")) == roles_before


def test_anonymous_visitors_are_asked_to_log_in(client, organisation, member):
    membership = Membership.objects.get(user=member)
    for method, url, data in write_requests(organisation, membership_pk=membership.pk):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert Organisation.objects.count() == 1
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "vat_number",
            VALID_VAT[:-1] + str((int(VALID_VAT[-1]) + 1) % 10),
            "This VAT number (partita IVA) is not valid: please check the digits.",
        ),
        ("vat_number", "12345", "A VAT number (partita IVA) has 11 digits."),
        (
            "ipa_code",
            "1-not-ipa",
            "Enter a valid IPA code: 2 to 20 lowercase letters, digits or underscores, "
            "starting with a letter (for example c_a123).",
        ),
        (
            "fiscal_code",
            "ABC",
            "A fiscal code (codice fiscale) has 11 digits for organisations or 16 characters for people.",
        ),
    ],
)
def test_bad_identifiers_get_a_400_with_the_translated_message(
    client, plan_office, organisation, field, value, message
):
    client.force_login(plan_office)

    created = client.post(reverse("stakeholders:create"), organisation_data(**{field: value}))
    edited = client.post(
        reverse("stakeholders:update", kwargs={"slug": organisation.slug}),
        organisation_data(name="Renamed", **{field: value}),
    )

    for response in (created, edited):
        assert response.status_code == 400
        assert italian(message) in response.text
        assert 'aria-invalid="true"' in response.text
    assert Organisation.objects.count() == 1
    organisation.refresh_from_db()
    assert organisation.name != "Renamed"
    assert not AuditEntry.objects.exists()


def test_a_duplicate_name_is_a_400_on_the_form(client, plan_office):
    OrganisationFactory(name="Estra S.p.A.")
    client.force_login(plan_office)

    response = client.post(reverse("stakeholders:create"), organisation_data(name="ESTRA S.P.A."))

    assert response.status_code == 400
    assert Organisation.objects.count() == 1


# --- Memberships ----------------------------------------------------------------------------------------


def test_staff_add_and_remove_members(client, plan_office, organisation):
    person = UserFactory(email="giulia@example.org")
    client.force_login(plan_office)

    added = client.post(
        reverse("stakeholders:membership_add", kwargs={"slug": organisation.slug}),
        {"email": "GIULIA@example.org", "role": "representative"},
    )

    assert added.status_code == 302
    membership = Membership.objects.get(user=person, organisation=organisation)
    assert membership.role == "representative"

    removed = client.post(
        reverse("stakeholders:membership_remove", kwargs={"slug": organisation.slug, "pk": membership.pk})
    )

    assert removed.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert list(AuditEntry.objects.order_by("id").values_list("code", flat=True)) == [
        "stakeholders.membership.added",
        "stakeholders.membership.removed",
    ]


def test_adding_an_unknown_email_is_a_400_with_the_message(client, plan_office, organisation):
    client.force_login(plan_office)

    response = client.post(
        reverse("stakeholders:membership_add", kwargs={"slug": organisation.slug}),
        {"email": "nobody@example.org", "role": "member"},
    )

    assert response.status_code == 400
    assert (
        italian("No active account has this e-mail address. Ask the person to sign up first.")
        in response.text
    )
    assert not Membership.objects.exists()


def test_removing_a_membership_of_another_organisation_is_a_404(client, plan_office, organisation):
    other = MembershipFactory()
    client.force_login(plan_office)

    response = client.post(
        reverse("stakeholders:membership_remove", kwargs={"slug": organisation.slug, "pk": other.pk})
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


# --- Query counts ---------------------------------------------------------------------------------------

# Logged-in pages count one more query: the unread notifications badge of the header.
LIST_QUERY_BOUND = 7
DETAIL_QUERY_BOUND = 9


def count_queries(client, url, bound, django_assert_max_num_queries, **extra):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "plan_office"])
def test_list_queries_do_not_grow_with_the_organisations(
    client, as_role, role, django_assert_max_num_queries
):
    as_role(role)
    counts = []
    for total in (10, 60):
        OrganisationFactory.create_batch(total - Organisation.objects.count())
        client.get(reverse("core:home"))  # warm the site settings cache, as in production
        counts.append(
            count_queries(
                client, reverse("stakeholders:list"), LIST_QUERY_BOUND, django_assert_max_num_queries
            )
        )
        counts.append(
            count_queries(
                client,
                reverse("stakeholders:list"),
                LIST_QUERY_BOUND,
                django_assert_max_num_queries,
                HTTP_HX_REQUEST="true",
            )
        )

    assert counts[0] == counts[2]
    assert counts[1] == counts[3]


@pytest.mark.parametrize("role", ["anonymous", "member", "plan_office"])
def test_detail_queries_do_not_grow_with_the_members(
    client, as_role, role, organisation, django_assert_max_num_queries
):
    as_role(role)
    counts = []
    for total in (10, 60):
        OrganisationFactory.create_batch(total - Organisation.objects.count())
        MembershipFactory.create_batch(total - organisation.memberships.count(), organisation=organisation)
        client.get(reverse("core:home"))
        counts.append(
            count_queries(
                client, organisation.get_absolute_url(), DETAIL_QUERY_BOUND, django_assert_max_num_queries
            )
        )

    assert counts[0] == counts[1]
    assert Organisation.objects.count() == 60
