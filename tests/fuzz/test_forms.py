"""Every HTML form that posts: arbitrary submissions never make a server error nor a partial write.

For each endpoint of ``endpoints.ENDPOINTS`` the fields are read from the form of its page (as the person allowed
to use it sees it), then hypothesis posts submissions mixing plausible and hostile values (see ``strategies``),
each in a savepoint rolled back afterwards. The properties are in ``checks``.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import strategies
from tests.fuzz.endpoints import ENDPOINTS, EXCLUDED, EXCLUDED_PREFIXES, post_routes
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.runner import OUTCOMES, endpoint_values, post_and_check, read_fields

pytestmark = pytest.mark.django_db

# Endpoints whose page shows no form for the actor (the form appears only in a state the world is not in): their
# fields come from ``Endpoint.values``.
FORMLESS = {
    "account_confirm_login_code": "allauth shows the code form only during a login by code.",
    "account_confirm_email": "An unknown confirmation key gets a page without a form.",
    "account_reset_password_from_key": "An unknown reset key gets a page without a form.",
    "account_set_password": "A person who has a password is redirected to the change of password.",
    "set_language": "The pages switch language with links; the view is Django's, for forms of other sites.",
}


def test_every_post_endpoint_is_fuzzed_or_excluded():
    routes = post_routes()
    missing = sorted(set(routes) - set(ENDPOINTS) - set(EXCLUDED))
    assert not missing, f"POST endpoints neither fuzzed nor excluded: {missing}"
    stale = sorted((set(ENDPOINTS) | set(EXCLUDED)) - set(routes))
    assert not stale, f"listed but no longer POST endpoints: {stale}"
    assert not set(ENDPOINTS) & set(EXCLUDED)
    assert all(reason.strip() for reason in [*EXCLUDED.values(), *EXCLUDED_PREFIXES.values()])
    assert set(FORMLESS) <= set(ENDPOINTS)


def test_the_route_walk_sees_post_only_and_get_only_views():
    routes = post_routes()
    assert "participation:idea_support" in routes  # @require_POST under two other decorators
    assert "core:accessibility" in routes  # GET and POST
    assert "core:home" not in routes  # GET only
    assert "account_login" in routes  # a class-based view of allauth


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_form_never_fails_nor_writes_half(name, world, client):
    endpoint = ENDPOINTS[name]
    if endpoint.prepare is not None:
        endpoint.prepare(world)
    url, page_status, fields = read_fields(client, world, endpoint)
    if name not in FORMLESS:
        assert page_status == 200, f"the page of {name} answers {page_status} to its actor"
        assert fields is not None, f"no form of the page of {name} posts to {url}"
    file_fields = [f for f, entry in (fields or {}).items() if entry.kind == "file"]
    assert not file_fields or endpoint.files, (
        f"{name}: give plausible files for {file_fields} (Endpoint.files)"
    )
    values = endpoint_values(world, endpoint)
    data = strategies.submissions(fields or {}, values, files=endpoint.files)
    htmx = st.sampled_from([{}, {"HX-Request": "true"}])
    # Multipart as the test client sends it, or an urlencoded body, in UTF-8 or in a charset the site does not
    # expect (its bytes are not valid UTF-8).
    encodings = st.sampled_from(["", "utf-8", "latin-1", "cp1252"])

    # First what a person sends by submitting the page as shown: it should usually go through.
    post_and_check(
        client, world, endpoint, url, strategies.unchanged_submission(fields or {}, values, endpoint.files)
    )

    @fuzz_settings()
    @given(data=data, headers=htmx, encoding=encodings)
    def fuzz(data, headers, encoding):
        post_and_check(client, world, endpoint, url, data, {**endpoint.headers, **headers}, encoding=encoding)

    fuzz()
    seen = OUTCOMES.get(name)
    assert seen, f"{name}: no example was posted"
    assert set(seen) != {403}, f"{name}: every example was forbidden, the actor is not the right one"
