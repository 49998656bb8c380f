"""Fixtures of the fuzz tests: the world (built once per module), and settings that let every example through
(no rate limit, files in folders of the test run)."""

import os

import pytest
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="session")
def fuzz_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    return {
        "MEDIA_ROOT": root / "media",
        "PRIVATE_MEDIA_ROOT": root / "private",
        "EXPORTS_ROOT": root / "exports",
    }


FUZZ_SETTINGS = {
    # One example after another from the same person: no rate limit may turn them into 429s.
    "RATE_LIMIT_WRITES_PER_MINUTE": 1_000_000,
    "API_RATE_LIMIT_PER_MINUTE": 1_000_000,
    "API_WRITE_RATE_LIMIT_PER_MINUTE": 1_000_000,
    "PARTICIPATION_RATE_LIMITS": dict.fromkeys(("idea", "comment", "support", "report"), 1_000_000),
    # Background work is queued and never run here.
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, fuzz_dirs):
    """Everything the endpoints need, written once for the module and rolled back after its last test."""
    from tests.fuzz.objects import build_world

    with django_db_blocker.unblock(), override_settings(**FUZZ_SETTINGS, **fuzz_dirs):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fuzz_settings(settings, fuzz_dirs):
    for name, value in {**FUZZ_SETTINGS, **fuzz_dirs}.items():
        setattr(settings, name, value)


def pytest_terminal_summary(terminalreporter):
    """``FUZZ_REPORT=1``: the statuses each endpoint answered, to see how deep the examples went."""
    from tests.fuzz.runner import OUTCOMES

    if not os.environ.get("FUZZ_REPORT") or not OUTCOMES:
        return
    terminalreporter.section("fuzz: statuses per endpoint")
    for name in sorted(OUTCOMES):
        counts = ", ".join(f"{status}×{n}" for status, n in sorted(OUTCOMES[name].items()))
        terminalreporter.write_line(f"{name:45} {counts}")
