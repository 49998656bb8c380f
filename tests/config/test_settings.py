"""Settings are driven by the environment: the production check, required secrets, database and cache URLs.

Each case runs Django in a subprocess, so the environment is read exactly as in a real deployment.
"""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent  # tests/config/ -> tests/ -> the project
MANAGE = PROJECT_DIR / "manage.py"

# Variables of the developer's or CI's shell that would change what is being tested.
CONTROLLED = {
    "PRODUCTION",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest for Playwright; never in deployment
}


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def run(args, tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    environment.update(
        DJANGO_SETTINGS_MODULE="cittasmart.config.settings",
        VAR_DIR=str(tmp_path),  # a fresh var/ so that nothing touches the developer's database
        **env,
    )
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(**extra):
    env = {"PRODUCTION": "1", "SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": "example.org"}
    env.update(extra)
    return env


def test_the_project_layout_is_what_the_tests_expect():
    assert MANAGE.is_file()
    assert (PROJECT_DIR / "src" / "cittasmart" / "config" / "settings.py").is_file()


def test_the_deployment_check_passes_in_production(tmp_path):
    result = run([str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_fails_on_development_settings(tmp_path):
    """The check can fail: with the development defaults it reports DEBUG-free but insecure settings."""
    result = run([str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"], tmp_path)

    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = production_env()
    del env["SECRET_KEY"]

    result = run([str(MANAGE), "check"], tmp_path, **env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    env = production_env()
    del env["ALLOWED_HOSTS"]

    result = run([str(MANAGE), "check"], tmp_path, **env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug(tmp_path):
    result = run([str(MANAGE), "check"], tmp_path, **production_env(DEBUG="1"))

    assert result.returncode != 0
    assert "DEBUG" in result.stderr


PRINT_BACKENDS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST', ''), "
    "'port': str(db.get('PORT', '')), 'cache': settings.CACHES['default']['BACKEND'], "
    "'cache_location': settings.CACHES['default'].get('LOCATION', ''), "
    "'email': settings.EMAIL_BACKEND, 'production': settings.PRODUCTION}))"
)


def backends(tmp_path, **env):
    result = run(["-c", PRINT_BACKENDS], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_defaults_are_sqlite_and_local_memory(tmp_path):
    found = backends(tmp_path)

    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "db.sqlite3")
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"
    assert found["production"] is False


def test_database_url_and_redis_url_are_honoured(tmp_path):
    found = backends(
        tmp_path,
        DATABASE_URL="postgres://planner:secret@db.internal:6543/prato",
        REDIS_URL="redis://cache.internal:6380/2",
    )

    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "prato"
    assert found["host"] == "db.internal"
    assert found["port"] == "6543"
    assert found["cache"] == "cittasmart.core.cache.SharedClientRedisCache"
    assert found["cache_location"] == "redis://cache.internal:6380/2"


def test_production_sends_real_emails(tmp_path):
    assert backends(tmp_path, **production_env())["email"] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("yes", True)])
def test_production_flag_values(tmp_path, value, expected):
    env = production_env(PRODUCTION=value)

    assert backends(tmp_path, **env)["production"] is expected


def test_the_files_a_test_writes_stay_out_of_the_demos_folder(settings, db):
    """The demo's documents, written by a test, land in the test run's folder, not in ``var/``."""
    from django.core.management import call_command

    from cittasmart.documents.models import DocumentVersion

    var = Path(settings.VAR_DIR).resolve()
    call_command("load_demo", quiet_accounts=True)
    stored = DocumentVersion.objects.exclude(file="").first()

    assert stored is not None
    path = Path(stored.file.path).resolve()
    assert path.is_file()
    assert not path.is_relative_to(var)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
