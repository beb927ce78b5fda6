"""Django settings for RightResponse.

Safe defaults: DEBUG is off unless RIGHTRESPONSE_DEBUG=1, the secret key comes from the
environment (or a private file in var/), and SQLite (WAL) is the embedded default
while DATABASE_URL selects PostgreSQL in production and CI.
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/rightresponse
PROJECT_DIR = BASE_DIR.parent.parent  # the checkout (or the install prefix)
VAR_DIR = Path(os.environ.get("RIGHTRESPONSE_VAR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("RIGHTRESPONSE_DEBUG", "") == "1"  # never on by default
TESTING = "pytest" in sys.modules or os.environ.get("RIGHTRESPONSE_TESTING") == "1"


def _secret_key() -> str:
    """From the environment in production; otherwise a random key kept in var/ (mode 0600),
    so no key is ever committed and a single-machine install works without set-up."""
    key = os.environ.get("RIGHTRESPONSE_SECRET_KEY", "")
    if key:
        return key
    if TESTING:
        return secrets.token_urlsafe(50)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("RIGHTRESPONSE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in os.environ.get("RIGHTRESPONSE_CSRF_TRUSTED_ORIGINS", "").split(",")
    if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "axes",  # failed sign-ins counted per user and address, in the database (all workers)
    "rightresponse.accounts",
    "rightresponse.people",
    "rightresponse.geo",
    "rightresponse.web",
    "rightresponse.triage",
    "rightresponse.dispatch",
    "rightresponse.intake",
    "rightresponse.ecosystem",
    "rightresponse.analytics",
    "rightresponse.performance",
    "rightresponse.plan",
    "rightresponse.studio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "rightresponse.accounts.middleware.SessionTimeoutMiddleware",
    "rightresponse.triage.middleware.ProtocolUnavailableMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lock-out answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rightresponse.config.urls"
WSGI_APPLICATION = "rightresponse.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rightresponse.web.context.navigation",
            ],
        },
    },
]


def _sqlite(name: str) -> dict[str, object]:
    """Every SQLite database gets the same tuned engine, whether named by DATABASE_URL or by
    default: a plain SQLite configuration (journal mode delete, no busy timeout) answers
    concurrent writers with "database is locked" (issue 20)."""
    return {
        # Django's SQLite backend, with concurrent writers queued fairly (config/sqlite).
        "ENGINE": "rightresponse.config.sqlite",
        "NAME": name,
        "OPTIONS": {
            # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock
            # at BEGIN so concurrent writers queue (busy timeout) instead of failing mid-way.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            # Seconds a write waits for its turn (the queue, then SQLite's busy handler);
            # past it the API answers 503 with Retry-After (config/problems.py), never 500.
            "timeout": float(os.environ.get("RIGHTRESPONSE_SQLITE_TIMEOUT", "20")),
        },
        "TEST": {"NAME": os.environ.get("RIGHTRESPONSE_TEST_SQLITE") or None},
        # Keep each worker's connection: opening one registers Django's SQL functions and
        # runs the pragmas above, a few milliseconds a request (issue 2: p99 < 50 ms).
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if "sqlite" in str(config["ENGINE"]):
            return _sqlite(str(config["NAME"]))
        # Several checkouts may share one server: each names its own test database.
        config["TEST"] = {"NAME": os.environ.get("RIGHTRESPONSE_TEST_DB_NAME") or None}
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return _sqlite(os.environ.get("RIGHTRESPONSE_SQLITE", str(VAR_DIR / "rightresponse.sqlite3")))


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lock-out check runs before the password check, so a locked pair learns nothing.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("RIGHTRESPONSE_TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

# Security headers that cost nothing on localhost and matter in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("RIGHTRESPONSE_HTTPS") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # A TLS-terminating proxy says the request was HTTPS; trusted only when one is declared.
    if os.environ.get("RIGHTRESPONSE_TRUSTED_PROXIES", "0").strip() not in ("", "0"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# ---- Production configuration (docs/operations.md, "Production configuration")
# Client address. Behind N reverse proxies that each append to X-Forwarded-For, set
# RIGHTRESPONSE_TRUSTED_PROXIES=N: the client is the address the outermost proxy saw.
# With 0 (the default) the header is ignored: anyone can write it, so trusting it would let
# a password guesser appear to come from a new address on every try.
TRUSTED_PROXY_COUNT = _env_int("RIGHTRESPONSE_TRUSTED_PROXIES", 0)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT  # django-ninja's throttles follow the same rule

# Sign-in throttle (django-axes): after RIGHTRESPONSE_LOGIN_FAILURE_LIMIT failed attempts
# for one username from one address, that pair is locked for the cool-off, on /login/,
# /admin/login/ and POST /api/auth/token alike. The pair, not the username alone, so that a
# stranger cannot lock a dispatcher out from elsewhere, nor one address lock out a whole
# 911 center behind one NAT address.
AXES_FAILURE_LIMIT = _env_int("RIGHTRESPONSE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("RIGHTRESPONSE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "rightresponse.accounts.network.client_address"
AXES_LOCKOUT_CALLABLE = "rightresponse.accounts.views.locked_out"
AXES_VERBOSE = False

# API tokens expire (POST /api/auth/token shows when); an expired token gets 401.
API_TOKEN_LIFETIME = timedelta(days=_env_int("RIGHTRESPONSE_TOKEN_LIFETIME_DAYS", 30))

# Sessions: signed out after RIGHTRESPONSE_SESSION_IDLE_MINUTES without a request, and after
# RIGHTRESPONSE_SESSION_MAX_HOURS whatever happens (one shift), instead of two weeks.
SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("RIGHTRESPONSE_SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = _env_int("RIGHTRESPONSE_SESSION_MAX_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy (django-csp; Django 5.2 has none of its own): scripts, styles,
# images and requests from this site only, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# When a call can have been received (core/triage/received.py): about 50 years back, so
# history can be imported, and a day ahead (clocks that disagree). Year 1 or 2099: refused.
CALLS_RECEIVED_PAST_DAYS = _env_int("RIGHTRESPONSE_CALLS_PAST_DAYS", 18262)
CALLS_RECEIVED_FUTURE_HOURS = _env_int("RIGHTRESPONSE_CALLS_FUTURE_HOURS", 24)

# Uploads are bounded: an oversized payload is refused (400), not buffered.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The protocol that drives live triage; a city points this at its own file.
RIGHTRESPONSE_PROTOCOL = os.environ.get(
    "RIGHTRESPONSE_PROTOCOL", str(PROJECT_DIR / "protocols" / "default.yaml")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("RIGHTRESPONSE_LOG_LEVEL", "WARNING"),
    },
}

# Analytics on Spark (`rightresponse analyze --engine spark`): a cluster's master URL
# (spark://host:7077, yarn, k8s://...); empty: a local session on this machine.
RIGHTRESPONSE_SPARK_MASTER = os.environ.get("RIGHTRESPONSE_SPARK_MASTER", "")
