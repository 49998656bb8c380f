"""cittasmart settings: one module, driven by the environment.

Development (the default) needs nothing: SQLite in ``var/``, local-memory cache, e-mails on the console.
Production is switched on with ``PRODUCTION=1`` and then requires ``SECRET_KEY`` and ``ALLOWED_HOSTS``;
``python manage.py check --deploy --fail-level WARNING`` passes in that mode (see docs/deploy.md).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # the SQLite database and collected files live here


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on in production.")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set SECRET_KEY in production.")
    SECRET_KEY = "django-insecure-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cittasmart.core",
    "cittasmart.accounts",
    "cittasmart.stakeholders",
    "cittasmart.survey",
    "cittasmart.plan",
    "cittasmart.participation",
    "cittasmart.meetings",
    "cittasmart.documents",
    "cittasmart.opendata",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "template_partials",
    "csp",
    "bootstrap_italia_template",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A page of an API list found in the cache is answered here, before routing and django-ninja.
    "cittasmart.opendata.middleware.CachedApiListMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A login storm from one address gets the lockout page before any password is checked.
    "cittasmart.accounts.loginguard.LoginGuardMiddleware",
    # Axes last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cittasmart.config.urls"
WSGI_APPLICATION = "cittasmart.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cittasmart.core.context_processors.site",
                "cittasmart.participation.context_processors.notifications",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    }
]

FORM_RENDERER = "cittasmart.core.forms_rendering.FormRenderer"

# --- Database -------------------------------------------------------------------------------------------
# SQLite (WAL, immediate transactions) by default; PostgreSQL through DATABASE_URL.
SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "cittasmart.core.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from the shared cache and written through to the database: one query less on every
    # logged-in request. Not with the per-process memory cache, where another process could keep a session
    # that was ended.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "core:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "cittasmart.accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failed logins are limited by django-axes (lockout with its own message); allauth keeps its other limits.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "cittasmart")

AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
# Failed logins from one address, on any accounts, within the cool-off time before that address is locked out.
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cittasmart.accounts.views.lockout"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(env("PROXY_COUNT", "0")) or None

# --- Internationalisation -------------------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Files of the document library: outside MEDIA_ROOT, never served by a URL of their own, only by the
# permission-checked download views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "cittasmart.documents.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "cittasmart <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach the site at, for the links in e-mails sent by background tasks (there is no request).
# In production it defaults to https:// and the first of ALLOWED_HOSTS.
_FIRST_HOST = next((host.lstrip(".") for host in ALLOWED_HOSTS if host != "*"), "localhost")
SITE_URL = env("SITE_URL", f"https://{_FIRST_HOST}" if PRODUCTION else "http://localhost:8000").rstrip("/")

# --- Security -------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content Security Policy: every asset comes from this site (no third-party CDN, no trackers).
# Bootstrap Italia's scripts set style attributes (menus, collapses): those are allowed, <style> elements are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Background tasks -----------------------------------------------------------------------------------
# django-tasks with its database backend; `make run` starts the worker (`manage.py db_worker`) beside the server.
# TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs every task at once, in the request.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Application ----------------------------------------------------------------------------------------
# Public pages seen by anonymous visitors are kept this long in the cache at most (0: never); every write to
# the data under a page replaces it at once (see core/pagecache.py), this only bounds what depends on the clock.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "60"))
# Write views share one rate limit (requests per minute per client) unless they set their own.
RATE_LIMIT_WRITES_PER_MINUTE = int(env("RATE_LIMIT_WRITES_PER_MINUTE", "30"))
# Participation: how long a comment can be edited, and the limits of writes per person per minute.
COMMENT_EDIT_MINUTES = int(env("COMMENT_EDIT_MINUTES", "15"))
PARTICIPATION_RATE_LIMITS = {"idea": 5, "comment": 10, "support": 60, "report": 10}
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENTS_PER_IDEA = 3
# The largest file of the document library.
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DEMO_PASSWORD = env("DEMO_PASSWORD", "cittasmart-demo")

# --- Open data ------------------------------------------------------------------------------------------
# The licence of every dataset (CC BY 4.0 unless the administration chooses otherwise).
OPENDATA_LICENCE_URL = env("OPENDATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
OPENDATA_LICENCE_NAME = env(
    "OPENDATA_LICENCE_NAME", "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"
)
# The publisher of the catalogue: the organisation marked as host entity, unless these are set.
OPENDATA_PUBLISHER_NAME = env("OPENDATA_PUBLISHER_NAME")
OPENDATA_PUBLISHER_IPA = env("OPENDATA_PUBLISHER_IPA")
# Datasets per page of the DCAT-AP_IT catalogue.
OPENDATA_CATALOG_PAGE_SIZE = int(env("OPENDATA_CATALOG_PAGE_SIZE", "100"))
# Exports with more rows than this are made by the background worker, with a progress page.
OPENDATA_EXPORT_SYNC_MAX_ROWS = int(env("OPENDATA_EXPORT_SYNC_MAX_ROWS", "50000"))
# Files of background exports (public data, served by the export views).
EXPORTS_ROOT = Path(env("EXPORTS_ROOT", str(VAR_DIR / "exports")))
# The read API: items per page (default and maximum) and requests per minute per client; the write feed's
# own limit per token.
API_PAGE_SIZE = 100
API_MAX_PAGE_SIZE = 1000
API_RATE_LIMIT_PER_MINUTE = int(env("API_RATE_LIMIT_PER_MINUTE", "300"))
API_WRITE_RATE_LIMIT_PER_MINUTE = int(env("API_WRITE_RATE_LIMIT_PER_MINUTE", "120"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}
