"""Settings for carmsupport, read from environment variables with safe local defaults."""

import ipaddress
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    # Local development and tests only: never used when DJANGO_ENV=production.
    SECRET_KEY = "insecure-local-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "carmsupport.views.csrf_failure"

INSTALLED_APPS = [
    "signin.apps.StaffAdminConfig",  # django.contrib.admin, with the site that asks staff for a code
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "carmsupport.app_names.SignInRecordsConfig",  # axes, named in English and French (app_names)
    "django_otp",
    "carmsupport.app_names.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "carmsupport.app_names.BackupCodesConfig",  # django_otp.plugins.otp_static
    "carmsupport.app_names.TasksConfig",  # django_tasks_db
    "helpdesk",
    "triage",
    "cases",
    "signin",
]

MIDDLEWARE = [
    "carmsupport.middleware.RequestIdMiddleware",
    # Times each request for the metrics and logs it in one line (before WhiteNoise, to count static files).
    "carmsupport.observability.RequestMetricsMiddleware",
    # /healthz and /readyz answered here, without the rest (carmsupport.middleware.ProbeMiddleware).
    "carmsupport.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "carmsupport.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "carmsupport.request_limits.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "carmsupport.middleware.DatabaseUnavailableMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carmsupport.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "triage.context_processors.site",
                "carmsupport.context_processors.language_toggle",
            ],
        },
    },
]

WSGI_APPLICATION = "carmsupport.wsgi.application"

if PRODUCTION and not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production.")
if os.environ.get("DATABASE_URL"):
    # PostgreSQL in production, e.g. postgres://carm:secret@db.internal:5432/carmsupport
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A server that is down fails in 3 s rather than holding the request (?connect_timeout= in the URL wins).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"),
            # Several writers at once: readers never wait (WAL), a writer waits up to
            # 20 s for the lock, and takes it at the start of each transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests use a file, not memory, so that the browser tests' live server and the
            # tests each have their own connection and take turns through SQLite's locks.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"carmsupport-test-{os.getpid()}.sqlite3")},
        }
    }
# A page that only reads (GET, HEAD) is read again while the database blinks, for this long at most,
# before "please try again" (carmsupport.middleware.DatabaseUnavailableMiddleware).
DATABASE_RETRY_SECONDS = float(os.environ.get("DATABASE_RETRY_SECONDS", "2"))

CACHES = {
    # Per process: the help trees' graphs and question pages, keyed by revision and language.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every process: the rate limits' counters. The database by default, each count one
    # statement (carmsupport.counters); or Redis (CACHE_URL=redis://host:6379/0).
    "shared": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL", "").startswith(("redis://", "rediss://"))
        else {"BACKEND": "carmsupport.counters.CounterCache", "LOCATION": "carmsupport_cache"}
    ),
}
if os.environ.get("CACHE_URL") and CACHES["shared"]["BACKEND"].endswith("CounterCache"):
    raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// address.")

# Staff sign-in (signin/). Axes first: it refuses a locked-out username and address before
# any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed sign-ins (wrong password or wrong code) for one username from one address lock
# that pair for an hour from the last attempt; a successful sign-in clears the count.
# Unlock sooner with `manage.py axes_reset_username USERNAME` or in the admin.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "signin.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "signin.lockout.client_address"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_VERBOSE = False  # no start-up line on every manage.py command
# Staff sign in to the admin with a password and a code from an authenticator app
# (`manage.py enrol_totp USERNAME`). STAFF_OTP_REQUIRED=0 drops the code for local development only.
STAFF_OTP_REQUIRED = env_flag("STAFF_OTP_REQUIRED", True)
if PRODUCTION and not STAFF_OTP_REQUIRED:
    raise ImproperlyConfigured("STAFF_OTP_REQUIRED cannot be turned off when DJANGO_ENV=production.")
OTP_TOTP_ISSUER = "CARM support"
# Sessions (a staff member's sign-in, a client's last reference) end when the browser closes,
# and after 10 hours at the most.
SESSION_COOKIE_AGE = 10 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# In the database, each change written once (carmsupport.sessions).
SESSION_ENGINE = "carmsupport.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every public page exists in English and in French, under /en/ and /fr/. The admin
# speaks the staff member's language (the browser's, English when it is neither).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times as each language writes them (carmsupport/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["carmsupport.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here; production serves from it. Elsewhere files come from the source tree.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (BASE_DIR / "staticfiles" if PRODUCTION else None)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Clients' attachments: private, served only by the views that check who asks (cases.attachments.files).
# A directory no URL maps to, or with ATTACHMENTS_S3_BUCKET, a private bucket of S3-compatible
# object storage (AWS_S3_ENDPOINT_URL and the AWS_* credentials of django-storages).
ATTACHMENTS_ROOT = os.environ.get("ATTACHMENTS_ROOT") or str(BASE_DIR / "private" / "attachments")
if os.environ.get("ATTACHMENTS_S3_BUCKET"):
    ATTACHMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ATTACHMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    ATTACHMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ATTACHMENTS_ROOT, "base_url": None, "file_permissions_mode": 0o600},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": ATTACHMENTS_STORAGE,
    # Hashed, compressed names need `collectstatic`, which production runs; elsewhere files
    # are served as they are in the source tree.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app folders when files have not been collected (tests, development).
WHITENOISE_USE_FINDERS = not PRODUCTION

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Production is served over HTTPS, usually behind a proxy that ends TLS.
if os.environ.get("DJANGO_PROXY_SSL_HEADER", "1" if PRODUCTION else ""):
    # The proxy must set X-Forwarded-Proto and strip it from clients' requests.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# Requests: no body larger than 256 KB, and no file, except on the pages that take attachments;
# both are refused with 413 before the body is read whole (carmsupport.request_limits).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Attachments (contact form, follow-ups): PNG, JPEG, PDF, plain text and CSV, by their content.
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_MAX_BYTES_PER_MESSAGE = 25 * 1024 * 1024
# Files up to this size stay in memory while a request is read; larger ones go to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o600

# Rate limits per client address, as "count/period" (s, m, h, d). Behind reverse proxies, set
# TRUSTED_PROXIES to how many there are in front of the app: the client's address is then read
# from X-Forwarded-For (carmsupport.ratelimits.client_address).
RATELIMIT_ENABLE = env_flag("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "shared"
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
RATELIMIT_IP_META_KEY = "carmsupport.ratelimits.client_address"
RATE_LIMITS = {
    "contact": os.environ.get("RATE_LIMIT_CONTACT", "10/h"),
    "status": os.environ.get("RATE_LIMIT_STATUS", "20/h"),
    "feedback": os.environ.get("RATE_LIMIT_FEEDBACK", "30/h"),
    "follow_up": os.environ.get("RATE_LIMIT_FOLLOW_UP", "20/h"),
    "conversation_link": os.environ.get("RATE_LIMIT_CONVERSATION_LINK", "10/h"),
    "resolved": os.environ.get("RATE_LIMIT_RESOLVED", "20/h"),
}

# Acknowledgment emails one mailbox may receive in a day (Eastern time), however its address is
# spelt; later cases are filed without one.
ACKNOWLEDGMENTS_PER_ADDRESS_PER_DAY = int(os.environ.get("ACKNOWLEDGMENTS_PER_ADDRESS_PER_DAY", "3"))
# Conversation links one mailbox may be sent at its request in a day (the IP limit is separate).
CONVERSATION_LINKS_PER_ADDRESS_PER_DAY = int(os.environ.get("CONVERSATION_LINKS_PER_ADDRESS_PER_DAY", "3"))

# The share of first responses within their target that the service standard aims for, in percent.
SERVICE_STANDARD_TARGET_PERCENT = int(os.environ.get("SERVICE_STANDARD_TARGET_PERCENT", "90"))

# A case is due soon when its next reply is due within this many of the helpdesk's open hours (7:00
# to 19:00 on business days, Eastern time): the case list's "Due soon" view and the teams' counts.
DUE_SOON_OPEN_HOURS = int(os.environ.get("DUE_SOON_OPEN_HOURS", "4"))

# Closed cases keep their clients' personal data this many days (anonymise_closed_cases).
CASE_RETENTION_DAYS = int(os.environ.get("CASE_RETENTION_DAYS", "730"))
# The personal information bank (Info Source) that describes the cases' personal data, named in
# the contact form's privacy notice, e.g. "CBSA PPU 1234".
PRIVACY_INFORMATION_BANK = os.environ.get("PRIVACY_INFORMATION_BANK", "")

# Logs go to the console: one JSON object a line in production (carmsupport.json_logs), plain lines elsewhere.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "carmsupport.middleware.RequestIdFilter"},
        "redact_links": {"()": "carmsupport.middleware.RedactLinksFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "carmsupport.json_logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_links"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Axes logs each sign-in at INFO, with the username and address masked; its database rows
    # (the admin's "Access attempts") keep them. Lockouts are logged as warnings.
    # The development server's request lines go through the same handler, so links are redacted there too.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # pypdf warns of each flaw it meets in a client's PDF; a file it cannot read is refused all the same.
        "pypdf": {"level": "ERROR"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Emails go out through an outbox (cases.outbox.queue), sent by a task worker: django-tasks-db keeps the
# queue in the database and `manage.py task_worker` runs it. TASKS_BACKEND=immediate sends at once,
# in the web process (tests).
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("TASKS_BACKEND") == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
# Attempts to send one email before it is marked failed for staff, with waits doubling from a minute.
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "8"))
# A client's conversation link works for this many days after the email that carried it.
CONVERSATION_LINK_DAYS = int(os.environ.get("CONVERSATION_LINK_DAYS", "90"))
# A follow-up reopens a resolved case within this many business days; later, it files a new case.
REOPEN_BUSINESS_DAYS = 10

# The site's address as clients reach it, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")


# Email: printed to the console unless EMAIL_HOST names an SMTP server. Django's SMTP backend,
# telling a time-out after the server had the whole email (outcome unknown) from a failure.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "carmsupport.mail.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_flag("EMAIL_USE_TLS"),
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
            },
        }
    }
else:
    # MAIL_BACKEND may name another non-SMTP backend, e.g. the locmem one for benchmarks.
    MAILERS = {"default": {"BACKEND": os.environ.get("MAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CARM Client Support <carm-support@localhost>")
# The name clients' emails come from, in the email's language; the address is DEFAULT_FROM_EMAIL's.
FROM_NAMES = {
    "en": os.environ.get("FROM_NAME_EN", "CARM Client Support"),
    "fr": os.environ.get("FROM_NAME_FR", "Soutien de la GCRA"),
}
# The mailbox clients' replies reach (cases.inbound): each email to a client gets a Reply-To of this
# address with a tag naming its case, e.g. support+1d65f4ng8-…@support.example.ca (the mail server
# must deliver "+" addresses to the mailbox). Empty: the site takes no email, and sends no Reply-To.
INBOUND_EMAIL_ADDRESS = os.environ.get("INBOUND_EMAIL_ADDRESS", "")

# Clients' emails (cases.inbound): `manage.py fetch_email` reads this IMAP mailbox over TLS (implicit
# on 993, or STARTTLS on 143), hands each message to INBOUND_EMAIL_PROCESSOR, then moves it to the
# Processed or Rejected folder. Without INBOUND_IMAP_HOST nothing is fetched.
_inbound_tls = os.environ.get("INBOUND_IMAP_TLS", "implicit")
if _inbound_tls not in ("implicit", "starttls"):
    raise ImproperlyConfigured("INBOUND_IMAP_TLS must be 'implicit' or 'starttls'")
INBOUND_IMAP = {
    "HOST": os.environ.get("INBOUND_IMAP_HOST", ""),
    "PORT": int(os.environ.get("INBOUND_IMAP_PORT") or (993 if _inbound_tls == "implicit" else 143)),
    "TLS": _inbound_tls,
    "USER": os.environ.get("INBOUND_IMAP_USER", ""),
    "PASSWORD": os.environ.get("INBOUND_IMAP_PASSWORD", ""),
    # Certificate authorities to trust instead of the system's (a PEM file), e.g. a private CA's.
    "CAFILE": os.environ.get("INBOUND_IMAP_CAFILE", ""),
    "FOLDER": os.environ.get("INBOUND_IMAP_FOLDER", "INBOX"),
    "PROCESSED": os.environ.get("INBOUND_IMAP_PROCESSED", "Processed"),
    "REJECTED": os.environ.get("INBOUND_IMAP_REJECTED", "Rejected"),
    "TIMEOUT": int(os.environ.get("INBOUND_IMAP_TIMEOUT", "30")),
}
# A dotted path to `process(raw: bytes, *, too_large: bool = False)` returning an outcome with `.kept`
# (see cases.inbound.mailbox); imported when the command runs.
INBOUND_EMAIL_PROCESSOR = "cases.inbound.services.receive_message"
# More emails than this in an hour from one address are held for staff, not posted (a flood, or a loop).
INBOUND_EMAILS_PER_HOUR = int(os.environ.get("INBOUND_EMAILS_PER_HOUR", "20"))
# Automatic answers to emails received, a day, to one mailbox: to an email matching no request, and
# to a client's email whose files were refused or that was too large.
UNMATCHED_ANSWERS_PER_DAY = 1
AUTOMATIC_ANSWERS_PER_DAY = 5
# A larger email reaches the processor as its headers only. The files the web form takes (25 MB in
# all) grow by a third when base64-encoded in an email: this leaves room for that and the text.
INBOUND_EMAIL_MAX_BYTES = int(
    os.environ.get("INBOUND_EMAIL_MAX_BYTES", ATTACHMENTS_MAX_BYTES_PER_MESSAGE * 139 // 100 + 1024 * 1024)
)

# Readiness (/readyz, carmsupport.health): each dependency must answer within this many seconds.
READINESS_TIMEOUT = float(os.environ.get("READINESS_TIMEOUT_SECONDS", "2"))
# Prometheus metrics (/metrics, carmsupport.observability): answered to these addresses or networks, as the
# socket gives them (never a forwarded header), or to a request bearing METRICS_TOKEN; others get 404.
METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")
for _address in METRICS_ALLOWED_ADDRESSES:
    try:
        ipaddress.ip_network(_address, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_ADDRESSES: {_address!r} is no address or network.") from None
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
