"""Tandem settings, driven entirely by environment variables.

With nothing set, Tandem runs "embedded": SQLite under var/, Celery tasks executed
in-process, email written to files under var/mail/. See README.md for every variable.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    missing = [
        name
        for name in ("DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS")
        if not env_list(name)
    ]
    if missing:
        raise ImproperlyConfigured(
            "Tandem refuses to start in production without "
            + " and ".join(missing)
            + ". Set them in the environment (see README.md, 'Configuration')."
        )
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    DEBUG = False
else:
    # A fixed key is acceptable only because this branch never serves real people.
    SECRET_KEY = os.environ.get(
        "DJANGO_SECRET_KEY", "tandem-embedded-development-key-not-for-production-use-0123456789"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]", "testserver"]
    DEBUG = env_bool("DJANGO_DEBUG", True)

SITE_URL = os.environ.get(
    "SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")

# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new key,
# run `manage.py encryption_rotate`, then drop the old one). Production requires them: a key
# derived from SECRET_KEY (development and tests only) would make every encrypted field
# unreadable the day the secret key is rotated.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
for position, key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(key)
    except ValueError:
        # `from None`, and no key in the message: the refusal must not print a secret.
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key number {position} is not a valid Fernet key "
            "(32 bytes, URL-safe base64). Generate one with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"` (see README.md, '
            "'Rotating the encryption key')."
        ) from None

INSTALLED_APPS = [
    "config",
    "core",
    "accounts",
    "engagement",
    "payments",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.TandemUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.public_cache.PublicPageCacheMiddleware",
    # Inside the page cache: a cached public page is served before this runs.
    "core.middleware.PrivateByDefaultMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.context_processors.site_shell",
            ],
        },
    },
]
FORM_RENDERER = "core.forms.TandemFormRenderer"

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # A shared cache: allauth's rate limits must count across every web process.
    # Fails open: while Redis is unreachable, pages render uncached instead of failing.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tandem",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous public pages are cached whole and invalidated when their content changes; the
# timeout only bounds how long a deploy's template changes take to show.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "me"
# The home page in the language of the page signed out from (config/urls.py).
LOGOUT_REDIRECT_URL = "home"

# allauth: email is the login, verified before first sign-in; MFA by TOTP with recovery codes.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_FORMS = {
    "login": "accounts.allauth_forms.LoginForm",
    "signup": "accounts.allauth_forms.SignupForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.allauth_forms.ResetPasswordKeyForm",
    "change_password": "accounts.allauth_forms.ChangePasswordForm",
    "add_email": "accounts.allauth_forms.AddEmailForm",
    "set_password": "accounts.allauth_forms.SetPasswordForm",
    "reauthenticate": "accounts.allauth_forms.ReauthenticateForm",
    "request_reauthentication_code": "accounts.allauth_forms.RequestReauthenticationCodeForm",
    "confirm_reauthentication_code": "accounts.allauth_forms.ConfirmReauthenticationCodeForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming the address in the browser that signed up signs the person in and takes them on
# to where they were going (for example back to /join/).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Tandem: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    # Per address and per IP: slows guessing without locking a person out for long.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.allauth_forms.AuthenticateForm",
    "reauthenticate": "accounts.allauth_forms.MFAReauthenticateForm",
    "activate_totp": "accounts.allauth_forms.ActivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tandem"
# One 30-second step either side, as RFC 6238 (5.2) advises: a code typed as it changes, or on a
# phone whose clock has drifted, still works. A code is accepted once only (allauth remembers it).
MFA_TOTP_TOLERANCE = 1

# Pages only staff (Coordinator, Finance) may open, after enrolling in MFA.
STAFF_PATH_PREFIXES = ("/admin/",)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
# Tandem's own strings (makemessages writes there), then Welsh for the few library strings
# Tandem's pages show whose libraries have none (kept by hand, see its header).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "libraries"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if PRODUCTION:
    # Outside production, runserver and the test live server serve static files themselves.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")


# Email: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail/.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tandem <hello@tandem.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: a Redis broker when REDIS_URL is set; otherwise every task runs in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it has finished, and requeued if its worker dies.
CELERY_TASK_ACKS_LATE = True
# Workers log through LOGGING's handlers (which redact secrets) instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No task waits on a retry countdown (the outbox keeps its schedule on the row), so a dead
# worker's unacknowledged task can be handed to another after five minutes. Short socket
# timeouts keep a request that enqueues from hanging on an unreachable broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "core.tasks.outbox_sweep", "schedule": 60.0},
    "experts-resume-due": {"task": "engagement.tasks.experts_resume_due", "schedule": 3600.0},
    "invitations-send-due": {"task": "engagement.tasks.invitations_send_due", "schedule": 60.0},
    "invitations-remind-due": {
        "task": "engagement.tasks.invitations_remind_due",
        "schedule": 900.0,
    },
    "invitations-expire-due": {
        "task": "engagement.tasks.invitations_expire_due",
        "schedule": 900.0,
    },
    "honoraria-create-due": {"task": "engagement.tasks.honoraria_create_due", "schedule": 300.0},
    "calls-close-due": {"task": "engagement.tasks.calls_close_due", "schedule": 300.0},
    "reviews-remind-due": {"task": "engagement.tasks.reviews_remind_due", "schedule": 900.0},
}
# The invitation sweeper leaves an invitation this long to the task enqueued for it before
# sending it itself (it still sends once only: the send transition runs once).
INVITATION_SEND_GRACE_SECONDS = float(os.environ.get("INVITATION_SEND_GRACE_SECONDS", "300"))

# Payments. Expense receipts live in a private folder outside MEDIA_ROOT (never served by the
# web server; payments/storage.py), up to PAYMENTS_RECEIPT_MAX_BYTES each; one expense claim
# may be at most PAYMENTS_EXPENSE_MAX_AMOUNT pounds. The honoraria sweeper creates, for work
# recorded more than PAYMENTS_HONORARIUM_GRACE_SECONDS ago, any honorarium its task missed.
PAYMENTS_RECEIPTS_ROOT = Path(
    os.environ.get("PAYMENTS_RECEIPTS_ROOT", VAR_DIR / "private" / "receipts")
)
PAYMENTS_RECEIPT_MAX_BYTES = int(
    os.environ.get("PAYMENTS_RECEIPT_MAX_BYTES", str(10 * 1024 * 1024))
)
PAYMENTS_EXPENSE_MAX_AMOUNT = os.environ.get("PAYMENTS_EXPENSE_MAX_AMOUNT", "2000.00")

# Funding calls. A proposal's PDF lives privately like a receipt (core.uploads.PrivateStorage),
# up to PROPOSAL_ATTACHMENT_MAX_BYTES.
PROPOSAL_ATTACHMENTS_ROOT = Path(
    os.environ.get("PROPOSAL_ATTACHMENTS_ROOT", VAR_DIR / "private" / "proposals")
)
PROPOSAL_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("PROPOSAL_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
)
# Reviewers with reviews still to do are reminded once, this long before the round's deadline.
REVIEW_REMINDER_HOURS = float(os.environ.get("REVIEW_REMINDER_HOURS", "48"))
PAYMENTS_HONORARIUM_GRACE_SECONDS = float(
    os.environ.get("PAYMENTS_HONORARIUM_GRACE_SECONDS", "300")
)

# The email outbox (core.services.outbox). A failed delivery is retried after
# OUTBOX_RETRY_BASE_SECONDS, doubling each time up to OUTBOX_RETRY_MAX_SECONDS; an email not
# sent within OUTBOX_GIVE_UP_HOURS is given up and listed for staff to resend. A delivery in
# progress holds its email for OUTBOX_CLAIM_SECONDS, longer than any SMTP exchange (EMAIL_TIMEOUT
# is per socket operation), before another may send it. An enqueued email is left to its task
# for OUTBOX_ENQUEUE_LEASE_SECONDS (the broker's visibility timeout: by then Redis has handed a
# dead worker's task to another anyway) before the sweeper enqueues it again, so a long queue
# is not flooded with copies.
OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "60"))
OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "3600"))
OUTBOX_GIVE_UP_HOURS = float(os.environ.get("OUTBOX_GIVE_UP_HOURS", "48"))
OUTBOX_CLAIM_SECONDS = float(os.environ.get("OUTBOX_CLAIM_SECONDS", "120"))
OUTBOX_ENQUEUE_LEASE_SECONDS = float(os.environ.get("OUTBOX_ENQUEUE_LEASE_SECONDS", "300"))

# What experts see of their payments (payments.selectors.statements). Finance pays approved
# items in a monthly batch on PAYMENTS_BATCH_DAY, so that is the date an approved item is
# expected by. Experts who asked for benefits or tax signposting are told when a tax year's
# payments for work pass PAYMENTS_TRADING_ALLOWANCE (HMRC's trading allowance: £1,000).
PAYMENTS_BATCH_DAY = int(os.environ.get("PAYMENTS_BATCH_DAY", "15"))
PAYMENTS_TRADING_ALLOWANCE = Decimal(os.environ.get("PAYMENTS_TRADING_ALLOWANCE", "1000.00"))

# Wagtail
WAGTAIL_SITE_NAME = "Tandem"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Public pages exist in each language: English at /about/, Welsh at /cy/about/ (config/urls.py).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt", "csv", "xlsx"]
# Documents are served only through Wagtail's view, which checks the collection's view
# restriction (uploads are private until a page publishes them: cms/services/documents.py),
# never straight from MEDIA_ROOT.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Where a restricted document or page sends visitors to sign in.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL

# Security. Production turns everything on and passes `manage.py check --deploy`.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Wagtail's live preview frames pages from the same origin; the CSP frame-ancestors 'self'
# directive gives the same protection that X-Frame-Options: DENY would.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
# Enforced everywhere, so tests and development see what production blocks.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# Every handler redacts secrets. Django's own default configuration (applied before this one)
# gives `django` a console and an admin-email handler and `django.server` (runserver's request
# lines) its own handler that does not propagate; both are replaced here, or they would keep
# logging full confirmation and password-reset URLs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.server": {"handlers": ["django.server"], "level": LOG_LEVEL, "propagate": False},
        # Wagtail runs a task (django_tasks) for every search and reference-index update and
        # logs each page save; a line for each is noise, while warnings still show.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
