"""Settings for Nguồn Quê: one module, configured by environment variables.

The embedded default (no variables set) runs on SQLite, Whoosh, local-memory
cache and immediate tasks. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and PRODUCTION=1; see README.md for the full table.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from cms.object_storage import private_media, public_media
from cms.production import DEVELOPMENT_SECRETS, secret_problems, secret_problems_text

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("PRODUCTION")
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_SECRETS["SECRET_KEY"])
if PRODUCTION and (_problems := secret_problems(os.environ)):
    # The development values are public: a webhook signed with one proves
    # nothing. `check --deploy` reports the same (cms/checks.py).
    raise ImproperlyConfigured(
        "The production profile needs its own secrets: "
        f"{secret_problems_text(_problems)}. Set them in the environment "
        "(README.md, Environment variables)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public origin printed in QR codes, e-mails and webhooks.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = "Nguồn Quê"
# The admin must not call out to wagtail.io: village links are slow and
# pages should make no request beyond our own host.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Nor to gravatar.com for avatars (the admin's CSP allows only our images).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

INSTALLED_APPS = [
    "cms.wagtail_vi",
    "cms",
    "cms.places",
    "farmer",
    "traceability",
    "market.tickets",
    "market.fulfilment",
    "market.payments",
    "market.checkout",
    "market.notifications",
    "market",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "csp",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy (cms/security.py).
    "cms.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # django-axes: turns a locked sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
    # Last: a cached page passes back through every middleware above.
    "market.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

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
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "market.checkout.context_processors.cart",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the scan log write while pages read; a busy timeout instead of
    # "database is locked" under the dev server's threads.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, tasks ------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            # "search": index writes, served by one worker (Whoosh has one writer).
            "QUEUES": ["default", "search"],
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL}, "search": {"URL": REDIS_URL}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if env("TASKS_BACKEND") == "database":
        # `make run`: tasks wait in the database for `manage.py db_worker`, so
        # a page that starts long work (a 10 000-label print) answers at once
        # and shows the worker's progress.
        TASKS = {
            "default": {
                "BACKEND": "django_tasks_db.DatabaseBackend",
                "QUEUES": ["default", "search"],
            }
        }
    else:
        # Tasks run in the caller: nothing else to start.
        TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }

# Anonymous full-page cache of the public pages (market/page_cache.py), in
# seconds; 0 turns it off. On by default only with Redis: a local-memory cache
# is per process, and a purge in one gunicorn worker would not reach another.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0"))

# --- Auth ------------------------------------------------------------------
_VALIDATORS_MODULE = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _VALIDATORS_MODULE + name}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
    )
]
AUTH_PASSWORD_VALIDATORS.append({"NAME": "cms.auth.NoDemoPasswordValidator"})
# Django's model backend, except that the README's demo passwords never sign
# in under PRODUCTION=1.
# First, django-axes refuses an account or client address that failed too
# often (cms/auth.py, docs/security.md).
AUTHENTICATION_BACKENDS = [
    "cms.auth.LoginThrottleBackend",
    "cms.auth.NoDemoPasswordBackend",
]
# Failed sign-ins: after LOGIN_FAILURE_LIMIT failures for one account, or from
# one client address, that account or address waits LOGIN_COOLOFF_MINUTES.
# The address follows NUM_PROXIES like every per-client count on the site.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "market.checkout.clients.client_address"
AXES_LOCKOUT_CALLABLE = "cms.auth.login_locked_response"
AXES_RESET_ON_SUCCESS = True
# Our own log line names each lock (cms.auth); no banner at every start.
AXES_VERBOSE = False
LOGIN_URL = "wagtailadmin_login"

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Money reads 150.000 ₫: Vietnamese formats with thousands grouping.
FORMAT_MODULE_PATH = ["cms.formats"]
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# The admin's date pickers write day/month/year, as people here do; the input
# formats in cms/formats/ read the same back.
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_I18N_ENABLED = False

# --- Static and media ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Private files (certificate scans, label PDFs): never under MEDIA_ROOT, never
# at a public URL; only views that check the user serve them
# (cms/private_files.py, docs/security.md).
PRIVATE_MEDIA_ROOT = Path(
    env("PRIVATE_MEDIA_ROOT", str(MEDIA_ROOT.with_name(f"{MEDIA_ROOT.name}-private")))
).resolve()
if PRIVATE_MEDIA_ROOT.is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured(
        "PRIVATE_MEDIA_ROOT must not lie inside MEDIA_ROOT: files there would "
        "be public under MEDIA_URL."
    )
# "django": Django streams the file; "x-accel": the response carries
# X-Accel-Redirect to nginx's `internal` location PRIVATE_MEDIA_X_ACCEL_PREFIX
# (README.md, Production).
PRIVATE_MEDIA_SERVE = env("PRIVATE_MEDIA_SERVE", "django")
if PRIVATE_MEDIA_SERVE not in {"django", "x-accel"}:
    raise ImproperlyConfigured('PRIVATE_MEDIA_SERVE is "django" or "x-accel".')
PRIVATE_MEDIA_X_ACCEL_PREFIX = env("PRIVATE_MEDIA_X_ACCEL_PREFIX", "/_private/")
if PRIVATE_MEDIA_SERVE == "x-accel":
    # Wagtail's document view, after its restriction check, hands the file to
    # nginx the same way (without it, Wagtail streams the file itself).
    SENDFILE_BACKEND = "cms.private_files"
STORAGES = {
    # Wagtail documents (names under documents/) to "private", the rest to
    # "public" (cms.private_files.MediaStorage).
    "default": {"BACKEND": "cms.private_files.MediaStorage"},
    "public": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "cms.private_files.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Object storage ------------------------------------------------------
# Several app hosts share no disk: media goes to an S3-compatible object store
# (AWS S3, MinIO, Ceph, a province's cloud) through django-storages.
# MEDIA_BUCKET: public media (Wagtail images and their renditions), read
# straight from the bucket. PRIVATE_MEDIA_BUCKET: certificate scans, Wagtail
# documents, label and parcel PDFs; no public ACL, only short-lived presigned
# URLs (SigV4, PRIVATE_MEDIA_URL_SECONDS) handed out by views that checked
# the user.
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL") or None
S3_REGION_NAME = env("S3_REGION_NAME", env("AWS_DEFAULT_REGION", "us-east-1"))
MEDIA_BUCKET = env("MEDIA_BUCKET")
PRIVATE_MEDIA_BUCKET = env("PRIVATE_MEDIA_BUCKET")
PRIVATE_MEDIA_URL_SECONDS = int(env("PRIVATE_MEDIA_URL_SECONDS", "300"))
if MEDIA_BUCKET:
    STORAGES["public"] = public_media(
        MEDIA_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        region_name=S3_REGION_NAME,
        domain=env("MEDIA_DOMAIN"),
    )
if PRIVATE_MEDIA_BUCKET:
    # Replaces the local "private" alias (same name, same callers).
    STORAGES["private"] = private_media(
        PRIVATE_MEDIA_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        region_name=S3_REGION_NAME,
        seconds=PRIVATE_MEDIA_URL_SECONDS,
    )

# Without a collectstatic run (demo, tests) whitenoise serves from the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Django serves media itself unless a proxy or object storage does it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=not PRODUCTION)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 8 * 1024 * 1024
# Images and certificate scans with more pixels are refused from their header
# (a decompression bomb unpacks a small file into gigabytes): 40 MP is more
# than a phone camera takes.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "webp"]

# --- Search ----------------------------------------------------------------
SEARCH_INDEX_PATH = Path(env("SEARCH_INDEX_PATH", str(BASE_DIR / "var" / "search")))
SEARCH_BACKEND = env("SEARCH_BACKEND", "whoosh")
if SEARCH_BACKEND == "whoosh":
    WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "cms.search.backend", "PATH": str(SEARCH_INDEX_PATH)}
    }
elif SEARCH_BACKEND == "postgres":
    # PostgreSQL full-text search with the Whoosh backend's Vietnamese rules
    # (cms/search/postgres.py): the engine several app hosts share.
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.postgres"}}
elif SEARCH_BACKEND == "database":
    # Wagtail's database backend, with the synonym table (cms/search/database.py).
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.database"}}
else:
    # Any modelsearch backend path, e.g. "modelsearch.backends.elasticsearch8".
    WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": SEARCH_BACKEND, "URLS": env_list("SEARCH_URLS")}
    }
MODELSEARCH_BACKENDS = WAGTAILSEARCH_BACKENDS

# --- E-mail ----------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where the file-based backend (`make run`) writes each message, one file each.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Nguồn Quê <no-reply@nguonque.vn>")
OPERATOR_EMAIL = env("OPERATOR_EMAIL", "operator@nguonque.vn")
if env("EMAIL_HOST"):
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)

# --- Notifications (docs/notifications.md) ---------------------------------
# SMS through eSMS.vn; without ESMS_API_KEY nobody is sent SMS (e-mail instead).
ESMS_URL = env("ESMS_URL", "https://rest.esms.vn").rstrip("/")
ESMS_API_KEY = env("ESMS_API_KEY")
ESMS_SECRET_KEY = env("ESMS_SECRET_KEY")
ESMS_BRANDNAME = env("ESMS_BRANDNAME")
ESMS_SMS_TYPE = env("ESMS_SMS_TYPE", "2")  # 2: customer care under a brand name
ESMS_SANDBOX = env_bool("ESMS_SANDBOX")
# Zalo ZNS: the Official Account's access token and one approved template id
# per kind of message (ZALO_TEMPLATE_ORDER_TO_PACK=…); a kind without one goes
# by SMS (or e-mail).
ZALO_ZNS_URL = env("ZALO_ZNS_URL", "https://business.openapi.zalo.me").rstrip("/")
ZALO_ACCESS_TOKEN = env("ZALO_ACCESS_TOKEN")
# With the app's id and secret and a first refresh token, expired access
# tokens are renewed (and the new pair kept in the database).
ZALO_APP_ID = env("ZALO_APP_ID")
ZALO_APP_SECRET = env("ZALO_APP_SECRET")
ZALO_REFRESH_TOKEN = env("ZALO_REFRESH_TOKEN")
ZALO_OAUTH_URL = env("ZALO_OAUTH_URL", "https://oauth.zaloapp.com").rstrip("/")
ZALO_TEMPLATES = {
    kind: env(f"ZALO_TEMPLATE_{kind.upper()}")
    for kind in (
        "order_to_pack",
        "certificate_expiring",
        "copied_code",
        "recall",
        "product_published",
        "product_rejected",
    )
    if env(f"ZALO_TEMPLATE_{kind.upper()}")
}
NOTIFY_TIMEOUT_SECONDS = float(env("NOTIFY_TIMEOUT_SECONDS", "10"))

# --- REST API --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_RATES": {"orders": env("ORDERS_RATE_LIMIT", "30/minute")},
    "UNAUTHENTICATED_USER": None,
    # How many reverse proxies of ours append to X-Forwarded-For. 0: the
    # client's own address (a client's X-Forwarded-For is never believed).
    # Every per-client count on the site uses this rule
    # (market.checkout.clients.client_address). The older scan-page switch
    # USE_X_FORWARDED_FOR=1 stands for one proxy when NUM_PROXIES is unset.
    "NUM_PROXIES": int(
        env("NUM_PROXIES", "1" if env_bool("USE_X_FORWARDED_FOR") else "0")
    ),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nguồn Quê API",
    "DESCRIPTION": "Products, lots (EPCIS 2.0), orders and post-office parcels.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["cms.api.only_public_api"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several models have a "status"; name each choice set in the document.
    "ENUM_NAME_OVERRIDES": {
        "ParcelStatusEnum": "market.fulfilment.models.ParcelStatus",
        "LotStatusEnum": "traceability.models.LotStatus",
    },
}

# --- Market, payments, traceability ----------------------------------------
# Card gateway: any Stripe-compatible server. `make run` starts localstripe.
PAYMENT_GATEWAY_URL = env("PAYMENT_GATEWAY_URL", "http://127.0.0.1:8420").rstrip("/")
PAYMENT_GATEWAY_JS_URL = env(
    "PAYMENT_GATEWAY_JS_URL", f"{PAYMENT_GATEWAY_URL}/js.stripe.com/v3/"
)
PAYMENT_GATEWAY_SECRET_KEY = env(
    "PAYMENT_GATEWAY_SECRET_KEY", DEVELOPMENT_SECRETS["PAYMENT_GATEWAY_SECRET_KEY"]
)
PAYMENT_GATEWAY_PUBLISHABLE_KEY = env(
    "PAYMENT_GATEWAY_PUBLISHABLE_KEY", "pk_test_nguonque"
)
PAYMENT_WEBHOOK_SECRET = env(
    "PAYMENT_WEBHOOK_SECRET", DEVELOPMENT_SECRETS["PAYMENT_WEBHOOK_SECRET"]
)
PAYMENT_GATEWAY_TIMEOUT = float(env("PAYMENT_GATEWAY_TIMEOUT", "10"))
# VietQR: the market's collecting account (NAPAS bank BIN + account number).
VIETQR_BANK_BIN = env("VIETQR_BANK_BIN", "970436")
VIETQR_BANK_NAME = env("VIETQR_BANK_NAME", "Vietcombank")
VIETQR_ACCOUNT_NUMBER = env("VIETQR_ACCOUNT_NUMBER", "0011004455667")
VIETQR_ACCOUNT_NAME = env("VIETQR_ACCOUNT_NAME", "CONG TY NGUON QUE")
BANK_WEBHOOK_SECRET = env(
    "BANK_WEBHOOK_SECRET", DEVELOPMENT_SECRETS["BANK_WEBHOOK_SECRET"]
)
# Bank-feed services that report incoming transfers (empty: that feed is off
# and its webhook refuses every call with 401).
SEPAY_API_KEY = env("SEPAY_API_KEY", "")
CASSO_SECURE_TOKEN = env("CASSO_SECURE_TOKEN", "")
PAYOS_CHECKSUM_KEY = env("PAYOS_CHECKSUM_KEY", "")
ORDER_HOLD_MINUTES = int(env("ORDER_HOLD_MINUTES", "15"))
# Unpaid orders may not lock up stock: an anonymous order holds its stock for
# less until its payment starts (order page opened, card tried); one order,
# and one client's unpaid orders together, hold at most this many units of a
# variant (also the most the cart and the product page accept); one client
# (account, else address) has at most this many unpaid orders at a time.
ORDER_HOLD_MINUTES_ANONYMOUS = int(env("ORDER_HOLD_MINUTES_ANONYMOUS", "10"))
ORDER_MAX_UNITS_PER_VARIANT = int(env("ORDER_MAX_UNITS_PER_VARIANT", "20"))
ORDER_MAX_OPEN_PER_CLIENT = int(env("ORDER_MAX_OPEN_PER_CLIENT", "3"))
MARKET_COMMISSION_PERCENT = int(env("MARKET_COMMISSION_PERCENT", "5"))
# Key of the QR codes' `s=` signature, independent of SECRET_KEY: printed
# labels live for years, and rotating the Django secret must not make them
# "fake". Old keys stay in QR_SIGNING_KEY_FALLBACKS (comma-separated): codes
# signed with them still verify, new codes use QR_SIGNING_KEY. An install that
# signed with SECRET_KEY before puts that old secret in the fallbacks.
QR_SIGNING_KEY = env("QR_SIGNING_KEY", DEVELOPMENT_SECRETS["QR_SIGNING_KEY"])
QR_SIGNING_KEY_FALLBACKS = env_list("QR_SIGNING_KEY_FALLBACKS")
SCAN_SUSPICIOUS_COUNT = int(env("SCAN_SUSPICIOUS_COUNT", "20"))
SCAN_SUSPICIOUS_CLIENTS = int(env("SCAN_SUSPICIOUS_CLIENTS", "5"))
# GS1 company prefixes our sellers hold: a GTIN alone does not tell where its
# company prefix ends, which EPCIS needs for `urn:epc:class:lgtin:` names.
GS1_COMPANY_PREFIXES = env_list("GS1_COMPANY_PREFIXES")

# --- Content-Security-Policy, Permissions-Policy (cms/security.py) ----------
# Public pages: our own files, inline <script>/<style> only with the request's
# nonce, no framing, forms only to us. CSP_MEDIA_ORIGINS: where images come
# from besides us (object storage, a CDN), comma-separated origins.
# Public media read straight from the bucket (or its CDN domain) is one of them.
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS")
if MEDIA_BUCKET:
    _media_origin = (
        f"https://{env('MEDIA_DOMAIN')}" if env("MEDIA_DOMAIN") else S3_ENDPOINT_URL
    ) or f"https://{MEDIA_BUCKET}.s3.{S3_REGION_NAME}.amazonaws.com"
    CSP_MEDIA_ORIGINS.append(_media_origin.rstrip("/"))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # blob: the farm diary shrinks a photo on the phone before sending it
        "img-src": [SELF, "data:", "blob:", *CSP_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# /admin/: Wagtail's admin still has inline scripts and style attributes, and
# frames its own previews.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *CSP_MEDIA_ORIGINS],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# The farm diary takes photos with the phone's camera; nothing else is used.
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), "
    "serial=(), bluetooth=(), hid=(), midi=(), accelerometer=(), gyroscope=(), "
    "magnetometer=(), display-capture=(), browsing-topics=()"
)

# /healthz answers 503 "queue stale" when a task has waited this long.
HEALTHZ_QUEUE_STALE_MINUTES = int(env("HEALTHZ_QUEUE_STALE_MINUTES", "10"))

# --- Logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- Production profile ----------------------------------------------------
if PRODUCTION:
    DEBUG = False
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer probes /healthz over plain HTTP on the private side.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
