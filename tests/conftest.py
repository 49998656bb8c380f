import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from cittasmart.core.roles import Role
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.world import storage_settings


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached site settings must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _files_in_the_test_run_folder(tmp_path_factory):
    """Uploads, the library's files and exports go to a folder of the test run, never to ``var/``, where the
    demo served by ``make run`` keeps its own: for the whole session, so that the data a test class sets up
    once (``setUpTestData``) is written there too. A test that needs a folder of its own sets it again."""
    override = override_settings(**storage_settings(tmp_path_factory.mktemp("files")))
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to an /en/ page leaves English active in the thread (Django does not reset it after the
    response), which would change what ``reverse()`` returns in the next test: start each test in Italian."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """A deliberately slow hasher makes every login cost a third of a second; tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def plan_office(db):
    return UserFactory(roles=[Role.PLAN_OFFICE])


@pytest.fixture
def administrator(db):
    return UserFactory(roles=[Role.ADMINISTRATOR])


@pytest.fixture
def moderator(db):
    return UserFactory(roles=[Role.MODERATOR])


@pytest.fixture
def facilitator(db):
    return UserFactory(roles=[Role.FACILITATOR])


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def representative(db, organisation):
    return MembershipFactory(organisation=organisation, role="representative").user


@pytest.fixture
def member(db, organisation):
    return MembershipFactory(organisation=organisation, role="member").user


@pytest.fixture
def is_postgres():
    from django.db import connection

    return connection.vendor == "postgresql"
