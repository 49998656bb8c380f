"""Writes of the stakeholders app: organisations and memberships, each with its audit entry."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from cittasmart.core.models import AuditEntry
from cittasmart.stakeholders import services
from cittasmart.stakeholders.forms import OrganisationForm
from cittasmart.stakeholders.models import Membership, Organisation, OrganisationCategory
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID_VAT = "0123456097" + luhn.calc_check_digit("0123456097")


def create(actor, **fields):
    fields.setdefault("category", OrganisationCategory.PARTICIPATED_COMPANY)
    return services.organisation_create(actor=actor, **fields)


def counts():
    return (Organisation.objects.count(), Membership.objects.count(), AuditEntry.objects.count())


# --- Organisations --------------------------------------------------------------------------------------


def test_create_stores_normalised_fields_and_writes_an_audit_entry(plan_office):
    organisation = create(
        plan_office,
        name="  Estra S.p.A.  ",
        is_public_body=False,
        ipa_code=" Estra_spa ",
        vat_number=f"IT {VALID_VAT}",
        website="https://www.estra.it",
        description="Energia e servizi.",
    )

    organisation.refresh_from_db()
    assert organisation.name == "Estra S.p.A."
    assert organisation.slug == "estra-spa"
    assert organisation.ipa_code == "estra_spa"
    assert organisation.vat_number == VALID_VAT
    entry = AuditEntry.objects.get()
    assert entry.actor == plan_office
    assert entry.code == "stakeholders.organisation.created"
    assert entry.object_id == str(organisation.pk)
    assert entry.object_repr == "Estra S.p.A."
    assert entry.content_type.model_class() is Organisation


def test_create_without_an_actor_is_recorded_as_the_system(db):
    create(None, name="Comune di Prato")

    assert AuditEntry.objects.get().actor is None


@pytest.mark.parametrize("taken", ["Estra S.p.A.", "ESTRA S.P.A.", "estra s.p.a.", "  Estra S.p.A. "])
def test_names_are_unique_whatever_the_case(plan_office, taken):
    create(plan_office, name="Estra S.p.A.")
    before = counts()

    with pytest.raises(ValidationError):
        create(plan_office, name=taken)

    assert counts() == before


def test_ipa_codes_are_unique(plan_office):
    create(plan_office, name="Comune di Prato", ipa_code="c_g999")
    before = counts()

    with pytest.raises(ValidationError):
        create(plan_office, name="Another body", ipa_code="C_G999")

    assert counts() == before


def test_many_organisations_may_have_no_ipa_code(plan_office):
    for n in range(3):
        create(plan_office, name=f"Association {n}", ipa_code="")

    assert Organisation.objects.filter(ipa_code="").count() == 3


def test_invalid_fields_write_nothing(plan_office):
    before = counts()

    for bad in (
        {"name": "X", "category": "bogus"},
        {"name": "X", "vat_number": "12345678901"},
        {"name": "X", "fiscal_code": "not-a-code"},
        {"name": "X", "ipa_code": "1-bad"},
        {"name": "", "category": OrganisationCategory.ENTERPRISE},
        {"name": "X", "website": "not a url"},
    ):
        with pytest.raises(ValidationError):
            create(plan_office, **bad)

    assert counts() == before


def test_unknown_fields_are_refused(plan_office):
    with pytest.raises(TypeError):
        create(plan_office, name="X", slug="chosen-by-hand")
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("names", "slugs"),
    [
        (["Estra S.p.A.", "Estra SpA", "ESTRA – S.p.A"], ["estra-spa", "estra-spa-2", "estra-spa-3"]),
        (["!!!", "???"], ["organisation", "organisation-2"]),
        (["Città di Prato", "Citta di Prato!"], ["citta-di-prato", "citta-di-prato-2"]),
    ],
)
def test_slugs_are_unique(plan_office, names, slugs):
    created = [create(plan_office, name=name) for name in names]

    assert [o.slug for o in created] == slugs


def test_a_long_name_gives_a_slug_that_fits(plan_office):
    organisation = create(plan_office, name="Interporto della Toscana Centrale " * 5)

    assert 0 < len(organisation.slug) <= Organisation._meta.get_field("slug").max_length


def test_update_records_what_changed(plan_office, organisation):
    old_slug = organisation.slug

    services.organisation_update(
        actor=plan_office,
        organisation=organisation,
        name="Alia Servizi Ambientali S.p.A.",
        vat_number=VALID_VAT,
        description=organisation.description,
    )

    organisation.refresh_from_db()
    assert organisation.name == "Alia Servizi Ambientali S.p.A."
    assert organisation.slug == old_slug  # addresses do not change with the name
    entry = AuditEntry.objects.get()
    assert entry.code == "stakeholders.organisation.updated"
    assert entry.actor == plan_office
    assert entry.data == {"changed": {"name": "Alia Servizi Ambientali S.p.A.", "vat_number": VALID_VAT}}


def test_update_without_changes_writes_no_audit_entry(plan_office, organisation):
    services.organisation_update(
        actor=plan_office, organisation=organisation, name=organisation.name, category=organisation.category
    )

    assert not AuditEntry.objects.exists()


def test_update_to_a_taken_name_changes_nothing(plan_office, organisation):
    other = OrganisationFactory(name="Publiacqua S.p.A.")
    before = counts()

    with pytest.raises(ValidationError):
        services.organisation_update(actor=plan_office, organisation=organisation, name="PUBLIACQUA s.p.a.")

    organisation.refresh_from_db()
    assert organisation.name != other.name.upper()
    assert organisation.name.startswith("Organisation")
    assert counts() == before


def test_update_may_keep_its_own_name_in_another_case(plan_office):
    organisation = create(plan_office, name="Estra S.p.A.")

    services.organisation_update(actor=plan_office, organisation=organisation, name="ESTRA S.p.A.")

    organisation.refresh_from_db()
    assert organisation.name == "ESTRA S.p.A."


def test_delete_removes_the_organisation_and_its_memberships_and_is_audited(
    plan_office, organisation, member
):
    pk, name = organisation.pk, organisation.name

    services.organisation_delete(actor=plan_office, organisation=organisation)

    assert not Organisation.objects.filter(pk=pk).exists()
    assert not Membership.objects.filter(user=member).exists()
    entry = AuditEntry.objects.get(code="stakeholders.organisation.deleted")
    assert entry.actor == plan_office
    assert entry.data == {"organisation_id": pk, "name": name}
    member.refresh_from_db()  # the person stays
    assert member.is_active


# --- Memberships ----------------------------------------------------------------------------------------


def test_membership_set_adds_a_person_by_email(plan_office, organisation):
    person = UserFactory(email="giulia@example.org")

    membership = services.membership_set(
        actor=plan_office, organisation=organisation, email="  Giulia@Example.ORG ", role="member"
    )

    assert membership.user == person
    assert membership.role == "member"
    entry = AuditEntry.objects.get()
    assert entry.code == "stakeholders.membership.added"
    assert entry.object_id == str(organisation.pk)
    assert entry.data == {"user_id": person.pk, "role": "member"}


def test_membership_set_changes_the_role_of_a_member(plan_office, organisation, member):
    services.membership_set(
        actor=plan_office, organisation=organisation, email=member.email, role="representative"
    )

    assert Membership.objects.get(user=member, organisation=organisation).role == "representative"
    assert Membership.objects.filter(user=member).count() == 1
    assert AuditEntry.objects.get().code == "stakeholders.membership.changed"


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("nobody@example.org", "member"),
        ("", "member"),
        ("inactive@example.org", "member"),
        ("active@example.org", "owner"),
        ("active@example.org", ""),
    ],
)
def test_membership_set_refuses_unknown_people_and_roles(plan_office, organisation, email, role):
    UserFactory(email="inactive@example.org", is_active=False)
    UserFactory(email="active@example.org")
    before = counts()

    with pytest.raises(ValidationError):
        services.membership_set(actor=plan_office, organisation=organisation, email=email, role=role)

    assert counts() == before


def test_membership_remove_deletes_it_and_is_audited(plan_office, organisation, member):
    membership = Membership.objects.get(user=member)

    services.membership_remove(actor=plan_office, membership=membership)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get()
    assert entry.code == "stakeholders.membership.removed"
    assert entry.data == {"user_id": member.pk}
    assert entry.object_id == str(organisation.pk)


def test_a_person_may_belong_to_several_organisations(plan_office, member):
    other = OrganisationFactory()
    services.membership_set(actor=plan_office, organisation=other, email=member.email, role="member")

    assert Membership.objects.filter(user=member).count() == 2


def test_membership_factory_matches_the_service(plan_office):
    """The factory used by other tests creates what the service would create."""
    membership = MembershipFactory(role="representative")

    membership.full_clean()
    assert membership.user.memberships.get() == membership


# --- Arbitrary input ------------------------------------------------------------------------------------

FIELDS = [
    "name",
    "category",
    "is_public_body",
    "ipa_code",
    "vat_number",
    "fiscal_code",
    "website",
    "description",
]

any_text = st.one_of(
    st.text(),
    st.text(max_size=6000),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=260),
    st.from_regex(r"\A\d{11}\Z"),  # digits of any script
    st.from_regex(r"\A(IT|it)? ?[0-9 ]{11,16}\Z"),
    st.from_regex(r"\A[A-Za-z0-9 ]{14,20}\Z"),
    st.sampled_from(["", " ", "\x00", "a\x00b", "IT", "it ", VALID_VAT, *OrganisationCategory.values]),
)

# Plausible values, of which the test garbles any subset: so both valid and invalid submissions are tried.
plausible = st.fixed_dictionaries(
    {
        "name": st.text(alphabet=st.characters(categories=["L", "Nd", "Zs", "P"]), min_size=1, max_size=200),
        "category": st.sampled_from(OrganisationCategory.values),
        "is_public_body": st.sampled_from(["on", ""]),
        "ipa_code": st.one_of(st.just(""), st.from_regex(r"\A[a-z][a-z0-9_]{1,19}\Z")),
        "vat_number": st.sampled_from(["", VALID_VAT, f"IT {VALID_VAT}"]),
        "fiscal_code": st.sampled_from(["", VALID_VAT, "rssmra85t10a562s"]),
        "website": st.sampled_from(["", "https://example.org/", "www.comune.prato.it"]),
        "description": st.text(max_size=300),
    }
)


@st.composite
def organisation_submissions(draw):
    data = draw(plausible)
    for name in draw(st.sets(st.sampled_from(FIELDS))):
        data[name] = draw(any_text)
    return data


def test_the_organisation_form_never_raises_and_valid_data_can_be_saved(plan_office):
    outcomes = {"valid": 0, "invalid": 0}

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=organisation_submissions())
    def check(data):
        form = OrganisationForm(data)
        valid = form.is_valid()  # must not raise
        outcomes["valid" if valid else "invalid"] += 1
        assert valid or form.errors
        if not valid:
            return
        before = counts()
        try:
            organisation = services.organisation_create(actor=plan_office, **form.cleaned_data)
        except ValidationError:  # a name used by an earlier example: refused, nothing written
            assert counts() == before
        else:
            assert counts() == (before[0] + 1, before[1], before[2] + 1)
            organisation.full_clean()

    check()
    # Both branches were exercised, so the property above was really checked.
    assert outcomes["valid"] > 0
    assert outcomes["invalid"] > 0


def test_organisation_create_never_leaves_a_half_written_object(plan_office):
    outcomes = {"created": 0, "refused": 0}

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=organisation_submissions())
    def check(data):
        data["is_public_body"] = bool(data["is_public_body"])
        before = counts()
        try:
            organisation = services.organisation_create(actor=plan_office, **data)
        except ValidationError:
            outcomes["refused"] += 1
            assert counts() == before
        else:
            outcomes["created"] += 1
            assert counts() == (before[0] + 1, before[1], before[2] + 1)
            assert AuditEntry.objects.filter(object_id=str(organisation.pk)).count() == 1

    check()
    assert outcomes["created"] > 0
    assert outcomes["refused"] > 0


@pytest.mark.django_db
def test_setting_the_same_role_again_writes_nothing(plan_office, representative, organisation):
    from cittasmart.core.models import AuditEntry
    from cittasmart.stakeholders.services import membership_set

    before = AuditEntry.objects.count()
    membership_set(
        actor=plan_office, organisation=organisation, email=representative.email, role="representative"
    )
    assert AuditEntry.objects.count() == before


def test_a_bare_country_prefix_is_not_a_vat_number():
    from django.core.exceptions import ValidationError

    from cittasmart.stakeholders.validators import normalise_vat_number, validate_vat_number

    with pytest.raises(ValidationError):
        validate_vat_number(normalise_vat_number("IT"))
