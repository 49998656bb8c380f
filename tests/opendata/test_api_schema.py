"""Property-based conformance of the API to its own OpenAPI schema (schemathesis, in-process through WSGI).

Every documented operation is called with generated parameters: no 500, every status code is documented and
every body matches its schema. The database holds a small public data set (module-scoped), so that lists are
not empty and the write feed has an indicator it may write."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from cittasmart.config.wsgi import application
from cittasmart.opendata.api import api

# The schema is taken from the application in-process (no network, no database needed to build it).
# A list's `cursor` is opaque: only a `next_cursor` the API gave is valid, which no schema can say, so a
# generated one is rightly refused with 400; everything else valid by the schema must be accepted.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"), config=CONFIG)
schema.app = application

# The module's data is made once and rolled back at the end; each example runs inside the test's transaction.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def api_data(django_db_setup, django_db_blocker):
    """A few public rows in every dataset and a token of the organisation that is the source of an indicator of
    the current plan; removed at the end of the module."""
    from django.db import transaction

    from cittasmart.core.roles import Role
    from cittasmart.opendata.tokens import token_issue
    from tests.factories import UserFactory
    from tests.opendata.test_api_read import build_public_data

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = build_public_data()
            office = UserFactory(roles=[Role.PLAN_OFFICE])
            _token, secret = token_issue(
                actor=office, organisation=data["organisations"], name="Schemathesis"
            )
            yield {"data": data, "secret": secret}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def api_client_headers(api_data, settings):
    """The token's header, a rate limit out of the way, and the WSGI handler kept from closing the test's
    database connection after each request (as Django's test client does; PostgreSQL would lose the
    transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    settings.API_WRITE_RATE_LIMIT_PER_MINUTE = 1_000_000
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {api_data['secret']}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_conforms_to_its_schema(case, api_client_headers):
    headers = api_client_headers if case.method.upper() == "POST" else None
    case.call_and_validate(headers=headers)
