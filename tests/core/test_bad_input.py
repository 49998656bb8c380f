"""No user input produces a server error: arbitrary text (NUL characters, very long strings, lists, odd
numbers) posted to every form of the foundation gets a page or a 4xx, never a 500.

The test client re-raises any exception of a view, so a crash fails the test even before the status check.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cittasmart.core.audit import log_action
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

utf8 = st.characters(codec="utf-8")  # what a browser can send
nasty = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\x00" * 10, "0", "-1", "on", "abc", "99999", "9" * 40, "%00", "' OR 1=1 --"]
)
value = st.one_of(
    st.text(alphabet=utf8),
    st.text(alphabet=utf8, min_size=2000, max_size=20000),
    nasty,
    st.emails(),
)
values = st.one_of(value, st.lists(value, min_size=2, max_size=3))


def submissions(fields):
    """Any subset of ``fields``, each with arbitrary text (sometimes several values)."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, values))


HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def never_a_server_error(client, method, url, fields, *, examples=()):
    """Send arbitrary submissions; return the statuses seen (the caller checks some input was refused)."""
    statuses = set()

    def check(data):
        cache.clear()  # rate limits would turn every later example into a 429
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (response.status_code, data)
        statuses.add(response.status_code)

    for data in examples:
        check(data)
    HYPOTHESIS(given(data=submissions(fields))(check))()
    return statuses


SIGNUP_FIELDS = ["email", "password1", "password2", "display_name", "privacy_accepted"]


def test_sign_up(client):
    statuses = never_a_server_error(
        client,
        "post",
        reverse("account_signup"),
        SIGNUP_FIELDS,
        examples=[
            {"email": "a\x00@example.org", "password1": "x", "password2": "x", "privacy_accepted": "on"},
            {"email": "a@example.org", "password1": "a\x00" * 10, "password2": "a\x00" * 10},
            {"email": "x" * 300 + "@example.org", "privacy_accepted": "\x00"},
        ],
    )

    assert statuses & {200, 400}  # the form was shown again with errors


def test_login(client, user):
    statuses = never_a_server_error(
        client,
        "post",
        reverse("account_login"),
        ["login", "password", "remember"],
        examples=[{"login": user.email, "password": "\x00"}, {"login": "\x00", "password": "x"}],
    )

    assert statuses & {200, 400, 429}
    assert "_auth_user_id" not in client.session


def test_profile(client, user):
    client.force_login(user)

    statuses = never_a_server_error(
        client,
        "post",
        reverse("accounts:profile"),
        ["display_name"],
        examples=[{"display_name": "x" * 81}, {"display_name": "\x00"}],
    )

    assert 400 in statuses
    user.refresh_from_db()
    assert "\x00" not in user.display_name
    assert len(user.display_name) <= 80


def test_accessibility_feedback(client):
    statuses = never_a_server_error(
        client,
        "post",
        reverse("core:accessibility"),
        ["name", "email", "page_url", "message"],
        examples=[{"message": "x" * 10 + "\x00"}, {"message": "x" * 6000}, {"page_url": "p" * 600}],
    )

    assert 400 in statuses


@pytest.mark.parametrize("htmx", [False, True])
def test_organisation_filter(client, htmx):
    OrganisationFactory.create_batch(25)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    statuses = set()

    @HYPOTHESIS
    @given(data=submissions(["q", "category", "page"]))
    @example(data={"page": "abc"})
    @example(data={"page": "99999"})
    @example(data={"page": "-5"})
    @example(data={"category": "bogus"})
    @example(data={"category": "bogus", "page": "abc", "q": "\x00"})
    @example(data={"q": "x" * 5000})
    def check(data):
        response = client.get(reverse("stakeholders:list"), data, **headers)
        assert response.status_code < 500, data
        statuses.add(response.status_code)

    check()
    assert statuses == {200}  # filters never fail: bad values are ignored


def test_search(client):
    OrganisationFactory(name="Estra S.p.A.")
    statuses = set()

    @HYPOTHESIS
    @given(data=submissions(["q"]))
    @example(data={"q": "\x00"})
    @example(data={"q": "x" * 5000})
    def check(data):
        response = client.get(reverse("core:search"), data)
        assert response.status_code < 500, data
        statuses.add(response.status_code)

    check()
    assert statuses == {200}


def test_audit_log_filters(client, administrator, organisation):
    log_action(administrator, "stakeholders.organisation.updated", organisation)
    client.force_login(administrator)
    statuses = set()

    @HYPOTHESIS
    @given(data=submissions(["code", "q", "page"]))
    @example(data={"q": "\x00"})
    @example(data={"code": "\x00"})
    @example(data={"page": "abc", "code": "x" * 500})
    def check(data):
        response = client.get(reverse("core:audit_log"), data)
        assert response.status_code < 500, data
        statuses.add(response.status_code)

    check()
    assert statuses <= {200, 400}


ORGANISATION_FIELDS = [
    "name",
    "category",
    "is_public_body",
    "ipa_code",
    "vat_number",
    "fiscal_code",
    "website",
    "description",
]


def test_organisation_create(client, plan_office):
    client.force_login(plan_office)

    statuses = never_a_server_error(
        client,
        "post",
        reverse("stakeholders:create"),
        ORGANISATION_FIELDS,
        examples=[
            {"name": "Estra\x00", "category": "enterprise"},
            {"name": "Estra", "category": "enterprise", "vat_number": "IT" + "0" * 38},
            {"name": "Estra", "category": "enterprise", "fiscal_code": "\x00" * 16},
            {"name": "x" * 201, "category": "enterprise", "website": "http://" + "a" * 300},
        ],
    )

    assert 400 in statuses


def test_organisation_edit(client, plan_office, organisation):
    client.force_login(plan_office)

    statuses = never_a_server_error(
        client,
        "post",
        reverse("stakeholders:update", kwargs={"slug": organisation.slug}),
        ORGANISATION_FIELDS,
        examples=[
            {"name": organisation.name, "category": "bogus"},
            {"name": "\x00", "category": "enterprise"},
        ],
    )

    assert 400 in statuses


def test_membership_add(client, plan_office, organisation, user):
    client.force_login(plan_office)

    statuses = never_a_server_error(
        client,
        "post",
        reverse("stakeholders:membership_add", kwargs={"slug": organisation.slug}),
        ["email", "role"],
        examples=[
            {"email": user.email, "role": "owner"},
            {"email": user.email + "\x00", "role": "member"},
            {"email": "nobody@example.org", "role": "member"},
        ],
    )

    assert 400 in statuses


def test_erase(client, user, password):
    client.force_login(user)

    statuses = never_a_server_error(
        client,
        "post",
        reverse("accounts:erase"),
        ["password", "confirm"],
        examples=[{"password": "\x00", "confirm": "on"}, {"password": password + "\x00", "confirm": "on"}],
    )

    assert 400 in statuses
    user.refresh_from_db()
    assert user.erased_at is None  # no arbitrary input erased the account
